"""Citizen portal: one-time sign-in codes, consultations, case conversations, appointments, ratings."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.core.models import Attachment, Case, Party

__all__ = [
    "SignInCode",
    "SignInCodeGap",
    "Consultation",
    "CaseMessage",
    "AppointmentSchedule",
    "AppointmentSlot",
    "Appointment",
    "HomeVisitRequest",
    "Rating",
    "new_public_token",
]


def new_public_token() -> str:
    """Opaque identifier for public URLs (never a sequential id)."""
    return secrets.token_urlsafe(16)


class SignInCode(models.Model):
    """A one-time code texted to a phone; only its keyed hash is stored."""

    phone = models.CharField(_("手机号"), max_length=20, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.phone[-4:]} {self.created_at:%Y-%m-%d %H:%M}"


class SignInCodeGap(models.Model):
    """One row per phone: when its last code was sent. Taking the resend gap is one conditional UPDATE
    of this row, so of any number of simultaneous requests exactly one sends a code per gap, the first
    request for a new phone included (a lock on that phone's SignInCode rows locks nothing while there
    are none). In the database rather than the cache, so a cache outage opens no gap."""

    phone = models.CharField(_("手机号"), max_length=20, unique=True)
    last_sent_at = models.DateTimeField(_("上次发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("验证码发送间隔")
        verbose_name_plural = _("验证码发送间隔")

    def __str__(self) -> str:
        return self.phone[-4:]


class Consultation(models.Model):
    """在线咨询: a citizen's question to a center and the staff's answer."""

    token = models.CharField(max_length=32, unique=True, default=new_public_token, editable=False)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("咨询人"),
        on_delete=models.CASCADE,
        related_name="consultations",
    )
    center = models.ForeignKey("accounts.Center", verbose_name=_("咨询中心"), on_delete=models.PROTECT)
    dispute_type = models.ForeignKey(
        "cases.DisputeType", verbose_name=_("纠纷类型"), null=True, blank=True, on_delete=models.PROTECT
    )
    question = models.TextField(_("咨询内容"))
    created_at = models.DateTimeField(_("提问时间"), auto_now_add=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("在线咨询")
        verbose_name_plural = _("在线咨询")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.question[:30]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class CaseMessage(models.Model):
    """在线调解: one message in a case's conversation between its parties and the mediators."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_staff = models.BooleanField(_("工作人员发送"), default=False)
    body = models.TextField(_("内容"), blank=True)
    attachment = models.ForeignKey(
        Attachment, verbose_name=_("附件"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("案件沟通留言")
        verbose_name_plural = _("案件沟通留言")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.created_at:%Y-%m-%d %H:%M}"


class AppointmentSchedule(models.Model):
    """A center's bookable periods; without rows the PORTAL_APPOINTMENT_SLOTS setting applies."""

    center = models.ForeignKey(
        "accounts.Center",
        verbose_name=_("中心"),
        on_delete=models.CASCADE,
        related_name="appointment_schedule",
    )
    start = models.TimeField(_("开始时间"))
    end = models.TimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("可预约人数"), default=4)
    extended_hours = models.BooleanField(_("延时服务"), default=False)
    weekdays = models.CharField(
        _("适用星期"), max_length=13, default="0,1,2,3,4", help_text=_("0 为星期一，用逗号分隔。")
    )

    class Meta:
        verbose_name = _("预约时段设置")
        verbose_name_plural = _("预约时段设置")
        ordering = ["center", "start"]

    def __str__(self) -> str:
        return f"{self.center} {self.start:%H:%M}-{self.end:%H:%M}"


