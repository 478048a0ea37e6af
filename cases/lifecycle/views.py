"""Lifecycle pages: each parses a form, checks who may act, calls one service and goes back to the case."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from cases.core.models import Case
from cases.lifecycle import services
from cases.lifecycle.forms import (
    AgreementForm,
    CloseForm,
    ConcludeForm,
    EvaluationForm,
    FollowUpForm,
    ReopenForm,
    ReviewerForm,
    SessionForm,
    SignForm,
    TermFormSet,
)
from cases.lifecycle.selectors import agreement_of, get_case_for_action, overdue_follow_ups_for
from cases.page import action_tab
from mediation_center.service_calls import call_service


def _case_for_action(request, pk: int, action: str) -> Case:
    return get_case_for_action(request.user, pk, action)


def _form_page(
    request,
    case: Case,
    form,
    *,
    action: str,
    title: str,
    perform: Callable,
    success: str,
    extra=None,
    valid=True,
):
    """The action's form: a page of its own, or (htmx) opened in place in the case page's tab. A valid POST
    calls ``perform(cleaned_data)`` and, done, goes back to the case page at the action's tab (htmx follows
    the redirect and the case page replaces itself with the flash message); otherwise the form comes back,
    in place, with its errors and everything typed."""
    back = f"{reverse('cases:detail', args=[case.pk])}?tab={action_tab(action)}"
    if request.method == "POST" and form.is_valid() and valid:
        if call_service(request, lambda: perform(form.cleaned_data), success=success):
            return redirect(back)
    in_place = request.headers.get("HX-Request") == "true"
    context = {
        "case": case,
        "form": form,
        "title": title,
        "action_url": request.get_full_path(),
        "cancel_url": back,
        "in_place": in_place,
        **(extra or {}),
    }
    return render(request, "cases/lifecycle/_form.html" if in_place else "cases/lifecycle/form.html", context)


def _data(request):
    return request.POST if request.method == "POST" else None


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request, pk: int):
    case = _case_for_action(request, pk, "record_session")
    form = SessionForm(_data(request), case=case)
    return _form_page(
        request,
        case,
        form,
        action="record_session",
        title=_("记录调解"),
        success=_("调解记录已保存。"),
        perform=lambda d: services.record_session(
            case,
            actor=request.user,
            started_at=d["started_at"],
            mode=d["mode"],
            place=d["place"],
            parties=d["parties"],
            other_participants=d["other_participants"],
            discussion=d["discussion"],
            result=d["result"],
            outcome=d["outcome"],
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, pk: int, session_pk: int):
    case = _case_for_action(request, pk, "record_session")
    session = get_object_or_404(case.sessions, pk=session_pk)
    form = SessionForm(_data(request), case=case, initial=SessionForm.initial_from(session))
    return _form_page(
        request,
        case,
        form,
        action="record_session",
        title=_("修改调解记录"),
        success=_("调解记录已修改。"),
        perform=lambda d: services.update_session(
            session,
            actor=request.user,
            parties=d.pop("parties"),
            **{k: v for k, v in d.items() if k in services.SESSION_FIELDS},
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request, pk: int):
    case = _case_for_action(request, pk, "edit_agreement")
    agreement = agreement_of(case)
    draft = agreement if agreement is not None and not agreement.is_effective else None
    initial, term_initial = {}, []
    if draft is not None:
        initial = {"facts": draft.facts, "issues": draft.issues, "responsibilities": draft.responsibilities}
        term_initial = [
            {"content": t.content, "performance": t.performance, "due_on": t.due_on}
            for t in draft.terms.all()
        ]
    form = AgreementForm(_data(request), initial=initial)
    terms = TermFormSet(_data(request), initial=term_initial, prefix="terms")
    return _form_page(
        request,
        case,
        form,
        action="edit_agreement",
        valid=request.method == "POST" and terms.is_valid(),
        title=_("制作调解协议书"),
        success=_("调解协议书已保存，请打印后由各方签名、盖章并登记。"),
        extra={"formset": terms, "note": _("修改已有签名的协议草稿会清除已登记的签名。") if draft else ""},
        perform=lambda d: services.save_agreement(
            case,
            actor=request.user,
            facts=d["facts"],
            issues=d["issues"],
            responsibilities=d["responsibilities"],
            terms=terms.terms(),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_sign(request, pk: int):
    case = _case_for_action(request, pk, "sign_agreement")
    agreement = agreement_of(case)
    signed = [s.party_id for s in agreement.signatures.all()]
    form = SignForm(_data(request), case=case, signed_party_ids=signed)
    return _form_page(
        request,
        case,
        form,
        action="sign_agreement",
        title=_("登记签名和盖章"),
        success=_("签名和盖章已登记。"),
        extra={"note": _("各方当事人、调解员签名并加盖调委会印章后，协议生效。")},
        perform=lambda d: services.sign_agreement(
            agreement, actor=request.user, parties=d["parties"], mediator=d["mediator"], seal=d["seal"]
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def conclude(request, pk: int):
    case = _case_for_action(request, pk, "conclude")
    form = ConcludeForm(_data(request), case=case)
    return _form_page(
        request,
        case,
        form,
        action="conclude",
        title=_("终结调解"),
        success=_("已记录调解结果。"),
        perform=lambda d: services.conclude_case(
            case,
            actor=request.user,
            outcome=d["outcome"],
            reason=d["reason"],
            routes=d["routes"],
            oral_content=d["oral_content"],
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request, pk: int):
    case = _case_for_action(request, pk, "evaluate")
    form = EvaluationForm(_data(request))
    return _form_page(
        request,
        case,
        form,
        action="evaluate",
        title=_("案件评估"),
        success=_("评估已保存。"),
        perform=lambda d: services.evaluate_case(case, actor=request.user, **d),
    )


@login_required
@require_http_methods(["GET", "POST"])
def designate_reviewer(request, pk: int):
    case = _case_for_action(request, pk, "designate_reviewer")
    form = ReviewerForm(_data(request), case=case)
    return _form_page(
        request,
        case,
        form,
        action="designate_reviewer",
        title=_("指定评估人"),
        success=_("已指定评估人。"),
        perform=lambda d: services.designate_reviewer(case, actor=request.user, reviewer=d["reviewer"]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def close(request, pk: int):
    case = _case_for_action(request, pk, "close")
    form = CloseForm(_data(request), initial={"money_covered": case.money_covered})
    return _form_page(
        request,
        case,
        form,
        action="close",
        title=_("结案"),
        success=_("已结案，并已安排回访。"),
        perform=lambda d: services.close_case(
            case,
            actor=request.user,
            summary=d["summary"],
            money_covered=d["money_covered"],
            prevented_criminal=d["prevented_criminal"],
            prevented_group_petition=d["prevented_group_petition"],
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request, pk: int):
    case = _case_for_action(request, pk, "reopen")
    form = ReopenForm(_data(request))
    return _form_page(
        request,
        case,
        form,
        action="reopen",
        title=_("重新启动调解"),
        success=_("案件已重新进入调解。"),
        perform=lambda d: services.reopen_case(case, actor=request.user, reason=d["reason"]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request, pk: int, visit_pk: int):
    case = _case_for_action(request, pk, "record_follow_up")
    visit = get_object_or_404(case.follow_ups, pk=visit_pk, visited_at__isnull=True)
    form = FollowUpForm(_data(request), case=case)
    return _form_page(
        request,
        case,
        form,
        action="record_follow_up",
        title=_("登记回访"),
        success=_("回访已登记。"),
        extra={"note": f"{visit.get_reason_display()} · {_('应回访日期')} {visit.due_on:%Y-%m-%d}"},
        perform=lambda d: services.record_follow_up(visit, actor=request.user, **d),
    )


@login_required
@require_GET
def overdue_follow_ups(request):
    user: User = request.user
    visits = overdue_follow_ups_for(user)
    page = Paginator(visits, 50).get_page(request.GET.get("page"))
    return render(request, "cases/lifecycle/overdue.html", {"page": page})
