"""Routing pages: route a case, queues, claim/assign/recuse, transfer, summonses, grants."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import roles_of
from accounts.models import Membership, User
from cases.core.access import get_case_for_user, supervises
from cases.core.models import Case
from cases.core.states import Status
from mediation_center.service_calls import call_service

from . import selectors, services
from .access import answers_summons, get_case_for_claim, get_summons_for_user
from .forms import (
    ActionForm,
    AssignForm,
    BulkAssignForm,
    DeclineForm,
    GrantForm,
    QueueFilterForm,
    ReasonForm,
    RevokeGrantForm,
    RouteForm,
    SummonForm,
    TransferForm,
)
from .models import Summons
from .rules import suggest_route
from .selectors import QueueFilters

Role = Membership.Role
PAGE_SIZE = 20


def _detail(case: Case):
    """Back to the case page (its first tab holds the routing section). An action taken in place (htmx)
    follows this redirect too: the case page then answers with its workbench and the flash message, which
    replaces the one on screen (``cases.core.views.case_detail``)."""
    return redirect("cases:detail", case.pk)


def _in_place(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _leave(request, url: str):
    """Where a done action goes when the case page can no longer show it (the case moved away, the user
    stepped aside): a plain redirect, or for htmx a full navigation (HX-Redirect) with the flash message."""
    if _in_place(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _action_form(request, case: Case, form, *, title: str, template: str = "routing/form.html", extra=None):
    """A routing action's form: a page of its own, or (htmx) opened in place in the case page's routing
    section, where an error comes back inside the form with everything typed."""
    context = {
        "case": case,
        "form": form,
        "title": title,
        "action_url": request.get_full_path(),
        "cancel_url": reverse("cases:detail", args=[case.pk]) + "?tab=overview",
        "in_place": _in_place(request),
        **(extra or {}),
    }
    if context["in_place"]:
        template = template.replace("routing/", "routing/_", 1)
    return render(request, template, context)


def _case_for_supervisor(request, pk: int) -> Case:
    """A case the user may change (else 404/403) and whose center they supervise (else 403)."""
    case = get_case_for_user(request.user, pk, write=True)
    if not supervises(request.user, case.center):
        raise PermissionDenied(_("只有该案件承办中心的督办人员可以进行此操作。"))
    return case


# --- Routing ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def route_case(request, pk: int):
    case = get_case_for_user(request.user, pk, write=True)
    if case.status != Status.REGISTERED:
        messages.info(request, _("该案件已分流。"))
        return _detail(case)
    suggestion = suggest_route(case)
    centers = selectors.allowed_route_centers(case)
    departments = selectors.summonable_departments(case)
    initial = {
        "channel": suggestion.channel,
        "center": suggestion.center,
        "departments": suggestion.departments,
        "priority": suggestion.priority,
    }
    form = RouteForm(
        request.POST if request.POST.get("action") == "override" else None,
        initial=initial,
        centers=centers,
        departments=departments,
        suggestion=suggestion,
    )
    if request.method == "POST":
        if request.POST.get("action") == "accept":
            if call_service(
                request, lambda: services.route_case(case, actor=request.user), success=_("已按建议分流。")
            ):
                return _detail(case)
        elif form.is_valid():
            data = form.cleaned_data
            done = call_service(
                request,
                lambda: services.route_case(
                    case,
                    actor=request.user,
                    channel=data["channel"],
                    center=data["center"],
                    departments=list(data["departments"]),
                    priority=data["priority"],
                    override_reason=data["override_reason"],
                ),
                success=_("已分流。"),
            )
            if done:
                return _detail(case)
    return _action_form(
        request, case, form, title=_("分流"), template="routing/route.html", extra={"suggestion": suggestion}
    )


# --- Queues ------------------------------------------------------------------------------


def _queue_filters(form: QueueFilterForm, *, tab: str | None = None) -> QueueFilters:
    data = form.cleaned_data if form.is_valid() else {}
    return QueueFilters(
        tab=tab or data.get("tab") or "mine",
        status=data.get("status") or "",
        warning_level=data.get("warning_level"),
        dispute_type=data.get("dispute_type") or "",
        overdue=bool(data.get("overdue")),
    )


def _list_page(request, template: str, partial: str, context: dict):
    """A list page, or only its results when htmx asks (a filter changed, a page link followed): the
    filters then update the list in place and the URL (hx-push-url) keeps them."""
    if request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request"):
        return render(request, partial, context)
    return render(request, template, context)


@login_required
@require_GET
def mediator_queue(request):
    if not roles_of(request.user).has(Role.MEDIATOR):
        raise PermissionDenied(_("案件队列只对调解员开放：您的账号没有调解员角色。"))
    form = QueueFilterForm(request.GET or None)
    filters = _queue_filters(form)
    page = selectors.mediator_queue_page(request.user, filters, request.GET.get("page"), per_page=PAGE_SIZE)
    return _list_page(
        request,
        "routing/queue.html",
        "routing/_queue_results.html",
        {"page": page, "form": form, "tab": filters.tab, "list_url": reverse("routing:queue")},
    )


@login_required
@require_GET
def assign_queue(request):
    """The supervisor's view of the channel queues: unclaimed cases of the centers they supervise, every
    channel, with a bulk assignment."""
    if not roles_of(request.user).has(Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied(_("待指派案件只对督办人员开放：您的账号没有督办角色。"))
    form = QueueFilterForm(request.GET or None)
    filters = _queue_filters(form, tab="channel")
    page = selectors.unassigned_queue_page(request.user, filters, request.GET.get("page"), per_page=PAGE_SIZE)
    return _list_page(
        request,
        "routing/assign_queue.html",
        "routing/_queue_results.html",
        {
            "page": page,
            "form": form,
            "tab": "assign",
            "list_url": reverse("routing:assign_queue"),
            "assign_form": BulkAssignForm(mediators=selectors.mediators_supervised_by(request.user)),
        },
    )


@dataclass(frozen=True)
class BulkOutcome:
    """One ticked case's outcome: its row on the page becomes this message."""

    pk: int
    done: bool
    text: str


