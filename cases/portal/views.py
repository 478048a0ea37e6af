"""Citizen pages (群众端): status lookup, sign-in by SMS code, online application, consultation,
case conversation, appointments, home visits and ratings. Public URLs carry tracking codes or
opaque tokens, never sequential ids."""

import functools
import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.core import signing
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.citizen_auth import citizen_required, is_citizen, sign_in_citizen
from accounts.models import Center
from accounts.urls_once import reverse_once
from cases.core.access import get_case_for_user
from cases.core.identity import mask_id_number, mask_name, mask_phone
from cases.core.models import Attachment, Case, Party, Source
from cases.core.states import Status
from cases.core.timeline import REGISTRY, label_for
from cases.documents.registry import Papers, Viewer, document_for, documents_for
from cases.documents.responses import document_response
from cases.intake.services import CaseData, PartyData
from cases.portal import drafts, forms, preference, privacy, selectors, services, shell, status_page
from cases.portal.models import Appointment, AppointmentSlot, Consultation, HomeVisitRequest, Rating
from mediation_center.redirects import safe_next, safe_referer
from mediation_center.service_calls import call_service

DOCUMENT_SALT = "portal.document"
DOCUMENT_MAX_AGE = 3600


def document_token(case: Case, kind: str) -> str:
    return signing.dumps({"t": case.tracking_code, "k": kind}, salt=DOCUMENT_SALT)


@functools.cache
def _role_labels(language: str | None) -> dict[str, str]:
    """get_role_display's labels as translated, once per process and language."""
    return {value: str(label) for value, label in Party.Role.choices}


@functools.cache
def _event_labels(language: str | None) -> dict[str, str]:
    """``label_for`` per event type as translated, filled in as types are shown (once per process and language)."""
    return {}


def _event_label(labels: dict[str, str], code: str) -> str:
    found = labels.get(code)
    if found is None:
        found = label_for(code)
        if code in REGISTRY:  # (an unknown code is shown as it is, and not kept: it may be registered later)
            labels[code] = found
    return found


def _status_context(case: Case, *, viewer_parties: list[Party] = ()) -> dict:
    """What a party may see: masked parties, the public timeline and their documents (``selectors.status_rows``:
    as the status lookup read them with its audit row, else in one statement)."""
    own = {p.pk for p in viewer_parties}
    language = get_language()
    roles = _role_labels(language)
    parties = [
        {
            "role": roles.get(p.role, p.role),
            "name": mask_name(p.name),
            "phone": mask_phone(p.phone),
            "id_number": mask_id_number(p.id_number),
            "is_me": p.pk in own,
        }
        for p in case.parties.all()
    ]
    rows = selectors.status_rows(case)
    labels = _event_labels(language)
    events = [{"time": e.created_at, "label": _event_label(labels, e.type)} for e in rows["public_events"]]
    papers = Papers.loaded(
        case,
        agreement=rows["agreements"][0] if rows["agreements"] else None,  # current_agreement's choice
        notice=rows["notice"][0] if rows["notice"] else None,
    )
    documents = [
        {"label": d.label, "url": reverse_once("portal:document", document_token(case, d.kind))}
        for d in documents_for(case, Viewer.PARTY, papers=papers).values()
    ]
    return {
        "case": case,
        "parties": parties,
        "events": events,
        "documents": documents,
        "next_step": selectors.next_step_for(case),
        "progress": selectors.citizen_progress(case),
    }


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def index(request):
    """The portal home: the center's name, address, office hours and phone, and five large buttons."""
    return render(request, "cases/portal/index.html", {"centers": selectors.home_centers()})


def _lookup_refusal(error) -> str:
    """A lock-out says until when, and that the tracking code still works when only the case number is locked."""
    if not isinstance(error, services.TooManyAttempts):
        return error.message
    message = (
        _("该案号的查询失败次数过多，已暂时锁定。请改用受理回执上的 12 位查询码查询，或于 %(time)s 后再试。")
        if error.scope == "case_number"
        else _("查询失败次数过多，已暂时锁定。请于 %(time)s 后再试。")
    )
    return message % {"time": f"{timezone.localtime(error.retry_at):%H:%M}"}


