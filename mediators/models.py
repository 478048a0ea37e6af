"""The mediator and expert library (调解专家库): profiles, credentials, studios and 1+1+N teams, a case's
studio or team, the parties' requests for a mediator, and the difficulty weights of the fair measures."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

WEEKDAYS = [
    (0, _("星期一")),
    (1, _("星期二")),
    (2, _("星期三")),
    (3, _("星期四")),
    (4, _("星期五")),
    (5, _("星期六")),
    (6, _("星期日")),
]


class MediatorProfile(models.Model):
    """Who a mediator is and what they may mediate, staff or not (an outside expert has no membership)."""

    class Kind(models.TextChoices):
        FULL_TIME = "full_time", _("专职人民调解员")
        PART_TIME = "part_time", _("兼职人民调解员")
        WULAO = "wulao", _("五老人员")
        XIANGXIAN = "xiangxian", _("乡贤")
        LAWYER = "lawyer", _("律师")
        LEGAL_AID = "legal_aid", _("法律援助律师")
        JUDGE = "judge", _("法官")
        PROSECUTOR = "prosecutor", _("检察官")
        POLICE = "police", _("民警")
        SPECIALIST = "specialist", _("专业人士（医生、工程师等）")
        VOLUNTEER = "volunteer", _("志愿者")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="mediator_profile",
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    outside_expert = models.BooleanField(
        _("外聘专家"), default=False, help_text=_("外聘专家只能看到指派给本人的案件（个案授权）。")
    )
    centers = models.ManyToManyField(
        "accounts.Center",
        verbose_name=_("服务中心"),
        related_name="+",
        help_text=_("本人可承办这些中心的案件。"),
    )
    levels = models.JSONField(
        _("服务层级"),
        default=list,
        blank=True,
        help_text=_("层级列表：1 县级、2 镇街、3 村社区；空表示不限。"),
    )
    channels = models.ManyToManyField(
        "routing.Channel", verbose_name=_("调解渠道"), blank=True, related_name="+"
    )
    specialties = models.ManyToManyField(
        "cases.DisputeType", verbose_name=_("擅长纠纷类型"), blank=True, related_name="+"
    )
    languages = models.CharField(
        _("语言/方言"), max_length=100, blank=True, help_text=_("如：普通话、吴语。")
    )
    available_days = models.JSONField(
        _("可约日"), default=list, blank=True, help_text=_("星期列表：0 星期一 … 6 星期日；空表示不限。")
    )
    available_hours = models.CharField(
        _("可约时段"), max_length=60, blank=True, help_text=_("如：8:30-17:00。")
    )
    on_call = models.BooleanField(_("随叫随到"), default=False)
    photo = models.ImageField(_("照片"), upload_to="mediators/photos/", blank=True)
    intro = models.TextField(_("公开简介"), max_length=500, blank=True)
    is_public = models.BooleanField(
        _("公开"), default=False, help_text=_("公开后出现在群众门户的调解员名录中。")
    )
    active = models.BooleanField(_("在库"), default=True)

    class Meta:
        verbose_name = _("调解员档案")
        verbose_name_plural = _("调解员档案")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.user)


class Credential(models.Model):
    """A certificate or licence with its expiry; an expired one keeps its holder out of recommendations."""

    class Kind(models.TextChoices):
        MEDIATOR_CERTIFICATE = "mediator_cert", _("人民调解员证")
        BAR_LICENCE = "bar_licence", _("律师执业证")
        LEGAL_AID = "legal_aid", _("法律援助资格")
        PROFESSIONAL = "professional", _("专业资格证书")
        OTHER = "other", _("其他")

    profile = models.ForeignKey(MediatorProfile, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(_("证件类别"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("证件编号"), max_length=60)
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("空表示长期有效。"))

    class Meta:
        verbose_name = _("资格证书")
        verbose_name_plural = _("资格证书")
        ordering = ["expires_on", "pk"]
        indexes = [models.Index(fields=["expires_on"], name="credential_expiry")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class MediationGroup(models.Model):
    """A named mediation studio (品牌调解工作室) or a 1+1+N team attached to a village or town."""

    class Kind(models.TextChoices):
        STUDIO = "studio", _("品牌调解工作室")
        TEAM = "team", _("1+1+N 调解团队")

    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=60)
    center = models.ForeignKey(
        "accounts.Center",
        verbose_name=_("所属中心"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("团队挂靠的村（社区）或镇街，工作室所在的中心。"),
    )
    specialties = models.ManyToManyField(
        "cases.DisputeType", verbose_name=_("擅长纠纷类型"), blank=True, related_name="+"
    )
    intro = models.TextField(_("简介"), max_length=800, blank=True)
    is_public = models.BooleanField(_("公开"), default=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("调解工作室/团队")
        verbose_name_plural = _("调解工作室/团队")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("负责人")
        LAWYER = "lawyer", _("驻点律师")
        XIANGXIAN = "xiangxian", _("乡贤")
        PARTY_LEADER = "party_leader", _("党员法治带头人")
        MEMBER = "member", _("成员")

    group = models.ForeignKey(MediationGroup, on_delete=models.CASCADE, related_name="members")
    profile = models.ForeignKey(
        MediatorProfile, verbose_name=_("调解员"), on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        ordering = ["group", "role", "pk"]
        constraints = [models.UniqueConstraint(fields=["group", "profile"], name="group_member_once")]

    def __str__(self) -> str:
        return f"{self.group} {self.profile}"


class GroupAssignment(models.Model):
    """A case given to a studio or team: its members work it through per-case grants, the lead inside it."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="group_assignments")
    group = models.ForeignKey(MediationGroup, verbose_name=_("工作室/团队"), on_delete=models.PROTECT)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("主办"), on_delete=models.PROTECT, related_name="+"
    )
    member_ids = models.JSONField(_("授权成员"), default=list)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("理由"), max_length=200)
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作室/团队承办")
        verbose_name_plural = _("工作室/团队承办")
        ordering = ["-assigned_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="group_assignment_one_active"
            )
        ]
        indexes = [
            models.Index(fields=["group"], condition=Q(ended_at__isnull=True), name="group_assignment_active")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.group_id}"


