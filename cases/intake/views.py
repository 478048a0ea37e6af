"""Counter intake (一窗口受理): register, the window's list, accept/refuse and evidence (the receipt is a
document of ``cases.documents``)."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import roles_of
from accounts.models import Center, Membership
from cases.core.access import can_change, cases_visible_to, get_case_for_user
from cases.core.attachments import validate_upload
from cases.core.models import Attachment
from cases.core.states import INTAKE_STATUSES, Status
from cases.documents.registry import Viewer, documents_for
from cases.intake import pending
from cases.intake.forms import (
    AttachmentUploadForm,
    CaseIntakeForm,
    RefuseForm,
    case_data_from,
    new_party_formset,
)
from cases.intake.selectors import find_related_cases, intake_queue_for
from cases.intake.services import (
    accept_case,
    add_attachments,
    mark_repeat,
    merge_case,
    refuse_case,
    register_case,
)
from mediation_center.redirects import safe_next
from mediation_center.service_calls import call_service


def _clerk_centers(user) -> list[Center]:
    centers = roles_of(user).centers(Membership.Role.CLERK)
    if not centers:
        raise PermissionDenied(_("登记受理只对窗口受理员开放：您的账号没有受理员角色。"))
    return centers


def _chosen_center(request, centers: list[Center]) -> Center:
    wanted = request.POST.get("center") or request.GET.get("center")
    for center in centers:
        if str(center.pk) == wanted:
            return center
    return centers[0]


def _parties_for_lookup(parties) -> list:
    """Valid party rows only: a half-typed form still finds what it can."""
    found = []
    for form in parties.forms:
        if form.is_valid() and not form.cleaned_data.get("DELETE"):
            found.append(form.to_party_data())
    return found


def _typed_dispute_type(form):
    """The dispute type as typed so far; a missing or tampered value (``abc``, ``1.5``) is None."""
    try:
        return form.fields["dispute_type"].clean(form.data.get("dispute_type"))
    except ValidationError:
        return None


def _related_for(request, form, parties, exclude=None):
    dispute_type = form.cleaned_data.get("dispute_type") if form.is_valid() else None
    if dispute_type is None and form.is_bound:
        dispute_type = _typed_dispute_type(form)
    rows = _parties_for_lookup(parties)
    if not rows:
        return []
    return find_related_cases(request.user, parties=rows, dispute_type=dispute_type, exclude=exclude)


DRAFT_KEY = re.compile(r"[A-Za-z0-9_-]{8,32}")


def _acceptable(upload) -> bool:
    try:
        validate_upload(upload)
    except ValidationError:
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def register(request):
    centers = _clerk_centers(request.user)
    center = _chosen_center(request, centers)
    related = None
    quiet = False  # a file removed from the chosen ones is no error to report
    draft_key = request.POST.get("draft_key", "")
    if not DRAFT_KEY.fullmatch(draft_key):
        draft_key = pending.new_draft_key()
    if request.method == "POST":
        form = CaseIntakeForm(request.POST, request.FILES)
        parties = new_party_formset(request.POST)
        # The files chosen now are kept at once (the browser forgets them when the page comes back); one the
        # rules refuse is not kept, and the form's error says why.
        pending.keep(request, draft_key, [f for f in request.FILES.getlist("evidence") if _acceptable(f)])
        if "remove_pending" in request.POST:
            pending.remove(request, draft_key, request.POST["remove_pending"])
            related, quiet = _related_for(request, form, parties), True
        elif "check" in request.POST:
            related = _related_for(request, form, parties)
        elif form.is_valid() and parties.is_valid():
            link_target = None
            action = form.cleaned_data.get("link_action")
            if action:
                link_target = cases_visible_to(request.user).filter(pk=form.cleaned_data["link_case"]).first()
                if link_target is None:
                    form.add_error("link_action", _("所选案件不存在或您无权查看。"))
            if not form.errors:
                evidence = pending.as_uploads(request, draft_key)  # those chosen now and before
                registered = call_service(
                    request,
                    lambda: register_case(
                        center=center,
                        actor=request.user,
                        data=case_data_from(form, parties),
                        repeat_of=link_target if action == "repeat" else None,
                        merge_into=link_target if action == "merge" else None,
                        attachments=evidence,
                    ),
                )
                for upload in evidence:
                    upload.close()
                if registered:
                    pending.forget(request, draft_key)
                    case = registered.result
                    messages.success(request, _("已登记受理，案号 %(number)s。") % {"number": case.number})
                    return redirect("cases:intake-registered", pk=case.pk)
        if related is None:
            related = _related_for(request, form, parties)
        if not quiet and (form.errors or any(parties.errors) or parties.non_form_errors()):
            messages.error(request, _("登记信息有误，请按提示修改后再保存。"))
    else:
        form = CaseIntakeForm()
        parties = new_party_formset()
    return render(
        request,
        "cases/intake/register.html",
        {
            "form": form,
            "parties": parties,
            "centers": centers,
            "center": center,
            "related": related,
            "link_case": form.data.get("link_case") if form.is_bound else "",
            "draft_key": draft_key,
            "pending_files": pending.pending_files(request, draft_key),
        },
    )


def _lookup_problems(form, parties) -> list[str]:
    """What makes a lookup request unusable: values no page of ours would send (a tampered select or
    hidden field, broken formset management data). Fields merely not typed yet are fine."""
    problems = []
    if form.data.get("dispute_type") and _typed_dispute_type(form) is None:
        problems.append(_("纠纷类型无效，请从列表中选择。"))
    if form.data.get("link_case") and "link_case" in form.errors:
        problems.append(_("所选关联案件编号无效。"))
    if not parties.management_form.is_valid():
        problems.append(str(parties.error_messages["missing_management_form"]))
    elif parties.management_form.cleaned_data["TOTAL_FORMS"] > parties.absolute_max:
        problems.append(str(parties.error_messages["too_many_forms"]) % {"num": parties.max_num})
    return problems


@login_required
@require_POST
def lookup(request):
    """The related-cases panel for the form as typed so far (called by intake.js while the clerk types)."""
    _clerk_centers(request.user)
    form = CaseIntakeForm(request.POST)
    parties = new_party_formset(request.POST)
    problems = _lookup_problems(form, parties)
    if problems:
        return render(request, "cases/intake/lookup_refused.html", {"problems": problems}, status=400)
    return render(
        request,
        "cases/intake/related.html",
        {"related": _related_for(request, form, parties), "link_case": request.POST.get("link_case", "")},
    )


@login_required
@require_GET
def registered(request, pk: int):
    case = get_case_for_user(request.user, pk)
    parties = list(case.parties.all())
    related = find_related_cases(request.user, parties=parties, dispute_type=case.dispute_type, exclude=case)
    return render(
        request,
        "cases/intake/registered.html",
        {
            "case": case,
            "parties": parties,
            "related": related,
            "can_change": can_change(request.user, case),
            "attachments": case.attachments.all(),
            "documents": documents_for(case, Viewer.STAFF, kinds=("receipt",)),
        },
    )


@login_required
@require_POST
def link(request, pk: int):
    """Mark a registered case as a repeat visit of, or merge it into, another case."""
    case = get_case_for_user(request.user, pk, write=True)
    other = cases_visible_to(request.user).filter(pk=request.POST.get("other") or None).first()
    if other is None:
        raise Http404
    if request.POST.get("action") == "merge":
        call_service(
            request,
            lambda: merge_case(case, actor=request.user, into=other),
            success=_("已并入 %(number)s。") % {"number": other.number},
        )
    elif request.POST.get("action") == "repeat":
        call_service(
            request,
            lambda: mark_repeat(case, actor=request.user, original=other),
            success=_("已标记为 %(number)s 的重复来访。") % {"number": other.number},
        )
    else:
        messages.error(request, _("请选择“重复来访”或“并单”。"))
    return redirect(safe_next(request, reverse("cases:intake-registered", args=[case.pk])))


@login_required
@require_GET
def intake_list(request):
    _clerk_centers(request.user)
    cases = intake_queue_for(request.user)
    status = request.GET.get("status", "")
    if status in INTAKE_STATUSES:
        cases = cases.filter(status=status)
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    for case in page:  # the receipt only: its rule reads the case row, so no query per row
        case.documents = documents_for(case, Viewer.STAFF, kinds=("receipt",))
    context = {"page": page, "status": status, "refuse_form": RefuseForm(), "Status": Status}
    # htmx (a filter changed, a page link followed): only the results; hx-push-url keeps the filter in the URL.
    if request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request"):
        return render(request, "cases/intake/_list_results.html", context)
    return render(request, "cases/intake/list.html", context)


@login_required
@require_POST
def accept(request, pk: int):
    case = get_case_for_user(request.user, pk, write=True)
    call_service(
        request,
        lambda: accept_case(case, actor=request.user),
        success=_("已受理 %(number)s。") % {"number": case.number},
    )
    return redirect("cases:intake-list")


@login_required
@require_POST
def refuse(request, pk: int):
    case = get_case_for_user(request.user, pk, write=True)
    form = RefuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("不予受理须填写理由。"))
        return redirect("cases:intake-list")
    call_service(
        request,
        lambda: refuse_case(case, actor=request.user, reason=form.cleaned_data["reason"]),
        success=_("%(number)s 不予受理。") % {"number": case.number},
    )
    return redirect("cases:intake-list")


@login_required
@require_POST
def upload_attachments(request, pk: int):
    case = get_case_for_user(request.user, pk, write=True)
    form = AttachmentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        uploaded = call_service(
            request,
            lambda: add_attachments(
                case,
                actor=request.user,
                files=form.cleaned_data["files"],
                description=form.cleaned_data["description"],
            ),
        )
        if uploaded:
            messages.success(request, _("已上传 %(n)d 个文件。") % {"n": len(uploaded.result)})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("上传被拒绝：%(why)s") % {"why": error})
    return redirect(safe_next(request, reverse("cases:detail", args=[case.pk])))


@login_required
@require_GET
def download_attachment(request, pk: int, token: str):
    case = get_case_for_user(request.user, pk)
    attachment = Attachment.objects.filter(case=case, token=token).first()
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