@never_cache
@require_http_methods(["GET", "POST"])
def status(request):
    """进度查询: tracking code (or case number) plus the last four digits of a party's phone."""
    if request.method == "GET":
        form = forms.StatusLookupForm(initial={"code": request.GET.get("code", "")[:60]})
        return _no_store(render(request, "cases/portal/status_lookup.html", {"form": form}))
    form = forms.StatusLookupForm(request.POST)
    status_code = 200
    retry_at = None
    # (A refusal's error cleans the form when it is added.)
    cleaned = forms.StatusLookupForm.accepted_as_sent(request.POST) or (form.is_valid() and form.cleaned_data)
    if cleaned:
        found = call_service(
            request,
            lambda: services.look_up_case(
                code=cleaned["code"], phone_last4=cleaned["phone_last4"], request=request
            ),
            form=form,
            message=_lookup_refusal,
        )
        if found:
            context = _status_context(found.result)
            case_url = reverse_once("portal:case", found.result.tracking_code) + "#rating"
            context["rate_url"] = (
                case_url
                if is_citizen(request.user)
                else f"{reverse_once('portal:sign_in')}?{urlencode({'next': case_url})}"
            )
            content = status_page.status_result(context)  # written directly, put in the cached shell
            return _no_store(shell.portal_page(request, title=_("查询结果"), content=content))
        # A lock-out or an unreachable counter answers with its own status; a mismatch is the form again.
        if isinstance(found.error, services.TooManyAttempts | services.RateLimitUnavailable):
            status_code = found.error.http_status
        retry_at = getattr(found.error, "retry_at", None)
    response = render(request, "cases/portal/status_lookup.html", {"form": form}, status=status_code)
    if retry_at is not None:
        response["Retry-After"] = str(max(1, int((retry_at - timezone.now()).total_seconds())))
    return _no_store(response)


@require_GET
def document(request, token: str):
    """A party's PDF, reached only through a signed, expiring link from the status or case page."""
    try:
        payload = signing.loads(token, salt=DOCUMENT_SALT, max_age=DOCUMENT_MAX_AGE)
    except signing.BadSignature as exc:
        raise Http404 from exc
    case = Case.objects.filter(tracking_code=payload.get("t", "")).first()
    if case is None:
        raise Http404
    found = document_for(case, Viewer.PARTY, str(payload.get("k", "")))
    return _no_store(document_response(request, case, found, Viewer.PARTY))


# --- Sign-in ----------------------------------------------------------------------------------
def _sending_refusal(error) -> str:
    """Too many codes asked for: the refusal says when the next one may be sent."""
    if not isinstance(error, services.TooManyAttempts):
        return error.message
    retry_at = timezone.localtime(error.retry_at)
    return _("%(msg)s 请于 %(time)s 后再试。") % {"msg": error.message, "time": f"{retry_at:%H:%M}"}


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request):
    """Phone first, then the six-digit code texted to it."""
    next_url = safe_next(request, reverse("portal:my_cases"))
    step = "phone"
    phone_form = forms.PhoneForm(request.POST or None)
    code_form = None
    if request.method == "POST" and request.POST.get("action") == "verify":
        step = "code"
        code_form = forms.CodeForm(request.POST)
        if code_form.is_valid():
            verified = call_service(
                request,
                lambda: services.verify_sign_in_code(
                    phone=code_form.cleaned_data["phone"],
                    code=code_form.cleaned_data["code"],
                    request=request,
                ),
                form=code_form,
                field="code",
            )
            if verified:
                sign_in_citizen(request, verified.result)
                return redirect(next_url)
    elif request.method == "POST":
        if phone_form.is_valid():
            phone = phone_form.cleaned_data["phone"]
            if call_service(
                request,
                lambda: services.request_sign_in_code(phone=phone, request=request),
                form=phone_form,
                field="phone",
                message=_sending_refusal,
            ):
                messages.success(request, _("验证码已发送到 %(phone)s。") % {"phone": mask_phone(phone)})
                step = "code"
                code_form = forms.CodeForm(initial={"phone": phone})
    else:
        phone_form = forms.PhoneForm()
    return render(
        request,
        "cases/portal/sign_in.html",
        {"phone_form": phone_form, "code_form": code_form, "step": step, "next": next_url},
    )


@require_POST
def sign_out(request):
    logout(request)
    return redirect("portal:index")