@login_required
@require_POST
def bulk_assign(request):
    """Assign one mediator to several cases: routing's assign service once per case, each in its own
    transaction with its own timeline event, so one refusal does not undo the others; every case's outcome
    is reported by its number. The queue lists unassigned cases only, so a case someone claimed or was
    assigned meanwhile is refused, not taken from them. In place (htmx) the answer is the outcome above the
    list and each ticked case's row replaced by its own (out of band); without JavaScript, back to the list
    with the outcome as flash messages."""
    if not roles_of(request.user).has(Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied(_("只有督办人员可以批量指派。"))
    back = reverse("routing:assign_queue") + _safe_query(request.POST.get("query", ""))
    form = BulkAssignForm(request.POST, mediators=selectors.mediators_supervised_by(request.user))
    outcomes: list[BulkOutcome] = []
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        data = form.cleaned_data
        for pk in data["cases"]:
            outcomes.append(_assign_one(request, pk, data))
    if _in_place(request):
        return render(
            request,
            "routing/_bulk_result.html",
            {
                "outcomes": outcomes,
                "assigned": sum(o.done for o in outcomes),
                "refused": sum(not o.done for o in outcomes),
            },
        )
    return redirect(back)


def _assign_one(request, pk: int, data: dict) -> BulkOutcome:
    """One case of a bulk assignment, its outcome also flashed (the page in place shows the messages)."""
    try:
        case = _case_for_supervisor(request, pk)
    except (Http404, PermissionDenied):
        text = _("案件 %(pk)s：找不到该案件或无权指派。") % {"pk": pk}
        messages.error(request, text)
        return BulkOutcome(pk, False, text)
    success = _("%(number)s：已指派给%(name)s。") % {"number": case.number, "name": data["mediator"]}

    def refused(error) -> str:
        return _("%(number)s：未指派，%(error)s") % {"number": case.number, "error": error.message}

    outcome = call_service(
        request,
        lambda: services.assign_mediator(
            case,
            actor=request.user,
            mediator=data["mediator"],
            reason=data["reason"],
            lead=True,
            seen_lead=None,  # the queue lists cases nobody works
        ),
        success=success,
        message=refused,
    )
    return BulkOutcome(case.pk, bool(outcome), success if outcome else str(refused(outcome.error)))


def _safe_query(query: str) -> str:
    """The list's filters to go back to: only the filter keys, re-encoded (never another address)."""
    kept = QueryDict(mutable=True)
    for key, values in QueryDict(query.lstrip("?")).lists():
        if key in QUEUE_FILTER_KEYS:
            kept.setlist(key, values[:1])
    return "?" + kept.urlencode() if kept else ""


QUEUE_FILTER_KEYS = ("status", "warning_level", "dispute_type", "overdue", "page")


@login_required
@require_GET
def liaison_queue(request):
    if not roles_of(request.user).has(Role.LIAISON):
        raise PermissionDenied(_("部门协办只对部门联络员开放：您的账号没有联络员角色。"))
    state = request.GET.get("state", "")
    if state not in selectors.LIAISON_STATES:
        state = ""
    page = Paginator(selectors.liaison_queue(request.user, state=state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _list_page(
        request,
        "routing/liaison_queue.html",
        "routing/_liaison_results.html",
        {
            "page": page,
            "state": state,
            "states": [*Summons.State.choices, (selectors.ENDED, _("案件已结束"))],
            "list_url": reverse("routing:liaison_queue"),
        },
    )


@login_required
@require_GET
def overdue_summonses(request):
    if not roles_of(request.user).has(Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied(_("超期协办只对督办人员开放：您的账号没有督办角色。"))
    page = Paginator(selectors.overdue_summonses(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "routing/overdue.html", {"page": page})


# --- Assignment ----------------------------------------------------------------------------


@login_required
@require_POST
def claim_case(request, pk: int):
    case = get_case_for_claim(request.user, pk)
    done = call_service(
        request, lambda: services.claim_case(case, actor=request.user), success=_("认领成功。")
    )
    if _in_place(request) and request.POST.get("from") == "list":
        # Claimed from the channel queue: the case's row answers in place, the list stays where it was.
        return render(request, "routing/_claimed_row.html", {"case": case, "claimed": bool(done)})
    if done or _in_place(request):
        return _detail(case)
    return redirect(reverse("routing:queue") + "?tab=channel")


@login_required
@require_http_methods(["GET", "POST"])
def assign_mediator(request, pk: int):
    """指派/改派: a page of its own, opened in place in the case page's routing section, or (``from=list``)
    in a row of the supervisor's queue below the case's own row (htmx). The form remembers the lead it was
    shown with: someone who claimed or reassigned the case meanwhile is not replaced unseen. A refusal comes
    back inside the form; done, the case page comes back (in place) or the queue's rows answer."""
    case = _case_for_supervisor(request, pk)
    from_list = _in_place(request) and (request.POST.get("from") or request.GET.get("from")) == "list"
    form = AssignForm(
        request.POST or None,
        mediators=selectors.assignable_mediators(case),
        seen_lead=selectors.lead_mediator_id(case),
        auto_id=f"assign-{case.pk}-%s" if from_list else "id_%s",
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = call_service(
            request,
            lambda: services.assign_mediator(
                case,
                actor=request.user,
                mediator=data["mediator"],
                reason=data["reason"],
                lead=data["lead"],
                seen_lead=data["seen_lead"],
            ),
            success=_("已指派给%(name)s。") % {"name": data["mediator"]},
            form=form,
        )
        if done and from_list:
            return render(request, "routing/_assigned_row.html", {"case": case})
        if done:
            return _detail(case)
    if from_list:
        return render(
            request,
            "routing/_assign_row.html",
            {"case": case, "form": form, "action_url": reverse("routing:assign", args=[case.pk])},
        )
    return _action_form(request, case, form, title=_("指派调解员"))


@login_required
@require_http_methods(["GET", "POST"])
def recuse(request, pk: int):
    """A mediator steps aside; a supervisor may record it for someone else (``?user=<id>``)."""
    case = get_case_for_user(request.user, pk)
    user_id = request.POST.get("user") or request.GET.get("user")
    target = request.user
    if user_id and str(user_id) != str(request.user.pk):
        if not supervises(request.user, case.center):
            raise PermissionDenied(_("只有该案件承办中心的督办人员可以为他人登记回避。"))
        target = get_object_or_404(User, pk=user_id, kind=User.Kind.STAFF)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if call_service(
            request,
            lambda: services.declare_interest(
                case, actor=request.user, user=target, reason=form.cleaned_data["reason"]
            ),
            success=_("已登记回避。"),
        ):
            return _detail(case) if target != request.user else _leave(request, reverse("routing:queue"))
    return _action_form(
        request, case, form, title=_("回避：%(name)s") % {"name": target}, extra={"hidden_user": target.pk}
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_case(request, pk: int):
    case = get_case_for_user(request.user, pk, write=True)
    form = TransferForm(request.POST or None, targets=selectors.transfer_targets(case))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if call_service(
            request,
            lambda: services.transfer_case(
                case, actor=request.user, to_center=data["to_center"], reason=data["reason"]
            ),
            success=_("已移交至%(center)s。") % {"center": data["to_center"].name},
        ):
            # The user may no longer see the case once it has moved away.
            if get_case_exists(request.user, case.pk):
                return _detail(case)
            return _leave(request, reverse("accounts:home"))
    return _action_form(request, case, form, title=_("层级移交"))


def get_case_exists(user: User, pk: int) -> bool:
    try:
        get_case_for_user(user, pk)
    except Http404:
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def grant_access(request, pk: int):
    """授予个案权限: inline in the case page's routing section (htmx; a refusal comes back inside the small
    form, done brings the case page back in place with its message), or this page of its own, which also
    lists the grants to revoke."""
    case = _case_for_supervisor(request, pk)
    in_place = _in_place(request)
    form = selectors.grant_form(request.POST or None) if in_place else GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if call_service(
            request,
            lambda: services.grant_case_access(
                case, actor=request.user, user=data["username"], write=data["write"], reason=data["reason"]
            ),
            success=_("已授予%(name)s个案权限。") % {"name": data["username"]},
            form=form,
        ):
            return _detail(case)
    if in_place:
        return render(request, "routing/_grant_inline.html", {"case": case, "form": form})
    return render(
        request,
        "routing/grants.html",
        {
            "case": case,
            "form": form,
            "grants": selectors.case_grants(case),
            "revoke_form": RevokeGrantForm(),
            "title": _("授予个案权限"),
        },
    )


@login_required
@require_POST
def revoke_access(request, pk: int, user_id: int):
    """Withdraw one person's per-case grant, with a reason; back to the grants page either way."""
    case = _case_for_supervisor(request, pk)
    grant = next((g for g in selectors.case_grants(case) if g.user.pk == user_id), None)
    if grant is None:
        raise Http404
    form = RevokeGrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("撤销个案权限必须填写理由。"))
    else:
        call_service(
            request,
            lambda: services.revoke_case_access(
                case, actor=request.user, user=grant.user, reason=form.cleaned_data["reason"]
            ),
            success=_("已撤销个案权限。"),
        )
    return redirect("routing:grant", case.pk)


# --- Summonses ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def summon(request, pk: int):
    case = get_case_for_user(request.user, pk, write=True)
    form = SummonForm(request.POST or None, departments=selectors.summonable_departments(case))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if call_service(
            request,
            lambda: services.summon_departments(
                case,
                actor=request.user,
                departments=list(data["departments"]),
                deadline=data["deadline"],
                note=data["note"],
            ),
            success=_("已通知部门报到。"),
        ):
            return _detail(case)
    return _action_form(request, case, form, title=_("部门吹哨"))


@login_required
@require_GET
def summons_detail(request, pk: int):
    """What a liaison needs of the case: the matter, the parties' names, who called and by when."""
    summons = get_summons_for_user(request.user, pk)
    case = summons.case
    # An answer given in place (htmx follows its redirect here): the page's body alone, with the flash
    # message inside it, replaces the one on screen.
    in_place = _in_place(request)
    return render(
        request,
        "routing/summons_detail.html",
        {
            "page_base": "cases/core/_in_place.html" if in_place else "base.html",
            "in_place": in_place,
            "summons": summons,
            "case": case,
            "party_names": [p.name for p in case.parties.order_by("role", "pk")],
            "assignments": selectors.case_assignments(case).filter(ended_at__isnull=True),
            # A summons of a case that has ended is closed: nothing is left to answer.
            "case_ended": not case.is_open,
            "can_answer": case.is_open and answers_summons(request.user, summons),
            "decline_form": DeclineForm(),
            "action_form": ActionForm(),
        },
    )


def _answer(request, pk: int, form_class, call: Callable, success: str):
    summons = get_summons_for_user(request.user, pk, write=True)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        call_service(request, lambda: call(summons, form.cleaned_data if form else {}), success=success)
    if _in_place(request) and request.POST.get("from") == "list":
        # Answered from the liaison's queue: the summons' row answers in place.
        summons = get_summons_for_user(request.user, pk)
        summons.case_ended = not summons.case.is_open
        return render(request, "routing/_liaison_row.html", {"s": summons, "answered": True})
    return redirect("routing:summons_detail", summons.pk)


@login_required
@require_POST
def summons_accept(request, pk: int):
    return _answer(
        request, pk, None, lambda s, d: services.accept_summons(s, actor=request.user), _("已报到。")
    )


@login_required
@require_POST
def summons_decline(request, pk: int):
    return _answer(
        request,
        pk,
        DeclineForm,
        lambda s, d: services.decline_summons(s, actor=request.user, reason=d["reason"]),
        _("已拒绝协办。"),
    )


@login_required
@require_POST
def summons_action(request, pk: int):
    return _answer(
        request,
        pk,
        ActionForm,
        lambda s, d: services.record_summons_action(s, actor=request.user, action=d["action"]),
        _("已记录办理情况。"),
    )
