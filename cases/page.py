"""The staff case page's data, gathered in one place from each sub-domain's section selector.

Every read of the page happens here, before the template renders: the sections share what several of them
need (the case's assignments, its parties and attachments, ``can_change``) instead of each asking again,
and the templates only show what they are given (tests/cases/test_case_page_queries.py holds both).
"""

from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.core.access import can_change_loaded, granted_loaded, object_grants
from cases.core.batch import Statement, attach, compile_together, load_together, run_statement, set_prefetched
from cases.core.models import Case, TimelineEvent
from cases.core.services import RevealField, RevealReason
from cases.core.states import Outcome, Status
from cases.core.timeline import label_for
from cases.documents.registry import Viewer, documents_for
from cases.intake.forms import AttachmentUploadForm
from cases.intake.selectors import intake_section, tied_cases
from cases.lifecycle.selectors import LIFECYCLE_USER_FIELDS, actions_for, lifecycle_from, lifecycle_querysets
from cases.portal.selectors import conversation_section, identity_section
from cases.warnings.clocks import case_clocks
from cases.warnings.selectors import case_warning_summary, open_orders_of
from mediation_center.dialect import server_json
from routing.selectors import routing_querysets, routing_section

TIMELINE_PAGE = 50

# The case page's tabs, in order; the timeline sits beside the tabs on a desktop and is a tab of its own on a
# phone. The open tab is kept in the URL (?tab=), so a reload, the back button and a form's return keep it.
CASE_TABS = (
    ("overview", _("概况")),
    ("parties", _("当事人")),
    ("sessions", _("调解记录")),
    ("documents", _("文书")),
    ("evidence", _("证据")),
    ("conversation", _("沟通")),
    ("warnings", _("预警督办")),
    ("timeline", _("时间线")),
)
TAB_CODES = frozenset(code for code, _label in CASE_TABS)
# The tab each lifecycle form opens in (and the page returns to when it is saved).
ACTION_TABS = {"edit_agreement": "documents", "sign_agreement": "documents"}


def action_tab(action: str) -> str:
    """The tab a lifecycle action's form opens in: the agreement's in 文书, the rest in 调解记录."""
    return ACTION_TABS.get(action, "sessions")


# The step bar: the lifecycle as staff speak of it. Each step is done when its event is on the loaded
# timeline or the case row records it (a long timeline is cut to its newest events, the row keeps the dates).
STEPS = (
    ("accept", _("受理")),
    ("warn", _("预警")),
    ("route", _("分流")),
    ("supervise", _("督办")),
    ("resolve", _("化解")),
    ("evaluate", _("评估")),
    ("close", _("结案")),
    ("follow_up", _("回访")),
)
STEP_EVENTS = {
    "accept": ("registered", "accepted"),
    "warn": ("warning_level_changed",),
    "route": ("routed",),
    "supervise": ("supervision_issued",),
    "resolve": ("concluded",),
    "evaluate": ("evaluated",),
    "close": ("closed",),
    "follow_up": ("follow_up_recorded", "follow_up_reopened"),
}
# Where the case stands, by status: the step that is being worked now.
CURRENT_STEP = {
    Status.SUBMITTED: "accept",
    Status.REGISTERED: "route",
    Status.ROUTED: "resolve",
    Status.IN_MEDIATION: "resolve",
    Status.CONCLUDED: "evaluate",
    Status.EVALUATED: "close",
}
# The lifecycle actions in the order the work goes; the page shows the next one first.
ACTION_ORDER = (
    "record_session",
    "edit_agreement",
    "sign_agreement",
    "conclude",
    "designate_reviewer",
    "evaluate",
    "close",
    "reopen",  # 登记回访 is offered on each pending visit, in the follow-ups section
)


def case_page_queryset() -> QuerySet[Case]:
    """The case row for the page, with the reference rows its sections read from it (the rest of what the
    page shows is read by ``_page_rows`` in one statement)."""
    return Case.objects.select_related("dispute_type", "center", "origin_center", "channel")


def _page_querysets(case: Case, user: User, *, full_timeline: bool) -> dict[str, QuerySet]:
    """The rows of the case's own sections (their own columns only)."""
    timeline = case.events.all()
    return {
        # cases.core.assignments.case_assignments_prefetch's rows and order
        "assignments": case.assignments.order_by("-is_lead", "assigned_at"),
        "parties": case.parties.all(),
        "attachments": case.attachments.all(),
        "timeline": timeline if full_timeline else timeline[: TIMELINE_PAGE + 1],
        "ties": tied_cases(case),
        # the warning card's clocks and open orders, the conversation's messages
        "clocks": case_clocks(case),
        "open_orders": open_orders_of(case),
        "messages": case.messages.all(),  # cases.portal.selectors.case_messages' rows and order
        **object_grants(user, case, "change_case"),
        **lifecycle_querysets(case),
        **routing_querysets(case),
    }