# --- The signed-in citizen ------------------------------------------------------------------------
@citizen_required
@require_GET
def my_cases(request):
    user = request.user
    return render(
        request,
        "cases/portal/my_cases.html",
        {
            "cases": selectors.cases_for_citizen(user),
            "consultations": Consultation.objects.filter(citizen=user).select_related("center")[:20],
            "appointments": Appointment.objects.filter(citizen=user, state=Appointment.State.BOOKED)
            .select_related("slot", "slot__center")
            .order_by("slot__date", "slot__start"),
            "home_visits": HomeVisitRequest.objects.filter(citizen=user).select_related("center")[:10],
        },
    )


# 好差评's five faces, best first: (score, label, the SVG path of the face's mouth from smile to frown).
RATING_FACES = [
    (score, label, mouth)
    for (score, label), mouth in zip(
        Rating.Score.choices,
        [
            "M11 24 Q20 34 29 24",
            "M12 25 Q20 30 28 25",
            "M12 27 L28 27",
            "M12 29 Q20 24 28 29",
            "M11 31 Q20 21 29 31",
        ],
        strict=True,
    )
]


def _case_page(request, case: Case, *, message_form=None, rating_form=None, status=200):
    parties = selectors.citizen_parties(request.user, case)
    context = _status_context(case, viewer_parties=parties)
    unrated = [p for p in parties if not hasattr(p, "rating")]
    context.update(
        {
            "conversation": selectors.case_messages(case),
            "message_form": message_form or forms.MessageForm(),
            "can_rate": case.status == Status.CLOSED and bool(unrated),
            "rated": case.status == Status.CLOSED and not unrated,
            "rating_form": rating_form or forms.RatingForm(),
            "faces": RATING_FACES,
        }
    )
    return render(request, "cases/portal/case.html", context, status=status)


@citizen_required
@require_GET
def case_page(request, tracking_code: str):
    case = selectors.get_case_for_citizen(request.user, tracking_code)
    return _case_page(request, case)


@citizen_required
@require_POST
def case_message(request, tracking_code: str):
    """在线调解: the citizen writes to the mediators on their own case (another citizen gets 404)."""
    case = selectors.get_case_for_citizen(request.user, tracking_code)
    form = forms.MessageForm(request.POST, request.FILES)
    if form.is_valid() and call_service(
        request,
        lambda: services.post_case_message(
            case, actor=request.user, body=form.cleaned_data["body"], upload=form.cleaned_data["file"]
        ),
        form=form,
        success=_("留言已发送。"),
    ):
        return redirect(reverse("portal:case", args=[case.tracking_code]) + "#conversation")
    return _case_page(request, case, message_form=form, status=400)


@citizen_required
@require_POST
def case_rate(request, tracking_code: str):
    case = selectors.get_case_for_citizen(request.user, tracking_code)
    form = forms.RatingForm(request.POST)
    parties = [p for p in selectors.citizen_parties(request.user, case) if not hasattr(p, "rating")]
    if form.is_valid():
        if not parties:
            form.add_error(None, _("您已评价过本案件，每位当事人只能评价一次。"))
        elif call_service(
            request,
            lambda: services.rate_case(
                case,
                citizen=request.user,
                party=parties[0],
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            ),
            form=form,
            success=_("感谢您的评价！"),
        ):
            return redirect("portal:case", tracking_code=case.tracking_code)
    return _case_page(request, case, rating_form=form, status=400)


@require_GET
def attachment(request, token: str):
    """A file from a case conversation or application: for the case's parties and its staff."""
    item = get_object_or_404(Attachment.objects.select_related("case"), token=token)
    if is_citizen(request.user):
        if not item.is_public:
            raise Http404
        selectors.get_case_for_citizen(request.user, item.case.tracking_code)
    else:
        get_case_for_user(request.user, item.case_id)
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)
    return _no_store(response)