class MediatorRequest(models.Model):
    """A party asks for a specific mediator or studio (法释〔2021〕23号 art. 5); the center answers with a reason."""

    class State(models.TextChoices):
        PENDING = "pending", _("待答复")
        ACCEPTED = "accepted", _("已同意")
        DECLINED = "declined", _("未同意")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="mediator_requests")
    profile = models.ForeignKey(
        MediatorProfile, verbose_name=_("申请的调解员"), null=True, blank=True, on_delete=models.PROTECT
    )
    group = models.ForeignKey(
        MediationGroup, verbose_name=_("申请的工作室/团队"), null=True, blank=True, on_delete=models.PROTECT
    )
    reason = models.CharField(_("申请理由"), max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    decision_reason = models.CharField(_("答复理由"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("指定调解员申请")
        verbose_name_plural = _("指定调解员申请")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(state="pending"), name="mediator_request_pending_once"
            ),
            models.CheckConstraint(
                condition=Q(profile__isnull=False, group__isnull=True)
                | Q(profile__isnull=True, group__isnull=False),
                name="mediator_request_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.target}"

    @property
    def target(self):
        return self.profile or self.group


class DifficultyWeight(models.Model):
    """Weights of the difficulty-weighted case count: a case counts type weight × risk weight (1 when absent)."""

    dispute_type = models.OneToOneField(
        "cases.DisputeType",
        verbose_name=_("纠纷类型"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    risk_level = models.PositiveSmallIntegerField(
        _("风险等级"),
        null=True,
        blank=True,
        unique=True,
        help_text=_("0 无、1 蓝、2 黄、3 橙、4 红；与纠纷类型二选一。"),
    )
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2, default=1)

    class Meta:
        verbose_name = _("案件难度权重")
        verbose_name_plural = _("案件难度权重")
        constraints = [
            models.CheckConstraint(
                condition=Q(dispute_type__isnull=False, risk_level__isnull=True)
                | Q(dispute_type__isnull=True, risk_level__isnull=False),
                name="difficulty_weight_one_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dispute_type or self.risk_level} × {self.weight}"


class MediatorLoad(models.Model):
    """The recommendation's maintained summary of one mediator (``mediators/tracks.py``): open cases as lead.
    Rewritten for a mediator whenever a change marked them (``TrackMark``); never edited by hand."""

    mediator = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    open_leads = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("调解员在办汇总")
        verbose_name_plural = _("调解员在办汇总")

    def __str__(self) -> str:
        return f"{self.mediator_id}: {self.open_leads}"


class MediatorTrack(models.Model):
    """The track record of one mediator on one dispute type, as the recommendation reads it: the concluded
    cases they ever led (each once), how many were resolved, how many had a legal deadline and met it, and
    the parties' ratings of those cases (each once). Maintained with ``MediatorLoad``."""

    mediator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dispute_type = models.ForeignKey("cases.DisputeType", on_delete=models.CASCADE, related_name="+")
    similar = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    timed = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    rating_n = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("调解员同类案件汇总")
        verbose_name_plural = _("调解员同类案件汇总")
        constraints = [
            models.UniqueConstraint(fields=["mediator", "dispute_type"], name="mediator_track_once")
        ]

    def __str__(self) -> str:
        return f"{self.mediator_id} × {self.dispute_type_id}: {self.similar}"


class TrackMark(models.Model):
    """A mediator whose summary a change may have moved, written by the database's triggers in the change's
    own transaction (``mediators/tracks.py``); the sweep rewrites the summary and deletes the marks it read,
    and until then the recommendation computes that mediator's figures from the cases."""

    id = models.BigAutoField(primary_key=True)
    mediator_id = models.BigIntegerField(db_index=True)

    class Meta:
        verbose_name = _("待更新的调解员汇总")
        verbose_name_plural = _("待更新的调解员汇总")

    def __str__(self) -> str:
        return str(self.mediator_id)
