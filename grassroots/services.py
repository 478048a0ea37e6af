"""Grassroots services: a quick record (随手录), a dispute or latent risk reported up (实时报立), closing a
risk, screening rounds (排查). Each is one ``@entry_point``; a quick record composes the services of
``cases`` and ``routing`` (their ``.step`` forms) so each step the law needs writes its own timeline event."""

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Center, User
from cases.core.attachments import safe_name, validate_upload
from cases.core.models import Case, Source
from cases.core.states import Status
from cases.core.workcalendar import one_reference_version
from cases.intake.services import CaseData, register_case
from cases.lifecycle.services import register_and_close_case
from mediation_center.errors import DomainError, NotAllowed
from mediation_center.transactions import entry_point
from routing import events as routing_events
from routing.models import CaseAssignment, Channel, RouteDecision
from routing.rules import RouteSuggestion, suggest_route
from routing.services import routed_event_data

from . import events
from .access import can_close_risk, may_report_task, may_schedule_rounds, recording_centers, supervises_center
from .models import (
    Entry,
    GridArea,
    LatentRisk,
    RiskEvent,
    RiskLevel,
    RiskPhoto,
    ScreeningRound,
    ScreeningTask,
)


def _required(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, code="invalid")
    return value


def _check_center(actor: User, center: Center) -> None:
    if center.pk not in {c.pk for c in recording_centers(actor)}:
        raise NotAllowed(_("只有本村（社区）、本镇（街道）的网格员和调解员可以随手录或上报。"))


def _check_photos(photos) -> None:
    for photo in photos:
        try:
            validate_upload(photo)
        except ValidationError as error:
            raise DomainError(error.messages[0], code="invalid_file") from error


@dataclass(frozen=True)
class _Submission:
    earlier: Entry | LatentRisk | None  # a resend of a submission already stored
    grid_area_id: int | None  # the sender's grid area in the center, if any


def _submission(model, client_token: str | None, actor: User, center: Center) -> _Submission:
    """In one read: what is already stored under the resend token (the phone lost the answer, not the
    request) and the sender's grid area here. A resend reads the stored row too."""
    owner = "recorded_by_id" if model is Entry else "reported_by_id"
    earlier = model.objects.filter(client_token=client_token) if client_token else model.objects.none()
    grid_area = GridArea.objects.filter(center=OuterRef("pk"), workers=actor).order_by("pk")
    row = (
        Center.objects.filter(pk=center.pk)
        .values(
            grid_area_id=Subquery(grid_area.values("pk")[:1]),
            earlier_id=Subquery(earlier.values("pk")[:1]),
            earlier_owner=Subquery(earlier.values(owner)[:1]),
        )
        .first()
    ) or {"grid_area_id": None, "earlier_id": None, "earlier_owner": None}
    if row["earlier_id"] is None:
        return _Submission(None, row["grid_area_id"])
    if row["earlier_owner"] != actor.pk:
        raise DomainError(_("提交编号已被使用，请刷新页面后重新填写。"), code="token_used")
    return _Submission(model.objects.get(pk=row["earlier_id"]), row["grid_area_id"])


def _quick_route(case) -> tuple[Channel, RouteSuggestion]:
    """The channel routing suggests, unless it would hand the case to somebody else (auto-assignment)."""
    suggestion = suggest_route(case)
    channel = suggestion.channel
    if channel.auto_assign:
        channel = Channel.objects.filter(auto_assign=False).order_by("ordering", "code").first() or channel
    return channel, suggestion


def _routed_here(case, *, actor: User, channel: Channel, suggestion: RouteSuggestion) -> tuple[list, list]:
    """What ``route_case`` and a claim leave for a case routed to its own center's channel and taken by the
    recorder: routing's decision and the lead assignment (rows), the 分流 and 现场受理调解 events (all
    returned unsaved, for ``register_and_close_case`` to write with the others)."""
    center = case.center
    rule = suggestion.rule
    overridden = (
        channel.pk != suggestion.channel.pk
        or center.pk != suggestion.center.pk
        or bool(suggestion.departments)
    )
    reason = _("随手调：纠纷已在现场化解，由本级登记办结")
    decision = RouteDecision(
        case=case,
        rule=rule,
        rule_name=rule.name if rule else "",
        explanation=suggestion.explanation,
        suggested_channel=suggestion.channel,
        suggested_center=suggestion.center,
        channel=channel,
        center=center,
        priority=suggestion.priority,
        overridden=overridden,
        override_reason=reason if overridden else "",
        decided_by=actor,
    )
    assignment = CaseAssignment(
        case=case, mediator=actor, is_lead=True, how="claim", assigned_by=actor, reason=_("随手调")
    )
    routed = routed_event_data(
        suggestion,
        channel=channel,
        center=center,
        from_center=center,
        overridden=overridden,
        departments=[],
        priority=suggestion.priority,
        reason=reason,
    )
    return [decision, assignment], [
        (routing_events.ROUTED, routed),
        (events.ON_SPOT_TAKEN, {"mediator": str(actor), "mediator_id": actor.pk}),
    ]


