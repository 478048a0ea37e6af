"""研判预警: risk signals raised across cases, worked like cases, on a timeline of their own.

A signal is keyed by what it watches (``key``): a place × dispute type cell, a respondent, or a place's
group-incident precursors. At most one signal per key is not closed (a partial unique constraint), so a
rerun of the detection updates the open signal instead of raising a second one. Signals are never deleted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.core.models import WarningLevel


class RiskSignal(models.Model):
    class Kind(models.TextChoices):
        CELL = "cell", _("地区×类型激增")
        RESPONDENT = "respondent", _("同一被申请人集中")
        GROUP = "group", _("群体性事件苗头")

    class State(models.TextChoices):
        OPEN = "open", _("待签收")
        ACKNOWLEDGED = "acknowledged", _("已签收")
        CONFERENCED = "conferenced", _("已会商")
        CLOSED = "closed", _("已办结")

    key = models.CharField(max_length=200)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    level = models.PositiveSmallIntegerField(
        _("等级"), choices=WarningLevel.choices, default=WarningLevel.BLUE
    )
    center = models.ForeignKey(
        "accounts.Center", verbose_name=_("所属中心"), on_delete=models.PROTECT, related_name="risk_signals"
    )
    dispute_type = models.ForeignKey(
        "cases.DisputeType", verbose_name=_("纠纷类型"), null=True, blank=True, on_delete=models.PROTECT
    )
    respondent_name = models.CharField(_("被申请人"), max_length=100, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    reason = models.TextField(_("研判依据"))
    count_7 = models.PositiveIntegerField(_("近7日件数"), default=0)
    count_30 = models.PositiveIntegerField(_("近30日件数"), default=0)
    open_count = models.PositiveIntegerField(_("在办件数"), default=0)
    baseline_weekly = models.FloatField(_("基线（件/周）"), default=0)
    active = models.BooleanField(_("条件仍成立"), default=True)
    cases = models.ManyToManyField("cases.Case", through="SignalCase", related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="risk_signals",
    )
    conclusion = models.TextField(_("研判结论"), blank=True)
    first_detected_at = models.DateTimeField(_("首次发现"), default=timezone.now)
    last_detected_at = models.DateTimeField(_("最近检测"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("风险信号")
        verbose_name_plural = _("风险信号")
        ordering = ["-level", "-last_detected_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(state="closed"), name="risk_one_open_signal_per_key"
            )
        ]
        indexes = [models.Index(fields=["center", "state", "-level"], name="risk_signal_center_state")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state != self.State.CLOSED


class SignalCase(models.Model):
    """A case that makes up a signal; kept when the case no longer counts, so the evidence stays."""

    signal = models.ForeignKey(RiskSignal, on_delete=models.CASCADE, related_name="signal_cases")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="risk_signal_links")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["signal", "case"], name="risk_signal_case_once")]

    def __str__(self) -> str:
        return f"{self.signal_id}:{self.case_id}"


class SignalEvent(models.Model):
    """The signal's timeline: one row per change, with its actor (None: the detection run)."""

    signal = models.ForeignKey(RiskSignal, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("事件"), max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["signal", "created_at"], name="risk_event_signal_time")]

    def __str__(self) -> str:
        return f"{self.signal_id} {self.type}"


class SignalConference(models.Model):
    """会商研判 on a signal: the case conference record (cases.warnings) it was held as, with the signal."""

    signal = models.ForeignKey(RiskSignal, on_delete=models.CASCADE, related_name="conferences")
    conference = models.OneToOneField(
        "cases.CaseConference", on_delete=models.PROTECT, related_name="risk_signal_link"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.signal_id} {self.conference_id}"