# The page's statement is compiled once per shape with these ids in place of the case's and the viewer's,
# then run with theirs: compiling its twenty-odd querysets costs more than running them (bench/README.md).
CASE_SENTINEL = -(2**31) + 17
USER_SENTINEL = -(2**31) + 29
_STATEMENTS: dict[tuple, Statement] = {}


def _own_rows(case: Case, user: User, *, full_timeline: bool) -> dict[str, list]:
    if case.repeat_of_id or case.merged_into_id:  # the ties' filter names those cases: this case's own SQL
        return load_together(_page_querysets(case, user, full_timeline=full_timeline))
    key = (connection.alias, server_json(connection), full_timeline)
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = compile_together(
            _page_querysets(Case(pk=CASE_SENTINEL), User(pk=USER_SENTINEL), full_timeline=full_timeline)
        )
        _STATEMENTS[key] = statement
    bound = {CASE_SENTINEL: case.pk, str(CASE_SENTINEL): str(case.pk), USER_SENTINEL: user.pk}
    return run_statement(
        statement, [bound.get(p, p) if isinstance(p, int | str) else p for p in statement.params]
    )


@cache
def _row_models() -> dict[str, type]:
    """The model of each of the page's row lists."""
    querysets = _page_querysets(Case(pk=CASE_SENTINEL), User(pk=USER_SENTINEL), full_timeline=False)
    return {name: queryset.model for name, queryset in querysets.items()}


def _page_rows(case: Case, user: User, *, full_timeline: bool) -> dict[str, list]:
    """Every row of the case's own sections in one statement (``cases.core.batch``), then the rows they
    point to (users, centers, channels, departments, rules) in one more, put in place as the ORM's
    ``select_related`` / ``prefetch_related`` would."""
    rows = _own_rows(case, user, full_timeline=full_timeline)
    querysets = _row_models()
    references = {**PAGE_REFERENCES, **{key: names for key, names in LIFECYCLE_USER_FIELDS.items()}}
    references["session_mediators"] = ("user",)
    wanted: dict[type, set] = {}
    for key, names in references.items():
        for name in names:
            model = querysets[key]._meta.get_field(name).related_model
            wanted.setdefault(model, set()).update(
                pk for obj in rows[key] if (pk := getattr(obj, f"{name}_id")) is not None
            )
    loaded = load_together(
        {model._meta.label: model.objects.filter(pk__in=ids) for model, ids in wanted.items() if ids}
    )
    by_model = {model: {obj.pk: obj for obj in loaded.get(model._meta.label, [])} for model in wanted}
    for key, names in PAGE_REFERENCES.items():
        for name in names:
            attach(rows[key], name, by_model[querysets[key]._meta.get_field(name).related_model])
    set_prefetched(case, "assignments", rows["assignments"])
    set_prefetched(case, "parties", rows["parties"])
    for party in rows["parties"]:
        party.case = case
    rows["users"] = by_model.get(User, {})
    return rows


# What each of the page's own rows shows of the rows it points to (the sections' select_related).
PAGE_REFERENCES = {
    "assignments": ("mediator", "assigned_by"),
    "attachments": ("uploaded_by",),
    "timeline": ("actor",),
    "route": ("rule", "channel", "center", "suggested_channel", "suggested_center"),
    "summonses": ("department", "summoned_by", "responded_by"),
    "messages": ("author", "attachment"),
}


def _timeline_item(event: TimelineEvent) -> dict:
    # The times written here rather than by two ``|date`` filters per row (the filters cost ~2 ms on 50 rows);
    # the same values: the current time zone, ISO 8601 for the attribute.
    at = timezone.localtime(event.created_at)
    return {
        "event": event,
        "label": label_for(event.type),
        "iso": at.isoformat(),
        "at": at.strftime("%Y-%m-%d %H:%M"),
    }


def _steps(case: Case, lifecycle, events: list[dict], warning_summary) -> list[dict]:
    """The step bar: each step with its state (done, current, ahead) and when it happened."""
    first: dict[str, object] = {}
    for item in reversed(events):  # oldest first: a step's time is its first event's
        for step, codes in STEP_EVENTS.items():
            if item["event"].type in codes and step not in first:
                first[step] = item["event"].created_at
    known = {
        "accept": case.accepted_at,
        "route": case.routed_at,
        "resolve": case.concluded_at,
        "evaluate": lifecycle.evaluation.created_at if lifecycle.evaluation else None,
        "close": case.closed_at,
    }
    visits = [v.visited_at for v in lifecycle.follow_ups if v.is_done]
    if visits:
        known["follow_up"] = min(visits)
    done_anyway = {"warn": case.warning_level > 0, "supervise": bool(warning_summary.open_orders)}
    current = CURRENT_STEP.get(case.status)
    if case.status == Status.CONCLUDED and not case.center.require_evaluation:
        current = "close"
    if case.status == Status.CLOSED and any(not v.is_done for v in lifecycle.follow_ups):
        current = "follow_up"
    steps = []
    for code, label in STEPS:
        at = first.get(code) or known.get(code)
        state = "current" if code == current else "done" if at or done_anyway.get(code) else "ahead"
        local = timezone.localtime(at) if at else None
        steps.append(
            {"code": code, "label": label, "state": state, "at": local.strftime("%m-%d") if local else ""}
        )
    return steps


