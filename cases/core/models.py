"""The case and what intake records with it: parties, taxonomy, numbering, timeline, evidence."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.core.identity import mask_id_number, mask_phone
from cases.core.states import OPEN_STATUSES, Status  # re-exported: the status machine states them

__all__ = [
    "DisputeType",
    "Case",
    "CaseNumberSequence",
    "Party",
    "TimelineEvent",
    "Attachment",
    "Status",
    "Source",
]


class DisputeType(models.Model):
    """Administrator-editable taxonomy (official mediation statistics categories)."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    name_en = models.CharField(_("英文名称"), max_length=60, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    ordering = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("纠纷类型")
        verbose_name_plural = _("纠纷类型")
        ordering = ["ordering", "code"]

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    COUNTER = "counter", _("窗口来访")
    PHONE = "phone", _("来电")
    HOTLINE_12345 = "hotline_12345", _("12345 热线")
    GRID = "grid", _("网格平台")
    PETITION_SYSTEM = "petition_system", _("信访系统")
    ONLINE = "online", _("网上申请")
    COURT_REFERRAL = "court_referral", _("法院委派")
    POLICE_REFERRAL = "police_referral", _("公安移交")
    OTHER = "other", _("其他")


class WarningLevel(models.IntegerChoices):
    NONE = 0, _("无")
    BLUE = 1, _("蓝色")
    YELLOW = 2, _("黄色")
    ORANGE = 3, _("橙色")
    RED = 4, _("红色")


__all__ += ["WarningLevel", "OPEN_STATUSES"]