class FollowUpTask(models.Model):
    """A follow-up task decided at a conference, with its owner and deadline."""

    signal = models.ForeignKey(RiskSignal, on_delete=models.CASCADE, related_name="tasks")
    conference = models.ForeignKey(
        SignalConference, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    title = models.CharField(_("任务"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(_("完成期限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    result = models.TextField(_("完成情况"), blank=True)

    class Meta:
        ordering = ["due_at", "pk"]

    def __str__(self) -> str:
        return self.title


class CellSnapshot(models.Model):
    """The last detection run's figures for one town × dispute type: what the heat grid and trends show."""

    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    dispute_type = models.ForeignKey("cases.DisputeType", on_delete=models.CASCADE, related_name="+")
    weekly = models.JSONField(default=list)  # new cases per week, newest first (week 0 = last 7 days)
    count_7 = models.PositiveIntegerField(default=0)
    count_30 = models.PositiveIntegerField(default=0)
    baseline_weekly = models.FloatField(default=0)
    rise = models.FloatField(default=0)  # count_7 / baseline (baseline floored at RISK_MIN_BASELINE)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["center", "dispute_type"], name="risk_cell_snapshot_once")
        ]

    def __str__(self) -> str:
        return f"{self.center_id}×{self.dispute_type_id}"


class RespondentSnapshot(models.Model):
    """The last run's respondents with two or more open cases: the page's top respondents."""

    key = models.CharField(max_length=200)
    name = models.CharField(max_length=100)
    open_count = models.PositiveIntegerField(default=0)
    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE, related_name="+")
    case_ids = models.JSONField(default=list)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["center", "-open_count"], name="risk_resp_center_count")]

    def __str__(self) -> str:
        return self.name


class PrecursorSnapshot(models.Model):
    """The last run's group-incident precursors over one subtree (``root``: a center's id, or ``all``): the
    places and the masked people coming back, as the 研判 page shows them (risk/precursors.py)."""

    root = models.CharField(max_length=12, unique=True)
    places = models.JSONField(default=list)
    people = models.JSONField(default=list)
    days = models.PositiveSmallIntegerField(default=90)
    computed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.root


def type_label(dispute_type) -> str:
    """The dispute type's name in the reader's language (the taxonomy keeps an English name beside it)."""
    from django.utils.translation import get_language

    if dispute_type is None:
        return ""
    english = (get_language() or "").startswith("en") and dispute_type.name_en
    return dispute_type.name_en if english else dispute_type.name


def center_label(center) -> str:
    return center.short_name or center.name


def explain(signal: RiskSignal) -> str:
    """Why the signal was raised, in the reader's language, from the signal's own figures."""
    from django.utils.translation import gettext

    place = center_label(signal.center)
    if signal.kind == RiskSignal.Kind.CELL:
        return gettext(
            "%(place)s %(type)s 近7日 %(k7)s 件，近30日 %(k30)s 件，过去 12 周平均 %(base)s 件/周"
        ) % {
            "place": place,
            "type": type_label(signal.dispute_type) if signal.dispute_type_id else "",
            "k7": signal.count_7,
            "k30": signal.count_30,
            "base": f"{signal.baseline_weekly:.1f}",
        }
    if signal.kind == RiskSignal.Kind.RESPONDENT:
        return gettext("被申请人“%(name)s”在办案件 %(n)s 件（%(place)s），达到集中预警阈值") % {
            "name": signal.respondent_name,
            "n": signal.open_count,
            "place": place,
        }
    return gettext("%(place)s 近30日 集体访、群体性事件风险、越级上访或重复访案件 %(n)s 件") % {
        "place": place,
        "n": signal.count_30,
    }


def title_of(signal: RiskSignal) -> str:
    from django.utils.translation import gettext

    place = center_label(signal.center)
    if signal.kind == RiskSignal.Kind.CELL:
        return gettext("%(place)s %(type)s 案件激增") % {
            "place": place,
            "type": type_label(signal.dispute_type) if signal.dispute_type_id else "",
        }
    if signal.kind == RiskSignal.Kind.RESPONDENT:
        return gettext("被申请人“%(name)s”案件集中") % {"name": signal.respondent_name}
    return gettext("%(place)s 群体性事件苗头") % {"place": place}


class DetectionRun(models.Model):
    """One row: the detection run locks it first, so concurrent runs take turns; it keeps the last summary."""

    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.finished_at}"