@entry_point
@one_reference_version()
def record_quick(
    *,
    actor: User,
    center: Center,
    data: CaseData,
    agreement: str,
    photos: list[UploadedFile] | tuple = (),
    client_token: str | None = None,
) -> Entry:
    """随手录: a dispute settled on the spot becomes a case with its own number, registered, routed to this
    center, taken by the recorder, its on-the-spot session recorded, concluded with an oral agreement and
    closed (evaluation waived for the simple procedure), with a follow-up visit scheduled as for any closed
    case. One timeline event per step, all written by ``register_and_close_case`` at once."""
    submission = _submission(Entry, client_token, actor, center)
    if submission.earlier is not None:
        return submission.earlier
    _check_center(actor, center)
    agreement = _required(agreement, _("请填写当场达成的协议内容。"))
    if len(data.parties) < 1:
        raise DomainError(_("请至少填写一名当事人。"), code="invalid")
    _check_photos(photos)
    data.source = Source.GRID
    # Routing's suggestion for the case as it will be registered (its rules read the case's own fields).
    as_registered = Case(
        center=center, origin_center=center, dispute_type=data.dispute_type, source=data.source
    )
    for name in (
        "summary",
        "claims",
        "amount",
        "people_count",
        "place",
        "is_group",
        "police_calls",
        "risk_violence",
        "risk_mass_incident",
        "risk_upward_petition",
    ):
        setattr(as_registered, name, getattr(data, name))  # fmt: skip
    channel, suggestion = _quick_route(as_registered)
    entry = Entry(
        kind=Entry.Kind.QUICK_RECORD,
        grid_area_id=submission.grid_area_id,
        recorded_by=actor,
        client_token=client_token or None,
    )

    def routed_and_entered(case, ids: list[int]) -> tuple[list, list]:
        rows, steps = _routed_here(case, actor=actor, channel=channel, suggestion=suggestion)
        entry.pk, entry.case = ids[0], case
        return [*rows, entry], steps

    register_and_close_case(
        center=center,
        actor=actor,
        data=data,
        channel=channel,
        priority=suggestion.priority,
        session_result=agreement,
        oral_content=agreement,
        summary=_("随手调现场化解，达成口头协议：%(agreement)s") % {"agreement": agreement},
        evaluation_waived=_("随手调简易程序：现场化解，达成口头协议"),
        attachments=photos,
        before_session=routed_and_entered,
        reserve_for=[Entry],
    )
    return entry


@entry_point
def report_dispute(
    *,
    actor: User,
    center: Center,
    to_center: Center | None = None,
    data: CaseData,
    photos: list[UploadedFile] | tuple = (),
    client_token: str | None = None,
) -> Entry:
    """实时报立: a dispute that cannot be settled on the spot waits in the intake list of the village or the
    town above it (``to_center``), as an online application does (待受理: accepted, routed or refused with a
    reason there)."""
    submission = _submission(Entry, client_token, actor, center)
    if submission.earlier is not None:
        return submission.earlier
    _check_center(actor, center)
    target = to_center or center
    if target.pk not in {center.pk, center.parent_id}:
        raise DomainError(_("只能上报到本村（社区）或上一级镇（街道）。"), code="invalid")
    _check_photos(photos)
    data.source = Source.GRID
    case = register_case.step(
        center=target, actor=actor, data=data, status=Status.SUBMITTED, attachments=photos
    )
    return Entry.objects.create(
        kind=Entry.Kind.REPORT,
        case=case,
        grid_area_id=submission.grid_area_id,
        recorded_by=actor,
        client_token=client_token or None,
    )


def _store_photo(risk: LatentRisk, upload: UploadedFile) -> RiskPhoto:
    name = safe_name(upload.name or "photo")
    photo = RiskPhoto(
        risk=risk,
        token=secrets.token_urlsafe(16),
        original_name=name,
        content_type=(getattr(upload, "content_type", "") or "")[:100],
        size=upload.size,
    )
    photo.file.save(name, upload, save=False)
    photo.save()
    return photo


@dataclass
class RiskData:
    summary: str
    place: str
    level: int = RiskLevel.BLUE
    people_count: int = 1


@entry_point
def report_risk(
    *,
    actor: User,
    center: Center,
    data: RiskData,
    photos: list[UploadedFile] | tuple = (),
    client_token: str | None = None,
) -> LatentRisk:
    """A latent risk (隐患) reported from the phone form: a watched item of its own, with its level."""
    submission = _submission(LatentRisk, client_token, actor, center)
    if submission.earlier is not None:
        return submission.earlier
    _check_center(actor, center)
    if data.level not in RiskLevel.values:
        raise DomainError(_("请选择隐患等级。"), code="invalid")
    _check_photos(photos)
    risk = LatentRisk.objects.create(
        center=center,
        grid_area_id=submission.grid_area_id,
        summary=_required(data.summary, _("请填写隐患情况。")),
        place=_required(data.place, _("请填写地点。")),
        people_count=max(1, data.people_count or 1),
        level=data.level,
        reported_by=actor,
        client_token=client_token or None,
    )
    stored = [_store_photo(risk, p) for p in photos]
    RiskEvent.objects.create(
        risk=risk,
        type=events.RISK_REPORTED,
        actor=actor,
        data={"level": risk.level, "photos": len(stored)},
    )
    return risk


