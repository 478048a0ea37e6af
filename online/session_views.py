"""Pages of online mediation sessions: the case page's lazy 线上调解 card and the mediator's session page
(thread, invitations, the time it took place, closing), and the party's page reached from the SMS link
(thread, 同意/不同意 on proposals, 我已阅读并确认)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.citizen_auth import citizen_required
from cases.core.access import can_change, get_case_for_user, is_staff_user
from cases.lifecycle.selectors import is_case_mediator
from cases.portal.forms import MessageForm
from mediation_center.service_calls import call_service
from online import session_selectors as selectors
from online import session_services as services
from online.access import party_for_session_link
from online.forms import (
    CloseSessionForm,
    ConfirmRecordForm,
    InviteForm,
    ProposalAnswerForm,
    ScheduleSessionForm,
    SessionTimesForm,
    StaffPostForm,
)
from online.models import SessionPost


def _form_errors(request, form) -> None:
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))


def _staff_case(request, pk: int, *, write: bool = False):
    if not is_staff_user(request.user):
        raise Http404
    return get_case_for_user(request.user, pk, write=write)


@login_required
@require_GET
def case_sessions(request, pk: int):
    """The case page's 线上调解 card (htmx): per session and party, invited / joined / confirmed."""
    case = _staff_case(request, pk)
    section = selectors.case_sessions(case, request.user, writable=can_change(request.user, case))
    form = ScheduleSessionForm(parties=section.parties, initial={"parties": [p.pk for p in section.parties]})
    return render(request, "online/_sessions.html", {"case": case, "section": section, "form": form})


@login_required
@require_POST
def schedule(request, pk: int):
    case = _staff_case(request, pk, write=True)
    parties = list(case.parties.order_by("pk"))
    form = ScheduleSessionForm(request.POST, parties=parties)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(reverse("cases:detail", args=[case.pk]) + "?tab=documents#online-sessions")
    chosen = set(form.cleaned_data["parties"])
    outcome = call_service(
        request,
        lambda: services.schedule_online_session(
            case,
            actor=request.user,
            planned_at=form.cleaned_data["planned_at"],
            video_url=form.cleaned_data["video_url"],
            parties=[p for p in parties if p.pk in chosen],
            request=request,
        ),
        success=_("线上调解已安排，请发送邀请短信。"),
    )
    if outcome:
        return redirect("online:staff_session", pk=case.pk, session_pk=outcome.result.pk)
    return redirect(reverse("cases:detail", args=[case.pk]) + "?tab=documents#online-sessions")


def _staff_session_page(request, case, online_session, *, post_form=None, status=200):
    may_act = is_case_mediator(request.user, case) and can_change(request.user, case)
    participants = list(online_session.participants.all())
    return render(
        request,
        "online/staff_session.html",
        {
            "case": case,
            "online_session": online_session,
            "summary": selectors.SessionSummary(online_session, participants),
            "posts": selectors.thread(online_session),
            "may_act": may_act and not online_session.is_closed,
            "post_form": post_form or StaffPostForm(),
            "times_form": SessionTimesForm(
                initial={"held_from": online_session.held_from, "held_until": online_session.held_until}
            ),
            "close_form": CloseSessionForm(),
            "invitable": [r.party for r in participants if r.party.phone],
        },
        status=status,
    )


@login_required
@require_GET
def staff_session(request, pk: int, session_pk: int):
    case = _staff_case(request, pk)
    online_session = selectors.get_online_session_for_case(case, session_pk)
    return _staff_session_page(request, case, online_session)


def _back(case, online_session):
    return redirect("online:staff_session", pk=case.pk, session_pk=online_session.pk)


@login_required
@require_POST
def staff_post(request, pk: int, session_pk: int):
    case = _staff_case(request, pk, write=True)
    online_session = selectors.get_online_session_for_case(case, session_pk)
    form = StaffPostForm(request.POST, request.FILES)
    if form.is_valid() and call_service(
        request,
        lambda: services.post_to_session(
            online_session,
            actor=request.user,
            body=form.cleaned_data["body"],
            upload=form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
            request=request,
        ),
        form=form,
        success=_("已发送。"),
    ):
        return redirect(reverse("online:staff_session", args=[case.pk, online_session.pk]) + "#thread-end")
    return _staff_session_page(request, case, online_session, post_form=form, status=400)


