"""Warnings: deadline policies and their clocks, levels, supervision."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.core.models import Case, WarningLevel

__all__ = [
    "DeadlinePolicy",
    "PolicyClock",
    "ClockTrigger",
    "ClockUnit",
    "CaseClock",
    "ClockPause",
    "ClockExtension",
    "WarningSetting",
    "WarningChange",
    "ManualRaise",
    "SupervisionOrder",
    "CaseConference",
    "Notification",
]


class ClockTrigger(models.TextChoices):
    REGISTERED = "registered", _("登记")
    ACCEPTED = "accepted", _("受理")
    ASSIGNED = "assigned", _("指派调解员")
    AGREEMENT_EFFECTIVE = "agreement_effective", _("协议生效")
    CONCLUDED = "concluded", _("化解/终结")
    CONFIRMATION_APPLIED = "confirmation_applied", _("申请司法确认")
    CLOSED = "closed", _("结案")


class ClockUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", _("自然日")
    WORKING_DAYS = "working_days", _("工作日")
    HOURS = "hours", _("小时")
    MINUTES = "minutes", _("分钟")


class DeadlinePolicy(models.Model):
    """Which clocks apply to a case: the most specific matching policy wins per clock code."""

    name = models.CharField(_("名称"), max_length=80)
    legal_basis = models.CharField(_("依据"), max_length=200, blank=True)
    channel = models.ForeignKey(
        "routing.Channel", verbose_name=_("调解渠道"), null=True, blank=True, on_delete=models.CASCADE
    )
    dispute_type = models.ForeignKey(
        "cases.DisputeType", verbose_name=_("纠纷类型"), null=True, blank=True, on_delete=models.CASCADE
    )
    source = models.CharField(_("来源"), max_length=20, blank=True, help_text=_("留空表示任何来源。"))
    active = models.BooleanField(_("启用"), default=True)
    code = models.SlugField(_("代码"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("期限规则")
        verbose_name_plural = _("期限规则")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def specificity(self) -> int:
        return bool(self.channel_id) + bool(self.dispute_type_id) + bool(self.source)


class PolicyClock(models.Model):
    policy = models.ForeignKey(DeadlinePolicy, on_delete=models.CASCADE, related_name="clocks")
    code = models.SlugField(
        _("时钟代码"), max_length=40, help_text=_("同一代码的时钟，以更具体的规则为准（如“办理期限”）。")
    )
    name = models.CharField(_("名称"), max_length=60)
    start_trigger = models.CharField(_("起算事件"), max_length=24, choices=ClockTrigger.choices)
    stop_trigger = models.CharField(_("停止事件"), max_length=24, choices=ClockTrigger.choices)
    length = models.PositiveIntegerField(_("期限长度"))
    unit = models.CharField(
        _("单位"), max_length=16, choices=ClockUnit.choices, default=ClockUnit.CALENDAR_DAYS
    )
    pausable = models.BooleanField(_("可中止计时（鉴定、听证）"), default=False)
    max_extensions = models.PositiveSmallIntegerField(_("可延长次数"), default=0)
    max_extension_length = models.PositiveIntegerField(_("每次最多延长（同单位）"), default=0)
    citizen_facing = models.BooleanField(_("向群众显示"), default=True)

    class Meta:
        verbose_name = _("期限时钟")
        verbose_name_plural = _("期限时钟")
        constraints = [models.UniqueConstraint(fields=["policy", "code"], name="policy_clock_code_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.length}{self.get_unit_display()}）"


class CaseClock(models.Model):
    """One running (or stopped) deadline of one case; due_at is recomputed whenever it changes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clocks")
    policy_clock = models.ForeignKey(PolicyClock, null=True, blank=True, on_delete=models.SET_NULL)
    code = models.SlugField(max_length=40)
    name = models.CharField(_("名称"), max_length=60)
    unit = models.CharField(_("单位"), max_length=16, choices=ClockUnit.choices)
    length = models.PositiveIntegerField(_("期限长度"))
    stop_trigger = models.CharField(_("停止事件"), max_length=24, choices=ClockTrigger.choices)
    pausable = models.BooleanField(default=False)
    max_extensions = models.PositiveSmallIntegerField(default=0)
    max_extension_length = models.PositiveIntegerField(default=0)
    citizen_facing = models.BooleanField(default=True)
    started_at = models.DateTimeField(_("起算时间"))
    due_at = models.DateTimeField(_("届满时间"))
    provisional = models.BooleanField(
        _("暂定"), default=False, help_text=_("期限跨越尚无官方放假安排的年度。")
    )
    paused_since = models.DateTimeField(_("中止自"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("停止时间"), null=True, blank=True)
    stop_reason = models.CharField(_("停止原因"), max_length=24, blank=True)

    class Meta:
        verbose_name = _("案件期限")
        verbose_name_plural = _("案件期限")
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="case_clock_code_unique")]
        # 按期办结率 counts handling clocks stopped in a period; the included columns answer it from the
        # index alone, hash-joined to the subtree's case ids.
        indexes = [
            models.Index(
                fields=["stopped_at"],
                include=["case", "due_at", "stop_reason"],
                condition=models.Q(code="handling", stopped_at__isnull=False),
                name="clock_handling_stopped",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.name}"

    @property
    def running(self) -> bool:
        return self.stopped_at is None

    @property
    def extended_length(self) -> int:
        return sum(e.length for e in self.extensions.all())

    @property
    def extension_count(self) -> int:
        return len(self.extensions.all())


class ClockPause(models.Model):
    clock = models.ForeignKey(CaseClock, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField(_("中止时间"))
    ended_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    reason = models.CharField(_("中止原因"), max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("期限中止")
        verbose_name_plural = _("期限中止")
        ordering = ["started_at"]

    def __str__(self) -> str:
        return self.reason


class ClockExtension(models.Model):
    clock = models.ForeignKey(CaseClock, on_delete=models.CASCADE, related_name="extensions")
    length = models.PositiveIntegerField(_("延长长度"))
    reason = models.CharField(_("延长理由"), max_length=300)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True, on_delete=models.SET_NULL
    )
    approved_at = models.DateTimeField(_("批准时间"), default=timezone.now)

    class Meta:
        verbose_name = _("期限延长")
        verbose_name_plural = _("期限延长")
        ordering = ["approved_at"]

    def __str__(self) -> str:
        return self.reason


class WarningSetting(models.Model):
    """One administrator-editable threshold; the defaults are seeded, code reads only through here."""

    key = models.SlugField(_("键"), max_length=60, unique=True)
    value = models.IntegerField(_("值"))
    label = models.CharField(_("说明"), max_length=120)

    class Meta:
        verbose_name = _("预警阈值")
        verbose_name_plural = _("预警阈值")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"


class WarningChange(models.Model):
    """One change of a case's warning level; (case, seq) is unique so a repeated sweep records nothing twice."""

    # (no index of its own: the unique (case, seq) below leads with the case)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="warning_changes", db_index=False)
    seq = models.PositiveIntegerField()
    from_level = models.PositiveSmallIntegerField(_("原等级"), choices=WarningLevel.choices)
    to_level = models.PositiveSmallIntegerField(_("新等级"), choices=WarningLevel.choices)
    basis = models.CharField(_("依据"), max_length=16)  # risk, time, supervision, manual
    reason = models.CharField(_("原因"), max_length=300)
    actor = models.ForeignKey(  # (indexed where set: the rules' changes, most, have no actor)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    response_due_at = models.DateTimeField(_("响应期限"), null=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("预警等级变更")
        verbose_name_plural = _("预警等级变更")
        ordering = ["-created_at", "-seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="warning_change_once")]
        indexes = [
            models.Index(
                fields=["actor"], condition=models.Q(actor__isnull=False), name="warning_change_actor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_level}->{self.to_level}"

    @property
    def escalated(self) -> bool:
        return self.to_level > self.from_level


class ManualRaise(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="manual_raises")
    level = models.PositiveSmallIntegerField(_("等级"), choices=WarningLevel.choices)
    reason = models.CharField(_("理由"), max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("人工调高预警")
        verbose_name_plural = _("人工调高预警")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reason


class SupervisionOrder(models.Model):
    """督办单: issued by a supervisor to a mediator or a channel, acknowledged, then reported back."""

    class State(models.TextChoices):
        ISSUED = "issued", _("待签收")
        ACKNOWLEDGED = "acknowledged", _("已签收")
        REPORTED = "reported", _("已反馈")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervision_orders")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervision_orders",
    )
    channel = models.ForeignKey(
        "routing.Channel", verbose_name=_("承办渠道"), null=True, blank=True, on_delete=models.PROTECT
    )
    instructions = models.TextField(_("督办要求"))
    deadline = models.DateTimeField(_("办理期限"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.ISSUED)
    created_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report = models.TextField(_("办理反馈"), blank=True)
    reported_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "deadline"], name="supervision_open_due")]

    def __str__(self) -> str:
        return f"{self.case} {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state != self.State.REPORTED

    def is_overdue(self, now=None) -> bool:
        return self.is_open and self.deadline < (now or timezone.now())


class CaseConference(models.Model):
    """会商研判: a joint conference on a case, with who took part and what was decided."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="conferences")
    held_at = models.DateTimeField(_("会商时间"))
    participants = models.TextField(_("参会人员与部门"))
    decisions = models.TextField(_("研判意见与决定"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("会商研判")
        verbose_name_plural = _("会商研判")
        ordering = ["-held_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_at:%Y-%m-%d}"


class Notification(models.Model):
    """An in-app message; e-mail goes out after commit and stays 'pending' until sent (the outbox)."""

    class EmailState(models.TextChoices):
        NONE = "none", _("无需发送")
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    email_to = models.EmailField(blank=True)
    email_state = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.NONE)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(email_state="pending"), name="notification_outbox"
            )
        ]

    def __str__(self) -> str:
        return self.title
