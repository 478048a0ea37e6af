"""Mediation work on a case: sessions, the agreement, termination, evaluation and follow-up visits."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.core.states import Outcome  # re-exported: the status machine states the ends

__all__ = [
    "SessionOutcome",
    "Outcome",
    "MediationSession",
    "Agreement",
    "AgreementTerm",
    "AgreementSignature",
    "OralAgreement",
    "TerminationNotice",
    "Evaluation",
    "ReviewerDesignation",
    "FollowUpVisit",
    "Satisfaction",
]


class SessionOutcome(models.TextChoices):
    AGREED = "agreed", _("达成一致")
    PARTIAL = "partial", _("部分达成")
    FAILED = "failed", _("未达成一致")


class MediationSession(models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("现场调解")
        ONLINE = "online", _("线上调解")
        PHONE = "phone", _("电话调解")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="sessions")
    started_at = models.DateTimeField(_("调解时间"))
    mode = models.CharField(_("方式"), max_length=16, choices=Mode.choices, default=Mode.IN_PERSON)
    place = models.CharField(_("地点或线上会议"), max_length=200, blank=True)
    parties = models.ManyToManyField(
        "cases.Party", verbose_name=_("参加的当事人"), blank=True, related_name="sessions"
    )
    mediators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("参加的调解员"), blank=True, related_name="+"
    )
    other_participants = models.CharField(
        _("其他参加人员"), max_length=300, blank=True, help_text=_("如部门工作人员、律师、见证人。")
    )
    discussion = models.TextField(_("调解经过"))
    result = models.TextField(_("调解结果"), blank=True)
    outcome = models.CharField(
        _("本次调解结论"),
        max_length=16,
        choices=SessionOutcome.choices,
        blank=True,
        help_text=_("未达成一致的调解次数计入风险等级（多次调解不成）。"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("调解记录")
        verbose_name_plural = _("调解记录")
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.started_at:%Y-%m-%d}"


class Agreement(models.Model):
    """A written mediation agreement (调解协议书, art. 29); effective once every party, the mediator and the seal are on it."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="agreements")
    facts = models.TextField(_("纠纷的主要事实"))
    issues = models.TextField(_("争议事项"))
    responsibilities = models.TextField(_("各方当事人的责任"))
    mediator_signed_at = models.DateTimeField(_("调解员签名时间"), null=True, blank=True)
    mediator_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签名调解员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sealed_at = models.DateTimeField(_("加盖调委会印章时间"), null=True, blank=True)
    effective_on = models.DateField(_("生效日期"), null=True, blank=True)
    voided = models.BooleanField(_("已作废"), default=False)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("调解协议书")
        verbose_name_plural = _("调解协议书")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.pk}"

    @property
    def is_effective(self) -> bool:
        return self.effective_on is not None

    @property
    def confirmation_deadline(self) -> date | None:
        """Last day to apply for judicial confirmation (人民调解法 art. 33: within 30 days of taking effect)."""
        if self.effective_on is None:
            return None
        from cases.core.workcalendar import WorkCalendar  # the one place that counts days (民诉法 art. 85)

        return WorkCalendar().add_calendar_days(self.effective_on, settings.JUDICIAL_CONFIRMATION_DAYS)

    def confirmation_days_left(self, today: date | None = None) -> int | None:
        deadline = self.confirmation_deadline
        if deadline is None:
            return None
        return (deadline - (today or timezone.localdate())).days


class AgreementTerm(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="terms")
    order = models.PositiveSmallIntegerField(_("序号"), default=1)
    content = models.TextField(_("协议内容"))
    performance = models.CharField(_("履行方式"), max_length=200)
    due_on = models.DateField(_("履行期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("协议条款")
        verbose_name_plural = _("协议条款")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.order}. {self.content[:20]}"


class AgreementSignature(models.Model):
    class Method(models.TextChoices):
        PAPER = "paper", _("纸质签名")
        # 电子签名法 art. 13–14: the evidence (code, device, the signed PDF's hash) is kept by the online app.
        ELECTRONIC = "electronic", _("电子签名")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    party = models.ForeignKey("cases.Party", on_delete=models.CASCADE, related_name="+")
    signed_at = models.DateTimeField(_("签名时间"))
    method = models.CharField(_("签名方式"), max_length=16, choices=Method.choices, default=Method.PAPER)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("当事人签名")
        verbose_name_plural = _("当事人签名")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "party"], name="agreement_signature_once")
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}/{self.party_id}"