@login_required
@require_POST
def staff_invite(request, pk: int, session_pk: int):
    case = _staff_case(request, pk, write=True)
    online_session = selectors.get_online_session_for_case(case, session_pk)
    parties = [r.party for r in online_session.participants.all()]
    form = InviteForm(request.POST, parties=parties)
    if form.is_valid():
        chosen = set(form.cleaned_data["parties"])
        call_service(
            request,
            lambda: services.invite_to_session(
                online_session,
                actor=request.user,
                parties=[p for p in parties if p.pk in chosen],
                request=request,
            ),
            success=_("邀请短信已发送。"),
        )
    else:
        messages.error(request, _("请选择要发送邀请短信的当事人。"))
    return _back(case, online_session)


@login_required
@require_POST
def staff_times(request, pk: int, session_pk: int):
    case = _staff_case(request, pk, write=True)
    online_session = selectors.get_online_session_for_case(case, session_pk)
    form = SessionTimesForm(request.POST)
    if form.is_valid():
        call_service(
            request,
            lambda: services.record_session_times(
                online_session,
                actor=request.user,
                held_from=form.cleaned_data["held_from"],
                held_until=form.cleaned_data["held_until"],
                request=request,
            ),
            success=_("实际时间已记录。"),
        )
    else:
        _form_errors(request, form)
    return _back(case, online_session)


@login_required
@require_POST
def staff_close(request, pk: int, session_pk: int):
    case = _staff_case(request, pk, write=True)
    online_session = selectors.get_online_session_for_case(case, session_pk)
    form = CloseSessionForm(request.POST)
    if form.is_valid():
        call_service(
            request,
            lambda: services.close_online_session(
                online_session, actor=request.user, outcome=form.cleaned_data["outcome"], request=request
            ),
            success=_("调解已结束，笔录已生成并已短信通知当事人确认。"),
        )
    else:
        _form_errors(request, form)
    return _back(case, online_session)


# --- The party's side ---------------------------------------------------------------------------------
@citizen_required
@require_GET
def my_sessions(request):
    """The citizen's online sessions, each with a fresh link."""
    return render(request, "online/my_sessions.html", {"rows": selectors.sessions_for_citizen(request.user)})


def _party_page(request, token, online_session, party, *, post_form=None, confirm_form=None, status=200):
    page = selectors.party_session_page(online_session, party)
    return render(
        request,
        "online/party_session.html",
        {
            "token": token,
            "page": page,
            "case": party.case,
            "online_session": online_session,
            "post_form": post_form or MessageForm(),
            "confirm_form": confirm_form
            or ConfirmRecordForm(initial={"record_sha256": online_session.record_sha256}),
        },
        status=status,
    )


@citizen_required
@require_GET
def party_session(request, token: str):
    """The party's session page; the first visit records that they joined."""
    online_session, party = party_for_session_link(request.user, token)
    if not online_session.participants.filter(party=party, joined_at__isnull=False).exists():
        services.join_session(online_session, party=party, citizen=request.user, request=request)
    return _party_page(request, token, online_session, party)


@citizen_required
@require_POST
def party_post(request, token: str):
    online_session, party = party_for_session_link(request.user, token)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid() and call_service(
        request,
        lambda: services.post_to_session(
            online_session,
            actor=request.user,
            party=party,
            body=form.cleaned_data["body"],
            upload=form.cleaned_data["file"],
            request=request,
        ),
        form=form,
        success=_("已发送。"),
    ):
        return redirect(reverse("online:party_session", args=[token]) + "#thread-end")
    return _party_page(request, token, online_session, party, post_form=form, status=400)


@citizen_required
@require_POST
def party_answer(request, token: str, post_pk: int):
    online_session, party = party_for_session_link(request.user, token)
    post = get_object_or_404(SessionPost, pk=post_pk, online_session=online_session)
    form = ProposalAnswerForm(request.POST)
    if form.is_valid():
        call_service(
            request,
            lambda: services.answer_proposal(
                post, party=party, citizen=request.user, answer=form.cleaned_data["answer"], request=request
            ),
            success=_("您的意见已记录。"),
        )
    else:
        _form_errors(request, form)
    return redirect(reverse("online:party_session", args=[token]) + f"#post-{post.pk}")


@citizen_required
@require_POST
def party_confirm(request, token: str):
    online_session, party = party_for_session_link(request.user, token)
    form = ConfirmRecordForm(request.POST)
    if form.is_valid() and call_service(
        request,
        lambda: services.confirm_session_record(
            online_session,
            party=party,
            citizen=request.user,
            record_sha256=form.cleaned_data["record_sha256"],
            request=request,
        ),
        form=form,
        field="read",
        success=_("您已确认本次调解笔录。"),
    ):
        return redirect(reverse("online:party_session", args=[token]) + "#record")
    return _party_page(request, token, online_session, party, confirm_form=form, status=400)
