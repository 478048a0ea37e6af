"""Grassroots work (issue 23): grid areas, quick records and reports (each is a case of ``cases``), latent
risks (隐患, watched here, not cases), screening rounds (排查) and the three reference lists."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Center, Department


class GridArea(models.Model):
    """A village's grid area (网格); grid workers (``Membership.Role.GRID_WORKER`` at the village) belong to one."""

    center = models.ForeignKey(
        Center, verbose_name=_("所属村/社区"), on_delete=models.PROTECT, related_name="grid_areas"
    )
    name = models.CharField(_("网格名称"), max_length=60)
    workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("网格员"), blank=True, related_name="grid_areas"
    )

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["center", "name"]

    def __str__(self) -> str:
        return f"{self.center.short_name}·{self.name}"


class Entry(models.Model):
    """What a grid worker or village/town mediator sent from the phone form: a quick record (a case registered,
    concluded by oral agreement and closed at once) or a dispute reported up (a case waiting at intake)."""

    class Kind(models.TextChoices):
        QUICK_RECORD = "quick_record", _("随手录")
        REPORT = "report", _("实时报立")

    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("案件"), on_delete=models.CASCADE, related_name="grassroots_entry"
    )
    grid_area = models.ForeignKey(
        GridArea, verbose_name=_("网格"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    # The phone form's own id for this submission: resending after a dropped connection changes nothing twice.
    client_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("随手录/上报")
        verbose_name_plural = _("随手录/上报")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recorded_by", "-created_at"], name="entry_by_recorder")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_id}"


class RiskLevel(models.IntegerChoices):
    BLUE = 1, _("蓝色（一般）")
    YELLOW = 2, _("黄色（较大）")
    ORANGE = 3, _("橙色（重大）")
    RED = 4, _("红色（特别重大）")


class LatentRisk(models.Model):
    """隐患: no dispute yet (e.g. wages due next month at a site with many workers), watched until closed."""

    class Status(models.TextChoices):
        OPEN = "open", _("跟踪中")
        CLOSED = "closed", _("已销号")

    center = models.ForeignKey(Center, verbose_name=_("所属中心"), on_delete=models.PROTECT, related_name="+")
    grid_area = models.ForeignKey(
        GridArea, verbose_name=_("网格"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.TextField(_("隐患情况"))
    place = models.CharField(_("地点"), max_length=200)
    people_count = models.PositiveIntegerField(_("涉及人数"), default=1)
    level = models.PositiveSmallIntegerField(_("隐患等级"), choices=RiskLevel.choices, default=RiskLevel.BLUE)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    conclusion = models.TextField(_("销号结论"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上报人"), on_delete=models.PROTECT, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    client_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("上报时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        ordering = ["-level", "-created_at", "-pk"]
        indexes = [models.Index(fields=["center", "status"], name="risk_center_status")]

    def __str__(self) -> str:
        return self.summary[:30]


def risk_photo_path(instance, filename: str) -> str:
    return f"grassroots/risks/{instance.risk_id}/{instance.token}/{filename}"


class RiskPhoto(models.Model):
    """A photo of a latent risk, checked by the same size and type rules as case evidence."""

    risk = models.ForeignKey(LatentRisk, on_delete=models.CASCADE, related_name="photos")
    token = models.CharField(max_length=32, unique=True)
    file = models.FileField(_("文件"), upload_to=risk_photo_path, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("隐患照片")
        verbose_name_plural = _("隐患照片")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class RiskEvent(models.Model):
    """The timeline of a latent risk (reported, level changed, closed): one row per change, with its actor."""

    risk = models.ForeignKey(LatentRisk, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("事件"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("隐患记录")
        verbose_name_plural = _("隐患记录")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.risk_id} {self.type}"


class ReferenceList(models.Model):
    """One of the seed's three reference lists, maintained by an administrator; a round may use it as checklist."""

    class Kind(models.TextChoices):
        LEGAL_EDUCATION = "legal_education", _("重点普法任务清单")
        LEGAL_SERVICE = "legal_service", _("重点领域法律服务清单")
        PREVENTION = "prevention", _("社会综合治理重点防控清单")

    kind = models.CharField(_("清单类别"), max_length=20, choices=Kind.choices, unique=True)
    items = models.TextField(_("清单事项"), help_text=_("每行一项。"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("参考清单")
        verbose_name_plural = _("参考清单")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()

    def item_lines(self) -> list[str]:
        return [line.strip() for line in self.items.splitlines() if line.strip()]


class ScreeningRound(models.Model):
    """排查: a round a supervisor schedules for villages and departments, each assignee with a checklist."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("月度排查")
        HOLIDAY = "holiday", _("节前排查")
        TOPIC = "topic", _("专项排查")

    title = models.CharField(_("排查名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.MONTHLY)
    center = models.ForeignKey(Center, verbose_name=_("组织中心"), on_delete=models.PROTECT, related_name="+")
    checklist = models.TextField(_("排查清单"), help_text=_("每行一项。"))
    reference_list = models.ForeignKey(
        ReferenceList, verbose_name=_("参考清单"), null=True, blank=True, on_delete=models.SET_NULL
    )
    due_on = models.DateField(_("完成期限"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("排查任务")
        verbose_name_plural = _("排查任务")
        ordering = ["-due_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def checklist_lines(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]


class ScreeningTask(models.Model):
    """One assignee of a round (a village or a department) and what it reported."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待排查")
        NOTHING_FOUND = "nothing_found", _("未发现问题")
        FOUND = "found", _("发现问题")

    round = models.ForeignKey(ScreeningRound, on_delete=models.CASCADE, related_name="tasks")
    center = models.ForeignKey(Center, verbose_name=_("排查单位"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    note = models.TextField(_("排查情况"), blank=True)
    findings = models.JSONField(_("发现的问题"), default=list, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("排查单位")
        verbose_name_plural = _("排查单位")
        ordering = ["round", "center", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "center", "department"], name="screening_task_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.center_id}"