class AppointmentSlot(models.Model):
    """One bookable period on one day; its row is locked while a booking counts the places left."""

    token = models.CharField(max_length=32, unique=True, default=new_public_token, editable=False)
    center = models.ForeignKey("accounts.Center", verbose_name=_("中心"), on_delete=models.CASCADE)
    date = models.DateField(_("日期"))
    start = models.TimeField(_("开始时间"))
    end = models.TimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("可预约人数"))
    booked = models.PositiveSmallIntegerField(_("已预约人数"), default=0)
    extended_hours = models.BooleanField(_("延时服务"), default=False)

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["date", "start"]
        constraints = [
            models.UniqueConstraint(fields=["center", "date", "start"], name="appointment_slot_unique"),
            models.CheckConstraint(condition=Q(booked__lte=models.F("capacity")), name="slot_not_overbooked"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.booked)


class Appointment(models.Model):
    class State(models.TextChoices):
        BOOKED = "booked", _("已预约")
        CANCELLED = "cancelled", _("已取消")
        ATTENDED = "attended", _("已到访")

    token = models.CharField(max_length=32, unique=True, default=new_public_token, editable=False)
    slot = models.ForeignKey(
        AppointmentSlot, verbose_name=_("时段"), on_delete=models.PROTECT, related_name="appointments"
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约人"),
        on_delete=models.CASCADE,
        related_name="appointments",
    )
    name = models.CharField(_("姓名"), max_length=60)
    phone = models.CharField(_("联系电话"), max_length=20)
    purpose = models.CharField(_("来访事由"), max_length=200)
    case = models.ForeignKey(
        Case, verbose_name=_("相关案件"), null=True, blank=True, on_delete=models.SET_NULL
    )
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.BOOKED)
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    attended_at = models.DateTimeField(_("到访时间"), null=True, blank=True)
    attended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["slot__date", "slot__start", "created_at"]

    def __str__(self) -> str:
        return f"{self.slot} {self.name}"


class HomeVisitRequest(models.Model):
    """上门服务: a citizen asks the center to come to them."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("待安排")
        SCHEDULED = "scheduled", _("已安排")
        DONE = "done", _("已上门")
        CANCELLED = "cancelled", _("已取消")

    token = models.CharField(max_length=32, unique=True, default=new_public_token, editable=False)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="home_visits",
    )
    center = models.ForeignKey("accounts.Center", verbose_name=_("中心"), on_delete=models.PROTECT)
    name = models.CharField(_("姓名"), max_length=60)
    phone = models.CharField(_("联系电话"), max_length=20)
    address = models.CharField(_("上门地址"), max_length=200)
    preferred_date = models.DateField(_("希望上门日期"))
    reason = models.TextField(_("需要上门的原因"))
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.REQUESTED)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("上门服务申请")
        verbose_name_plural = _("上门服务申请")
        ordering = ["preferred_date", "created_at"]

    def __str__(self) -> str:
        return f"{self.preferred_date} {self.name}"


class Rating(models.Model):
    """好差评: one rating per party of a closed case on the government five-point scale."""

    class Score(models.IntegerChoices):
        VERY_SATISFIED = 5, _("非常满意")
        SATISFIED = 4, _("满意")
        BASICALLY_SATISFIED = 3, _("基本满意")
        DISSATISFIED = 2, _("不满意")
        VERY_DISSATISFIED = 1, _("非常不满意")

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="ratings")
    party = models.OneToOneField(
        Party, verbose_name=_("当事人"), on_delete=models.CASCADE, related_name="rating"
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.PositiveSmallIntegerField(
        _("评价"), choices=Score.choices, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("评价内容"), blank=True)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)
    flagged = models.BooleanField(_("差评待跟进"), default=False, db_index=True)
    followed_up_at = models.DateTimeField(_("跟进时间"), null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    follow_up_note = models.TextField(_("跟进情况"), blank=True)

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_range"),
        ]
        # The dashboard's 满意率: ratings of a period, joined to the county's case ids from the index alone.
        indexes = [
            models.Index(fields=["created_at"], include=["case_id", "score", "id"], name="rating_created")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_score_display()}"


class ApplicationConsent(models.Model):
    """个人信息保护法 art. 14/17: the consent an online applicant gave before sending, with the version and
    the SHA-256 of the notice text they were shown, and when they ticked it. One per online application."""

    case = models.OneToOneField(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="privacy_consent"
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("同意人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notice_version = models.CharField(_("告知书版本"), max_length=20)
    notice_sha256 = models.CharField(_("告知书文本摘要"), max_length=64)
    consented_at = models.DateTimeField(_("同意时间"))
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("个人信息处理同意")
        verbose_name_plural = _("个人信息处理同意")
        ordering = ["-consented_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.notice_version}"
