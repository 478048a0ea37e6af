from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.Model):
    """One of the five linked mediation channels (五调联动)."""

    class Code(models.TextChoices):
        COURT = "court", _("诉调")
        POLICE = "police", _("警调")
        ONLINE = "online", _("网调")
        SPECIALIST = "specialist", _("专调")
        PETITION = "petition", _("访调")

    code = models.CharField(_("代码"), max_length=16, unique=True, choices=Code.choices)
    name = models.CharField(_("名称"), max_length=30)
    name_en = models.CharField(_("英文名称"), max_length=60)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    auto_assign = models.BooleanField(
        _("自动指派"), default=False, help_text=_("开启后，分流到本渠道的案件自动指派给负荷最少的调解员。")
    )
    ordering = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("调解渠道")
        verbose_name_plural = _("调解渠道")
        ordering = ["ordering", "code"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """One ordered rule: conditions on the case and the route it suggests. The first active match wins."""

    class TargetLevel(models.TextChoices):
        STAY = "stay", _("留在受理中心")
        UP_ONE = "up_one", _("上移一级")
        COUNTY = "county", _("上移至县级中心")

    class Risk(models.TextChoices):
        ANY = "", _("不限")
        WITH_RISK = "risk", _("有风险标记")
        NO_RISK = "no_risk", _("无风险标记")

    position = models.PositiveIntegerField(_("顺序"), default=100, help_text=_("数字小的先匹配。"))
    name = models.CharField(_("规则名称"), max_length=80)
    code = models.SlugField(_("代码"), max_length=40, unique=True, null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    is_default = models.BooleanField(
        _("默认规则"), default=False, help_text=_("没有其他规则匹配时使用；不检查条件。")
    )
    # Conditions: an empty condition matches everything.
    dispute_types = models.ManyToManyField(
        "cases.DisputeType", verbose_name=_("纠纷类型"), blank=True, related_name="routing_rules"
    )
    sources = models.JSONField(
        _("案件来源"),
        default=list,
        blank=True,
        help_text=_('来源代码列表，如 ["court_referral"]；空表示不限。'),
    )
    center_levels = models.JSONField(
        _("受理中心层级"),
        default=list,
        blank=True,
        help_text=_("层级列表：1 县级、2 镇街、3 村社区；空表示不限。"),
    )
    min_amount = models.DecimalField(
        _("金额不低于（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_amount = models.DecimalField(
        _("金额低于（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    min_people = models.PositiveIntegerField(_("人数不少于"), null=True, blank=True)
    max_people = models.PositiveIntegerField(_("人数少于"), null=True, blank=True)
    risk = models.CharField(_("风险标记"), max_length=8, choices=Risk.choices, blank=True, default="")
    # Result.
    channel = models.ForeignKey(Channel, verbose_name=_("分流渠道"), on_delete=models.PROTECT)
    target_level = models.CharField(
        _("目标层级"), max_length=8, choices=TargetLevel.choices, default=TargetLevel.STAY
    )
    department_codes = models.JSONField(
        _("需吹哨的部门"), default=list, blank=True, help_text=_('部门代码列表，如 ["hrss"]。')
    )
    summons_hours = models.PositiveIntegerField(_("部门响应时限（小时）"), default=24)
    priority = models.PositiveSmallIntegerField(_("优先级"), default=0)
    reason = models.CharField(_("分流理由"), max_length=200, help_text=_("向受理员展示的说明。"))

    class Meta:
        verbose_name = _("分流规则")
        verbose_name_plural = _("分流规则")
        ordering = ["is_default", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class RouteDecision(models.Model):
    """How a case was routed: the suggestion, the rule behind it and what the clerk chose."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="route_decisions")
    rule = models.ForeignKey(
        RoutingRule, verbose_name=_("匹配规则"), null=True, blank=True, on_delete=models.SET_NULL
    )
    rule_name = models.CharField(_("规则名称"), max_length=80, blank=True)
    explanation = models.TextField(_("分流说明"), blank=True)
    suggested_channel = models.ForeignKey(
        Channel, verbose_name=_("建议渠道"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    suggested_center = models.ForeignKey(
        "accounts.Center", verbose_name=_("建议中心"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.ForeignKey(Channel, verbose_name=_("渠道"), on_delete=models.PROTECT, related_name="+")
    center = models.ForeignKey(
        "accounts.Center", verbose_name=_("承办中心"), on_delete=models.PROTECT, related_name="+"
    )
    priority = models.PositiveSmallIntegerField(_("优先级"), default=0)
    overridden = models.BooleanField(_("人工调整"), default=False)
    override_reason = models.TextField(_("调整理由"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("分流人"), null=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(_("分流时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("分流记录")
        verbose_name_plural = _("分流记录")
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.channel_id}@{self.center_id}"


class CaseAssignment(models.Model):
    """A mediator working a case; one active lead at most. Ended rows stay as history."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="assignments")
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("调解员"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    is_lead = models.BooleanField(_("主办"), default=True)
    how = models.CharField(
        _("方式"),
        max_length=12,
        choices=[("claim", _("认领")), ("assign", _("指派")), ("auto", _("自动指派"))],
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("案件指派")
        verbose_name_plural = _("案件指派")
        ordering = ["-is_lead", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(is_lead=True, ended_at__isnull=True),
                name="assignment_one_active_lead",
            ),
            models.UniqueConstraint(
                fields=["case", "mediator"],
                condition=Q(ended_at__isnull=True),
                name="assignment_active_once",
            ),
        ]
        indexes = [
            # A mediator's active assignments; ``include`` the case id, so that their queue's "mine" tab reads
            # which cases they work from the index alone (an index-only scan, no assignment rows).
            models.Index(
                fields=["mediator"],
                include=["case_id"],
                condition=Q(ended_at__isnull=True),
                name="assignment_active_cases",
            ),
            # A mediator's lead assignments, past and present, from the index alone: the recommendation's load
            # and track record (mediators.ranking) read them for every candidate.
            models.Index(
                fields=["mediator"],
                include=["case", "ended_at"],
                condition=Q(is_lead=True),
                name="assignment_lead_by_mediator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.mediator_id}"


class InterestDeclaration(models.Model):
    """A staff member marked as having an interest in a case (回避, 信访工作条例 art. 28)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="interest_declarations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回避人员"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("回避理由"), max_length=200)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("回避记录")
        verbose_name_plural = _("回避记录")
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="interest_once")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.user_id}"


class Summons(models.Model):
    """A department called to a case (中心吹哨、部门报到)."""

    class State(models.TextChoices):
        PENDING = "pending", _("待响应")
        ACCEPTED = "accepted", _("已报到")
        DECLINED = "declined", _("已拒绝")
        DONE = "done", _("已办理")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="summonses")
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="summonses"
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    note = models.CharField(_("协办事项"), max_length=300, blank=True)
    deadline = models.DateTimeField(_("响应期限"))
    summoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summoned_at = models.DateTimeField(_("吹哨时间"), auto_now_add=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    decline_reason = models.CharField(_("拒绝理由"), max_length=300, blank=True)
    action_taken = models.TextField(_("部门办理情况"), blank=True)
    action_at = models.DateTimeField(_("办理记录时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("部门协办")
        verbose_name_plural = _("部门协办")
        ordering = ["deadline", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "department"],
                condition=Q(state__in=["pending", "accepted"]),
                name="summons_open_once",
            )
        ]
        indexes = [
            models.Index(fields=["deadline"], condition=Q(state="pending"), name="summons_pending"),
            # The dashboard's 及时签收率: summonses due in a period, joined to the county's case ids.
            models.Index(
                fields=["deadline"], include=["case_id", "responded_at", "id"], name="summons_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.department}"


class RotaEntry(models.Model):
    """Which rotating department sits at a center on which weekday (轮换入驻)."""

    class Weekday(models.IntegerChoices):
        MON = 0, _("星期一")
        TUE = 1, _("星期二")
        WED = 2, _("星期三")
        THU = 3, _("星期四")
        FRI = 4, _("星期五")
        SAT = 5, _("星期六")
        SUN = 6, _("星期日")

    center = models.ForeignKey("accounts.Center", verbose_name=_("中心"), on_delete=models.CASCADE)
    department = models.ForeignKey("accounts.Department", verbose_name=_("部门"), on_delete=models.CASCADE)
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    valid_from = models.DateField(_("起始日期"), null=True, blank=True)
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)
    staff_name = models.CharField(_("值班人员"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("轮驻排班")
        verbose_name_plural = _("轮驻排班")
        ordering = ["center", "weekday", "department"]
        constraints = [
            models.UniqueConstraint(fields=["center", "department", "weekday"], name="rota_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.center} {self.get_weekday_display()} {self.department}"