class Case(models.Model):
    # Identity: one case, one code (一案一码). Neither changes when the case moves.
    number = models.CharField(_("案号"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("序号"))
    tracking_code = models.CharField(_("查询码"), max_length=16, unique=True)
    # (indexed by ``case_serial_per_center_year`` and ``case_list_origin``, which lead with it)
    origin_center = models.ForeignKey(
        "accounts.Center",
        verbose_name=_("受理中心"),
        on_delete=models.PROTECT,
        related_name="registered_cases",
        db_index=False,
    )
    center = models.ForeignKey(
        "accounts.Center", verbose_name=_("承办中心"), on_delete=models.PROTECT, related_name="cases"
    )

    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REGISTERED)
    outcome = models.CharField(_("结果"), max_length=24, blank=True)
    outcome_reason = models.TextField(_("结果说明"), blank=True)

    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.COUNTER)
    dispute_type = models.ForeignKey(DisputeType, verbose_name=_("纠纷类型"), on_delete=models.PROTECT)
    summary = models.TextField(_("纠纷概况"))
    claims = models.TextField(_("当事人诉求"), blank=True)
    amount = models.DecimalField(_("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    people_count = models.PositiveIntegerField(_("涉及人数"), default=1)
    place = models.CharField(_("纠纷发生地"), max_length=200, blank=True)
    is_group = models.BooleanField(_("集体访"), default=False)

    risk_violence = models.BooleanField(_("有极端行为或暴力风险"), default=False)
    risk_mass_incident = models.BooleanField(_("可能引发群体性事件"), default=False)
    risk_upward_petition = models.BooleanField(_("可能越级上访"), default=False)
    police_calls = models.PositiveIntegerField(_("已报警次数"), default=0)

    # (indexed where set: ``case_repeat_of``, ``case_merged_into`` below)
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("重复来访于"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
        db_index=False,
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入案件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
        db_index=False,
    )
    repeat_count = models.PositiveIntegerField(_("重复来访次数"), default=0)

    channel = models.ForeignKey(
        "routing.Channel", verbose_name=_("调解渠道"), null=True, blank=True, on_delete=models.PROTECT
    )
    priority = models.PositiveSmallIntegerField(_("优先级"), default=0)

    warning_level = models.PositiveSmallIntegerField(_("预警等级"), choices=WarningLevel.choices, default=0)
    risk_level = models.PositiveSmallIntegerField(_("风险等级"), choices=WarningLevel.choices, default=0)
    time_level = models.PositiveSmallIntegerField(_("时限等级"), choices=WarningLevel.choices, default=0)
    response_due_at = models.DateTimeField(_("响应期限"), null=True, blank=True)
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)
    next_check_at = models.DateTimeField(_("下次预警检查"), null=True, blank=True)

    registered_by = models.ForeignKey(  # (indexed where set: ``case_list_registered_by`` below)
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registered_cases",
        db_index=False,
    )
    external_system = models.CharField(_("来源系统"), max_length=30, blank=True)
    external_id = models.CharField(_("外部编号"), max_length=100, blank=True)
    raw_payload = models.JSONField(_("原始报文"), null=True, blank=True)

    # Closing facts (结案).
    money_covered = models.DecimalField(
        _("协议涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    prevented_criminal = models.BooleanField(_("防止民转刑"), default=False)
    prevented_group_petition = models.BooleanField(_("防止群体访"), default=False)
    closing_summary = models.TextField(_("结案小结"), blank=True)

    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    routed_at = models.DateTimeField(_("分流时间"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("化解时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["origin_center", "year", "serial"], name="case_serial_per_center_year"
            ),
            models.UniqueConstraint(
                fields=["external_system", "external_id"],
                condition=~Q(external_id=""),
                name="case_external_id_per_system",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_check_at"], condition=Q(next_check_at__isnull=False), name="case_sweep_due"
            ),
            models.Index(
                fields=["center", "status", "-warning_level", "due_at"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="case_open_queue",
            ),
            # Benchmark (bench/EXPLAIN.md): a mediator's queue is one center and one channel, open cases,
            # worst warning first, then the nearest deadline; filtering by level stays in the index.
            models.Index(
                fields=["center", "channel", "-warning_level", "due_at"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="case_open_channel_queue",
            ),
            # A mediator's own queue (routing.selectors.mediator_queue_page): their active assignments include
            # those of closed cases (closing does not end the lead's), ~90% of them; probing this index of
            # the open cases alone answers which are open, and their order, without reading the closed ones.
            models.Index(
                fields=["id"],
                include=["warning_level", "due_at", "priority"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="case_open_ids",
            ),
            # The recommendation's track record (mediators/ranking.py ``_loads_and_tracks``): each candidate's
            # lead assignments, open or closed, probe their case for its status, type, conclusion and outcome;
            # read from this index alone (an index-only scan), not the case rows (~4x fewer pages at 1M).
            models.Index(
                fields=["id"],
                include=["status", "dispute_type", "concluded_at", "outcome"],
                name="case_track_probe",
            ),
            # Dashboards and reports count what a center closed in a period; closed cases are ~90% of rows.
            models.Index(
                fields=["center", "-closed_at"],
                condition=Q(closed_at__isnull=False),
                name="case_closed_recent",
            ),
            # The dashboard's period measures: what a center concluded / registered in a date range.
            models.Index(
                fields=["center", "concluded_at"],
                condition=Q(concluded_at__isnull=False),
                name="case_concluded_by_center",
            ),
            # ``include`` the id: the dashboard's figures over clocks, visits and warning changes start from
            # the subtree's case ids, read from this index alone (an index-only scan, no case rows).
            models.Index(fields=["center", "created_at"], include=["id"], name="case_created_by_center"),
            # The case list's order within one center (cases/core/keyset.py): its first page is the first
            # rows of each center of the subtree, each an index walk stopped after a page (not the subtree's
            # cases sorted). The status, the channel and the conclusion time are in it so that those filters
            # (and the registration days, in the key) are checked on the index, never on the case rows: a
            # closed list (~86% of cases) walks this one.
            models.Index(
                fields=["center", "-warning_level", "-created_at", "-id"],
                include=["status", "channel", "concluded_at"],
                name="case_list_order",
            ),
            # The same walk for the rarer statuses (``?status=…`` but closed): the status is a prefix, so each
            # center gives its first rows of that status and stops — not every case of the status fetched
            # from the table and sorted (a tenth of the size of a full one: closed cases are left out).
            models.Index(
                fields=["center", "status", "-warning_level", "-created_at", "-id"],
                condition=~Q(status=Status.CLOSED),
                name="case_list_status",
            ),
            # …and the open cases' (``?open=1``, ``?level=N``, ``?overdue=1``, the dashboard's red link
            # ``?open=1&lv=4``): a level is a prefix after the center; the channel and the deadline are in
            # the index, so those filters do not fetch the case rows either.
            models.Index(
                fields=["center", "-warning_level", "-created_at", "-id"],
                include=["channel", "due_at"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="case_list_open",
            ),
            # The nullable links, indexed only where set: every lookup by them names a case or a user (the
            # ties of a case, a deleted row's SET NULL), and a case row that leaves them empty (most) adds no
            # entry when it is written — the sweep rewrites 10,000 case rows, each a new entry in every index
            # that holds it (bench/README.md "Sweep at equal work: where the time goes").
            models.Index(fields=["repeat_of"], condition=Q(repeat_of__isnull=False), name="case_repeat_of"),
            models.Index(
                fields=["merged_into"], condition=Q(merged_into__isnull=False), name="case_merged_into"
            ),
            # A clerk's list: the cases their center registered and the cases they registered, each walked in the
            # list's order and stopped after a page (``keyset.or_parts``), not every such case sorted. They
            # replace the plain indexes of these two links (same leading column), so a case row holds no more
            # index entries than before.
            models.Index(
                fields=["origin_center", "-warning_level", "-created_at", "-id"],
                include=["status", "channel", "center"],
                name="case_list_origin",
            ),
            models.Index(
                fields=["registered_by", "-warning_level", "-created_at", "-id"],
                condition=Q(registered_by__isnull=False),
                name="case_list_registered_by",
            ),
            # GeoReport's requests.json?updated_after=…: one system's cases by update time
            models.Index(
                fields=["external_system", "updated_at"],
                condition=~Q(external_system=""),
                name="case_external_updated",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_risk(self) -> bool:
        return (
            self.risk_violence
            or self.risk_mass_incident
            or self.risk_upward_petition
            or self.police_calls > 0
        )


class CaseNumberSequence(models.Model):
    """The last serial issued per center and year; locked row by row to keep numbers gapless."""

    center = models.ForeignKey("accounts.Center", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["center", "year"], name="case_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.center_id}/{self.year}: {self.last_serial}"


class Party(models.Model):
    class Role(models.TextChoices):
        APPLICANT = "applicant", _("申请人")
        RESPONDENT = "respondent", _("被申请人")
        THIRD = "third", _("第三人")

    class Kind(models.TextChoices):
        PERSON = "person", _("自然人")
        LEGAL = "legal", _("法人")
        ORGANISATION = "organisation", _("非法人组织")

    class IdType(models.TextChoices):
        RESIDENT_ID = "resident_id", _("居民身份证")
        PASSPORT = "passport", _("护照")
        HK_MO_TW = "hk_mo_tw", _("港澳台居民证件")
        OTHER = "other", _("其他证件")
        NONE = "", _("无")

    class IdentityCheck(models.TextChoices):
        """How staff saw the person's ID in person; only such a check links a citizen by ID number."""

        COUNTER = "counter", _("窗口登记时核验")
        CLERK = "clerk", _("工作人员核验身份")

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("身份"), max_length=16, choices=Role.choices)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("姓名/名称"), max_length=100)
    id_type = models.CharField(_("证件类型"), max_length=16, choices=IdType.choices, blank=True)
    id_number = models.CharField(_("证件号码"), max_length=32, blank=True, db_index=True)
    id_legacy = models.BooleanField(_("旧版15位身份证"), default=False)
    sex = models.CharField(_("性别"), max_length=1, blank=True, choices=[("M", _("男")), ("F", _("女"))])
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=24, blank=True, db_index=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    area_code = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    legal_representative = models.CharField(_("法定代表人/负责人"), max_length=60, blank=True)
    is_representative = models.BooleanField(_("集体访代表"), default=False)
    has_interest_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("若当事人本身是系统用户（如工作人员），用于回避判断。"),
    )
    # Set only by staff who saw the ID document with the person present; pushed and online-typed
    # ID numbers stay unverified and never link a portal citizen to other cases.
    identity_verified_at = models.DateTimeField(_("身份核验时间"), null=True, blank=True)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("身份核验人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    identity_verified_how = models.CharField(
        _("身份核验方式"), max_length=16, choices=IdentityCheck.choices, blank=True
    )

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["role", "pk"]
        indexes = [
            # Similar cases (search.similar): a respondent's other cases, by name or credit code, read by index
            # rather than by a scan of every party.
            models.Index(fields=["name"], condition=Q(role="respondent"), name="party_respondent_name"),
            models.Index(
                fields=["credit_code"],
                condition=Q(role="respondent") & ~Q(credit_code=""),
                name="party_respondent_credit",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class TimelineEvent(models.Model):
    """One row per state change, with its actor; the case timeline and the audit view read this table."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("事件"), max_length=40)
    actor = models.ForeignKey(  # (indexed where set: ``timeline_actor`` below)
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    is_public = models.BooleanField(_("群众可见"), default=False)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("时间线事件")
        verbose_name_plural = _("时间线事件")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["case", "-created_at"], name="timeline_case_recent"),
            # Looked up by a given user (retention: has the account acted?); the system's own events (the
            # sweep's level changes) have no actor and add no entry.
            models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="timeline_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.type}"


def attachment_path(instance, filename: str) -> str:
    return f"evidence/{instance.case_id}/{instance.token}/{filename}"


class Attachment(models.Model):
    """Evidence stored under PRIVATE_MEDIA_ROOT, served only through an access-checked view."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    token = models.CharField(max_length=32, unique=True)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"))
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    is_public = models.BooleanField(_("当事人可见"), default=False)

    class Meta:
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


# The working-day calendar (read by cases.core.workcalendar): official holidays and make-up days.
__all__ += ["CalendarYear", "CalendarDay"]


class CalendarYear(models.Model):
    """A year whose official holiday schedule (放假安排) is in the CalendarDay table."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    official = models.BooleanField(
        _("已录入官方安排"),
        default=True,
        help_text=_("未录入官方放假安排的年度按周末和固定日期节日暂定计算，相关期限标为“暂定”。"),
    )
    source = models.CharField(_("来源"), max_length=60, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A day that differs from the weekday rule: a holiday, or a make-up working day (调休)."""

    class Source(models.TextChoices):
        OFFICIAL = "official", _("官方安排（chinesecalendar）")
        ADMIN = "admin", _("管理员更正")

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    name = models.CharField(_("名称"), max_length=40, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.ADMIN)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