def _lock_risk(risk: LatentRisk) -> LatentRisk:
    return LatentRisk.objects.select_for_update().get(pk=risk.pk)


@entry_point
def change_risk_level(risk: LatentRisk, *, actor: User, level: int, reason: str) -> LatentRisk:
    risk = _lock_risk(risk)
    if not can_close_risk(actor, risk):
        raise NotAllowed(_("只有本级或上级督办人员可以调整隐患等级。"))
    if risk.status != LatentRisk.Status.OPEN:
        raise DomainError(_("隐患已销号，不能再调整等级。"), code="closed")
    if level not in RiskLevel.values:
        raise DomainError(_("请选择隐患等级。"), code="invalid")
    if level == risk.level:
        raise DomainError(_("等级没有变化。"), code="unchanged")
    reason = _required(reason, _("请说明调整等级的理由。"))
    previous, risk.level = risk.level, level
    risk.save(update_fields=["level"])
    RiskEvent.objects.create(
        risk=risk,
        type=events.RISK_LEVEL_CHANGED,
        actor=actor,
        data={"from": previous, "to": level, "reason": reason},
    )
    return risk


@entry_point
def close_risk(risk: LatentRisk, *, actor: User, conclusion: str) -> LatentRisk:
    """销号: a supervisor closes a latent risk with a conclusion."""
    risk = _lock_risk(risk)
    if not can_close_risk(actor, risk):
        raise NotAllowed(_("只有本级或上级督办人员可以对隐患销号。"))
    if risk.status != LatentRisk.Status.OPEN:
        raise DomainError(_("该隐患已销号。"), code="closed")
    risk.conclusion = _required(conclusion, _("请填写销号结论。"))
    risk.status = LatentRisk.Status.CLOSED
    risk.closed_by = actor
    risk.closed_at = timezone.now()
    risk.save(update_fields=["conclusion", "status", "closed_by", "closed_at"])
    RiskEvent.objects.create(
        risk=risk, type=events.RISK_CLOSED, actor=actor, data={"conclusion": risk.conclusion}
    )
    return risk


# --- screening rounds (排查) ----------------------------------------------------------------------


@entry_point
def schedule_round(
    *,
    actor: User,
    center: Center,
    title: str,
    kind: str,
    due_on,
    checklist: str = "",
    reference_list=None,
    assignees: list[Center] = (),
    departments=(),
) -> ScreeningRound:
    """A supervisor schedules a round for villages (centers below theirs) and departments, with a checklist
    (typed, or taken from one of the reference lists)."""
    if not may_schedule_rounds(actor) or not supervises_center(actor, center):
        raise NotAllowed(_("只有督办人员可以安排排查任务。"))
    if kind not in ScreeningRound.Kind.values:
        raise DomainError(_("请选择排查类别。"), code="invalid")
    text = (checklist or "").strip() or (reference_list.items if reference_list else "")
    text = _required(text, _("请填写排查清单或选择参考清单。"))
    assignees, departments = list(assignees), list(departments)
    if not assignees and not departments:
        raise DomainError(_("请至少选择一个排查单位。"), code="invalid")
    if any(not c.path.startswith(center.path) for c in assignees) or any(
        not d.center.path.startswith(center.path) for d in departments
    ):
        raise DomainError(_("排查单位须在本中心辖区内。"), code="invalid")
    if due_on < timezone.localdate():
        raise DomainError(_("完成期限不能早于今天。"), code="invalid")
    round_ = ScreeningRound.objects.create(
        title=_required(title, _("请填写排查名称。")),
        kind=kind,
        center=center,
        checklist=text,
        reference_list=reference_list,
        due_on=due_on,
        created_by=actor,
    )
    ScreeningTask.objects.bulk_create(
        [ScreeningTask(round=round_, center=c) for c in assignees]
        + [ScreeningTask(round=round_, center=d.center, department=d) for d in departments]
    )
    return round_


@entry_point
def report_screening(
    task: ScreeningTask, *, actor: User, findings: list[str] = (), note: str = ""
) -> ScreeningTask:
    """An assignee reports its round: nothing found, or the items found (each then sent from the phone form
    as a quick record, a report or a risk)."""
    task = ScreeningTask.objects.select_for_update().select_related("round").get(pk=task.pk)
    if not may_report_task(actor, task):
        raise NotAllowed(_("只有排查单位的工作人员可以反馈排查结果。"))
    if task.status != ScreeningTask.Status.PENDING:
        raise DomainError(_("该排查任务已反馈。"), code="already_reported")
    findings = [f.strip() for f in findings if f and f.strip()]
    task.status = ScreeningTask.Status.FOUND if findings else ScreeningTask.Status.NOTHING_FOUND
    task.findings = findings
    task.note = (note or "").strip()
    task.reported_by = actor
    task.reported_at = timezone.now()
    task.save(update_fields=["status", "findings", "note", "reported_by", "reported_at"])
    return task