# --- Online application --------------------------------------------------------------------------
# Three steps: fill in (with the privacy notice and consent) → preview what will be sent → send. The
# draft between them (values, consent, files) is ``cases.portal.drafts``; going back to edit loses nothing.
def _application_data(form: forms.OnlineApplicationForm, user) -> CaseData:
    data = form.cleaned_data
    resident = data["applicant_id_number"]
    applicant = PartyData(
        role=Party.Role.APPLICANT,
        name=data["applicant_name"],
        phone=user.phone,
        address=data["applicant_address"],
        id_type=Party.IdType.RESIDENT_ID if resident else "",
        id_number=resident.number if resident else "",
        id_legacy=resident.legacy if resident else False,
        sex=resident.sex if resident else "",
        birth_date=resident.birth_date if resident else None,
    )
    respondent = PartyData(
        role=Party.Role.RESPONDENT,
        kind=data["respondent_kind"],
        name=data["respondent_name"],
        phone=data["respondent_phone"],
        address=data["respondent_address"],
    )
    return CaseData(
        dispute_type=data["dispute_type"],
        summary=data["summary"],
        claims=data["claims"],
        place=data["place"],
        amount=data["amount"],
        people_count=2,
        parties=[applicant, respondent],
        source=Source.ONLINE,
    )


def _apply_page(request, form, draft: drafts.Draft, status=200):
    return render(
        request,
        "cases/portal/apply.html",
        {
            "form": form,
            "draft_files": draft.files,
            "notice": privacy.NOTICE,
            "notice_version": privacy.NOTICE_VERSION,
            "preference": _preference_choices(form),
        },
        status=status,
    )


def _preference_choices(form) -> dict | None:
    """The choice of a mediator or studio for the center the form holds (None: the library is not installed)."""
    provider = preference.provider()
    if provider is None:
        return None
    raw = str(form["center"].value() or "")
    center = Center.objects.filter(pk=int(raw)).first() if re.fullmatch(r"[0-9]{1,9}", raw) else None
    profiles, groups = provider.choices(center) if center else ([], [])
    return {
        "center": center,
        "profiles": profiles,
        "groups": groups,
        "selected": form["preferred"].value() or "",
        "url": reverse(provider.CHOICES_URL_NAME),
    }


@citizen_required
@require_http_methods(["GET", "POST"])
def apply(request):
    """在线申请, step 1: the form, the privacy notice and the consent box; valid → the preview."""
    draft = drafts.Draft(request)
    if request.method == "GET":
        form = forms.OnlineApplicationForm(initial=draft.data, kept_files=len(draft.files))
        return _apply_page(request, form, draft)
    if draft.exists:
        draft.keep_only(request.POST.getlist("keep_files"))
    form = forms.OnlineApplicationForm(request.POST, request.FILES, kept_files=len(draft.files))
    valid = form.is_valid()
    # Files that passed their checks are kept even when another field needs fixing: never chosen twice.
    if "files" not in form.errors:
        draft.add_uploads(form.cleaned_data.get("files") or [])
    draft.data = {
        name: request.POST[name] for name in form.fields if name != "files" and name in request.POST
    }
    if form.cleaned_data.get("privacy_consent"):
        draft.record_consent(
            privacy.Consent(
                version=privacy.NOTICE_VERSION, sha256=privacy.notice_sha256(), consented_at=timezone.now()
            )
        )
    draft.save()
    drafts.purge_stale()
    if valid:
        return redirect("portal:apply_preview")
    return _apply_page(request, form, draft)


@citizen_required
@require_http_methods(["GET", "POST"])
def apply_preview(request):
    """在线申请, step 2: everything that will be sent, files included; 返回修改 or 确认提交."""
    draft = drafts.Draft(request)
    if not draft.exists:
        messages.info(request, _("请先填写申请内容。"))
        return redirect("portal:apply")
    form = forms.OnlineApplicationForm(draft.data, kept_files=len(draft.files))
    consent = draft.consent_given()
    if not form.is_valid() or consent is None:
        return _apply_page(request, form, draft)
    if request.method == "POST":
        files = draft.open_files()
        try:
            submitted = call_service(
                request,
                lambda: services.submit_online_application(
                    citizen=request.user,
                    center=form.cleaned_data["center"],
                    data=_application_data(form, request.user),
                    consent=consent,
                    files=files,
                    preferred=form.cleaned_data["preferred"],
                    preferred_reason=form.cleaned_data["preferred_reason"],
                    service_consent=bool(form.cleaned_data.get("service_consent")),
                    request=request,
                ),
            )
        finally:
            for f in files:
                f.close()
        if submitted:
            draft.discard()
            return redirect("portal:applied", tracking_code=submitted.result.tracking_code)
    data = form.cleaned_data
    resident = data["applicant_id_number"]
    return render(
        request,
        "cases/portal/apply_preview.html",
        {
            "form": form,
            "data": data,
            "id_number": mask_id_number(resident.number) if resident else "",
            "respondent_phone": mask_phone(data["respondent_phone"]),
            "respondent_kind": Party.Kind(data["respondent_kind"]).label,
            "files": draft.files,
            "consent": consent,
            "preference_label": form.preference_label,
        },
    )


