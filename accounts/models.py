from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Staff member, citizen (signs in by phone) or an external system's API account."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("工作人员")
        CITIZEN = "citizen", _("群众")
        SYSTEM = "system", _("外部系统")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.STAFF)
    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, db_index=True)
    id_number = models.CharField(_("证件号码"), max_length=32, blank=True, db_index=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class Center(models.Model):
    """A mediation center at one of three levels; ``path`` makes 'this center and all below' one query."""

    class Level(models.IntegerChoices):
        COUNTY = 1, _("市/县矛调中心")
        TOWN = 2, _("镇/街道矛调中心")
        VILLAGE = 3, _("村/社区调委会")

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=20, help_text=_("用于案号，如“某县”。"))
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级中心"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    area_code = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    time_zone = models.CharField(_("时区"), max_length=40, default="Asia/Shanghai")
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    office_hours = models.CharField(
        _("办公时间"),
        max_length=200,
        blank=True,
        help_text=_("显示在群众服务首页，如“周一至周五 8:30–12:00，14:00–17:30（法定节假日除外）”。"),
    )
    require_evaluation = models.BooleanField(_("结案前须评估"), default=True)
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = _("矛调中心")
        verbose_name_plural = _("矛调中心")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # The path is derived structure (like an index), not a business rule.
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if path != self.path:
            self.path = path
            Center.objects.filter(pk=self.pk).update(path=path)

    def subtree(self):
        return Center.objects.filter(path__startswith=self.path)

    @property
    def root_id(self) -> int | None:
        """The root of this center's tree ("/12/34/" → 12): the county a case stays in wherever it moves,
        since a case only ever goes to its center's parent or children."""
        root = self.path.strip("/").split("/")[0]
        return int(root) if root.isdigit() else None

    def ancestors(self):
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        return Center.objects.filter(pk__in=ids).order_by("level")


class Department(models.Model):
    class Seating(models.TextChoices):
        RESIDENT = "resident", _("常驻")
        ROTATING = "rotating", _("轮驻")
        ON_CALL = "on_call", _("随叫随到")

    center = models.ForeignKey(
        Center, verbose_name=_("所属中心"), on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField(_("名称"), max_length=60)
    code = models.SlugField(_("代码"), max_length=30)
    seating = models.CharField(_("入驻方式"), max_length=16, choices=Seating.choices, default=Seating.ON_CALL)
    channel = models.ForeignKey(
        "routing.Channel", verbose_name=_("所属渠道"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        constraints = [models.UniqueConstraint(fields=["center", "code"], name="department_code_per_center")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        CLERK = "clerk", _("窗口受理员")
        MEDIATOR = "mediator", _("调解员")
        LIAISON = "liaison", _("部门联络员")
        SUPERVISOR = "supervisor", _("督办/领导")
        ADMIN = "admin", _("管理员")
        GRID_WORKER = "grid_worker", _("网格员")  # grassroots: attached to a village's grid area

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    center = models.ForeignKey(
        Center, verbose_name=_("中心"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT
    )
    channel = models.ForeignKey(
        "routing.Channel",
        verbose_name=_("渠道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("调解员所属的调解渠道。"),
    )
    speciality = models.CharField(_("专长"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [
            models.UniqueConstraint(fields=["user", "center", "role", "department"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.center} · {self.get_role_display()}"


class SecurityAuditEvent(models.Model):
    """Append-only record of security-relevant events (logins, lockouts, lookups, reveals)."""

    class Type(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKED_OUT = "locked_out", _("账户锁定")
        LOGOUT = "logout", _("退出")
        IDLE_LOGOUT = "idle_logout", _("闲置超时退出")
        REVEAL = "reveal", _("查看敏感信息")
        STATUS_LOOKUP = "status_lookup", _("进度查询")
        OTP = "otp", _("短信验证码")
        API = "api", _("接口调用")
        E_SERVICE = "e_service", _("电子送达")

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    type = models.CharField(_("类型"), max_length=24, choices=Type.choices)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("用户"))
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    success = models.BooleanField(_("成功"), default=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("安全审计记录")
        verbose_name_plural = _("安全审计记录")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_type_display()} {self.username}"


class ExternalSystem(models.Model):
    """A system that pushes cases over the API (12345 hotline, grid platform, petition system)."""

    code = models.SlugField(_("系统代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="external_system")
    center = models.ForeignKey(Center, verbose_name=_("默认受理中心"), on_delete=models.PROTECT)
    source = models.CharField(_("来源"), max_length=20, help_text=_("案件来源代码，如 hotline_12345。"))
    # Outbound events (cases/integrations): where this system hears of its cases' progress.
    webhook_url = models.URLField(_("回调地址"), max_length=300, blank=True)
    # Kept to sign with (HMAC needs the secret itself); shown once, when set or rotated, never in a form.
    webhook_secret = models.CharField(_("签名密钥"), max_length=64, blank=True, editable=False)
    webhook_event_types = models.JSONField(
        _("推送的事件类型"), default=list, blank=True, help_text=_("留空表示推送全部事件类型。")
    )
    webhook_enabled = models.BooleanField(_("启用事件推送"), default=False)

    class Meta:
        verbose_name = _("外部系统")
        verbose_name_plural = _("外部系统")

    def __str__(self) -> str:
        return self.name