def _ordered_actions(lifecycle, actions: set[str]) -> list[str]:
    """The lifecycle actions in the order the work goes, the next one first: with the agreement signed by
    everyone (in effect) that is 终结调解, and 制作调解协议书 is not offered again; with a draft waiting for
    signatures, the signing."""
    agreement = lifecycle.agreement
    shown = [a for a in ACTION_ORDER if a in actions]
    if agreement is not None and agreement.is_effective:
        shown = [a for a in shown if a != "edit_agreement"]
        if "conclude" in shown:
            shown.remove("conclude")
            shown.insert(0, "conclude")
    elif agreement is not None and "sign_agreement" in shown:
        shown.remove("sign_agreement")
        shown.insert(0, "sign_agreement")
    elif lifecycle.sessions and "edit_agreement" in shown:
        shown.remove("edit_agreement")
        shown.insert(0, "edit_agreement")
    return shown


def case_page(case: Case, user: User, *, full_timeline: bool = False, tab: str = "") -> dict:
    """The template context of the case page of ``case`` (from ``case_page_queryset``, visible to ``user``),
    with ``tab`` open (an unknown one opens 概况)."""
    # A long-running case can carry hundreds of events; the page shows the newest ones unless asked.
    rows = _page_rows(case, user, full_timeline=full_timeline)
    active = [a for a in rows["assignments"] if a.ended_at is None]
    writable = can_change_loaded(user, case, active_assignments=active, user_grants=rows["user_grants"])
    parties = rows["parties"]
    lifecycle = lifecycle_from(case, rows, users=rows["users"], parties=parties)
    # lifecycle.selectors.is_case_mediator, from the loaded assignments and grants
    is_mediator = any(a.mediator_id == user.pk for a in active) or granted_loaded(
        user, user_grants=rows["user_grants"], group_grants=rows["group_grants"]
    )
    actions = actions_for(user, case, lifecycle, is_mediator=is_mediator)
    # The documents and the evidence sections both list them.
    attachments = rows["attachments"]
    events = [_timeline_item(event) for event in rows["timeline"]]
    timeline_truncated = not full_timeline and len(events) > TIMELINE_PAGE
    intake = intake_section(case, attachments=attachments, can_upload=writable, related=rows["ties"])
    warning_summary = case_warning_summary(case, user, clocks=rows["clocks"], open_orders=rows["open_orders"])
    return {
        "case": case,
        "parties": parties,
        "attachments": attachments,
        "events": events[:TIMELINE_PAGE] if timeline_truncated else events,
        "timeline_truncated": timeline_truncated,
        "can_change": writable,
        # The reveal form on each party's card (shown to those who may change the case).
        "reveal_fields": RevealField.choices,
        "reveal_reasons": RevealReason.choices,
        "lifecycle": lifecycle,
        "actions": actions,
        "documents": documents_for(case, Viewer.STAFF, lifecycle=lifecycle),
        "outcome_label": Outcome(case.outcome).label if case.outcome in Outcome.values else "",
        "waiting_for_evaluation": case.status == Status.CONCLUDED
        and case.center.require_evaluation
        and "evaluate" not in actions,
        # The sections of the other sub-domains, each built by its own selector.
        "routing": routing_section(
            case,
            user,
            writable=writable,
            loaded={"route": rows["route"][0] if rows["route"] else None, "summonses": rows["summonses"]},
        ),
        "intake": intake,
        "upload_form": AttachmentUploadForm() if intake.can_upload else None,
        "conversation": conversation_section(case, can_post=writable, messages=rows["messages"]),
        "identity": identity_section(case, user, parties=parties),
        "warning_summary": warning_summary,
        "countdown": warning_summary.countdown,
        "steps": _steps(case, lifecycle, events, warning_summary),
        "ordered_actions": _ordered_actions(lifecycle, actions),
        # Apps built on cases (settings.CASE_PAGE_SECTIONS), shown in the documents area.
        "extra_sections": [
            section
            for section in (
                import_string(path)(case, user, lifecycle=lifecycle, parties=parties, actions=actions)
                for path in settings.CASE_PAGE_SECTIONS
            )
            if section is not None
        ],
        "tabs": CASE_TABS,
        "active_tab": tab if tab in TAB_CODES else "overview",
    }