@citizen_required
@require_GET
def applied(request, tracking_code: str):
    case = selectors.get_case_for_citizen(request.user, tracking_code)
    return render(request, "cases/portal/applied.html", {"case": case})


# --- Consultation ------------------------------------------------------------------------------------
@citizen_required
@require_http_methods(["GET", "POST"])
def consultations(request):
    form = forms.QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.ask_question(
            citizen=request.user,
            center=form.cleaned_data["center"],
            question=form.cleaned_data["question"],
            dispute_type=form.cleaned_data["dispute_type"],
        )
        messages.success(request, _("您的问题已提交，中心答复后可在此查看。"))
        return redirect("portal:consultations")
    items = Consultation.objects.filter(citizen=request.user).select_related("center", "dispute_type")
    return render(request, "cases/portal/consultations.html", {"form": form, "items": items})


@citizen_required
@require_GET
def consultation(request, token: str):
    item = get_object_or_404(Consultation.objects.select_related("center"), token=token, citizen=request.user)
    return render(request, "cases/portal/consultation.html", {"item": item})


# --- Appointments and home visits ----------------------------------------------------------------
@citizen_required
@require_GET
def appointments(request):
    search = forms.SlotSearchForm(request.GET or None)
    slots = []
    if request.GET and search.is_valid():
        slots = services.ensure_slots(search.cleaned_data["center"], search.cleaned_data["date"])
        now = timezone.localtime()
        slots = [s for s in slots if (s.date, s.start) > (now.date(), now.time())]
    mine = (
        Appointment.objects.filter(citizen=request.user)
        .exclude(state=Appointment.State.CANCELLED)
        .select_related("slot", "slot__center")
        .order_by("-slot__date", "slot__start")
    )
    return render(
        request,
        "cases/portal/appointments.html",
        {
            "search": search,
            "slots": slots,
            "mine": mine,
            "booking_form": forms.BookingForm(initial={"name": ""}),
        },
    )


@citizen_required
@require_POST
def book(request):
    form = forms.BookingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写姓名和来访事由后再预约。"))
        return redirect(safe_referer(request, reverse("portal:appointments")))
    slot = get_object_or_404(AppointmentSlot, token=form.cleaned_data["slot"])
    call_service(
        request,
        lambda: services.book_appointment(
            slot,
            citizen=request.user,
            name=form.cleaned_data["name"],
            phone=request.user.phone,
            purpose=form.cleaned_data["purpose"],
        ),
        success=_("预约成功：%(center)s %(date)s %(start)s。")
        % {"center": slot.center, "date": slot.date, "start": f"{slot.start:%H:%M}"},
    )
    return redirect("portal:appointments")


@citizen_required
@require_POST
def cancel(request, token: str):
    appointment = get_object_or_404(Appointment, token=token, citizen=request.user)
    call_service(
        request,
        lambda: services.update_appointment(
            appointment, actor=request.user, state=Appointment.State.CANCELLED
        ),
        success=_("预约已取消。"),
    )
    return redirect("portal:appointments")


@citizen_required
@require_POST
def cancel_home_visit(request, token: str):
    visit = get_object_or_404(HomeVisitRequest, token=token, citizen=request.user)
    call_service(
        request,
        lambda: services.update_home_visit(visit, actor=request.user, state=HomeVisitRequest.State.CANCELLED),
        success=_("上门服务申请已取消。"),
    )
    return redirect("portal:my_cases")


@citizen_required
@require_http_methods(["GET", "POST"])
def home_visit(request):
    form = forms.HomeVisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_home_visit(citizen=request.user, phone=request.user.phone, **form.cleaned_data)
        messages.success(request, _("上门服务申请已提交，工作人员将电话联系您确认时间。"))
        return redirect("portal:my_cases")
    return render(request, "cases/portal/home_visit.html", {"form": form})