class OralAgreement(models.Model):
    """An oral agreement (art. 28): recorded with its content instead of a signed document."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="oral_agreements")
    content = models.TextField(_("口头协议内容"))
    agreed_on = models.DateField(_("达成日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("口头调解协议")
        verbose_name_plural = _("口头调解协议")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.agreed_on}"


class TerminationNotice(models.Model):
    """终止调解通知书 (art. 26): why mediation ended and which routes remain open to the parties."""

    class Route(models.TextChoices):
        ARBITRATION = "arbitration", _("申请仲裁")
        ADMINISTRATIVE = "administrative", _("申请行政处理")
        COURT = "court", _("向人民法院提起诉讼")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="termination_notices")
    outcome = models.CharField(_("终结情形"), max_length=24, choices=Outcome.choices)
    reason = models.TextField(_("终止理由"))
    routes = models.JSONField(_("告知的其他途径"), default=list)
    issued_on = models.DateField(_("发出日期"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("终止调解通知书")
        verbose_name_plural = _("终止调解通知书")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.issued_on}"

    def route_labels(self) -> list[str]:
        return [str(self.Route(code).label) for code in self.routes if code in self.Route.values]


class Evaluation(models.Model):
    """评估: a supervisor's or designated reviewer's rating of the handling, required before closing."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="evaluations")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评估人"), on_delete=models.SET_NULL, null=True
    )
    outcome_correct = models.BooleanField(_("处理结果正确"))
    documents_complete = models.BooleanField(_("文书材料齐全"))
    on_time = models.BooleanField(_("按期办结"))
    comment = models.TextField(_("评估意见"))
    created_at = models.DateTimeField(_("评估时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("案件评估")
        verbose_name_plural = _("案件评估")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.created_at:%Y-%m-%d}"


class ReviewerDesignation(models.Model):
    """A reviewer a supervisor designated to evaluate this case in their place."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="reviewers")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评估人"), on_delete=models.CASCADE, related_name="+"
    )
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("指定评估人")
        verbose_name_plural = _("指定评估人")
        constraints = [models.UniqueConstraint(fields=["case", "reviewer"], name="reviewer_once_per_case")]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.reviewer_id}"


class Satisfaction(models.IntegerChoices):
    """The government five-point scale (好差评)."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    FAIRLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


class FollowUpVisit(models.Model):
    """回访: scheduled on closing (a due date), then recorded when made."""

    class Reason(models.TextChoices):
        AFTER_CLOSING = "after_closing", _("结案回访")
        TERM_DEADLINE = "term_deadline", _("协议履行期限前回访")

    class Method(models.TextChoices):
        PHONE = "phone", _("电话回访")
        IN_PERSON = "in_person", _("上门回访")
        ONLINE = "online", _("线上回访")

    class Performance(models.TextChoices):
        PERFORMED = "performed", _("已履行")
        PERFORMING = "performing", _("正在履行")
        BROKEN = "broken", _("未履行/反悔")
        NOT_APPLICABLE = "na", _("无协议需履行")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="follow_ups")
    reason = models.CharField(_("回访事由"), max_length=20, choices=Reason.choices)
    term = models.ForeignKey(
        AgreementTerm, verbose_name=_("协议条款"), null=True, blank=True, on_delete=models.SET_NULL
    )
    due_on = models.DateField(_("应回访日期"))
    visited_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("回访人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    method = models.CharField(_("回访方式"), max_length=16, choices=Method.choices, blank=True)
    party = models.ForeignKey(
        "cases.Party",
        verbose_name=_("回访对象"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    performance = models.CharField(_("协议履行情况"), max_length=16, choices=Performance.choices, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("满意度"), choices=Satisfaction.choices, null=True, blank=True
    )
    notes = models.TextField(_("回访情况"), blank=True)
    reopened_case = models.BooleanField(_("因未履行重新启动调解"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["due_on", "pk"]
        indexes = [
            # The dashboard's overdue visits and 回访满意率 read these indexes alone (case and satisfaction
            # included), hash-joined to the subtree's case ids.
            models.Index(
                fields=["due_on"],
                include=["case", "id"],
                condition=models.Q(visited_at__isnull=True),
                name="follow_up_pending_due",
            ),
            models.Index(
                fields=["visited_at"],
                include=["case", "satisfaction"],
                condition=models.Q(visited_at__isnull=False),
                name="follow_up_visited",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.due_on}"

    @property
    def is_done(self) -> bool:
        return self.visited_at is not None

    def is_overdue(self, today: date | None = None) -> bool:
        return not self.is_done and self.due_on < (today or timezone.localdate())
