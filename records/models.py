"""The seals of the hash chains (records/integrity.py): written only by database triggers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimelineSeal(models.Model):
    """One per case timeline event: the chain of its case, in the order of this table's id."""

    event_id = models.BigIntegerField(_("时间线事件"), unique=True)
    case_id = models.BigIntegerField(_("案件"))
    prev_hash = models.CharField(_("上一条哈希"), max_length=64, blank=True)
    hash = models.CharField(_("哈希"), max_length=64)

    class Meta:
        verbose_name = _("时间线封存")
        verbose_name_plural = _("时间线封存")
        indexes = [models.Index(fields=["case_id", "id"], name="timelineseal_chain")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.event_id} {self.hash[:12]}"


class AuditSeal(models.Model):
    """One per security audit row: the chain of its UTC day."""

    event_id = models.BigIntegerField(_("审计记录"), unique=True)
    day = models.DateField(_("日期"))
    prev_hash = models.CharField(_("上一条哈希"), max_length=64, blank=True)
    hash = models.CharField(_("哈希"), max_length=64)

    class Meta:
        verbose_name = _("审计封存")
        verbose_name_plural = _("审计封存")
        indexes = [models.Index(fields=["day", "id"], name="auditseal_chain")]

    def __str__(self) -> str:
        return f"{self.day}:{self.event_id} {self.hash[:12]}"


class ArchivedCase(models.Model):
    """A closed case moved out of the working tables (records/retention.py): its case file PDF, its evidence
    files and a JSON snapshot, still findable by number, tracking code or party name and printable."""

    case_number = models.CharField(_("案件编号"), max_length=40, unique=True)
    tracking_code = models.CharField(_("查询码"), max_length=32, blank=True)
    center = models.ForeignKey("accounts.Center", verbose_name=_("中心"), on_delete=models.PROTECT)
    dispute_type = models.CharField(_("纠纷类型"), max_length=60)
    party_names = models.CharField(_("当事人"), max_length=500)
    summary = models.TextField(_("纠纷简要情况"), blank=True)
    status_label = models.CharField(_("结果"), max_length=60, blank=True)
    registered_at = models.DateTimeField(_("登记时间"))
    closed_at = models.DateTimeField(_("结案时间"))
    archived_at = models.DateTimeField(_("归档时间"), auto_now_add=True)
    folder = models.CharField(_("归档目录"), max_length=200)
    case_file_sha256 = models.CharField(_("卷宗哈希"), max_length=64)
    timeline_head = models.CharField(_("时间线链尾哈希"), max_length=64, blank=True)
    snapshot = models.JSONField(_("归档数据"), default=dict)

    class Meta:
        verbose_name = _("已归档案件")
        verbose_name_plural = _("已归档案件")
        ordering = ["-closed_at", "-pk"]
        indexes = [models.Index(fields=["center", "-closed_at"], name="archivedcase_center")]

    def __str__(self) -> str:
        return self.case_number


class RetentionRun(models.Model):
    """One run of the retention rules: what it archived and deleted, and any case it could not archive."""

    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    cases_archived = models.PositiveIntegerField(_("归档案件数"), default=0)
    citizens_deleted = models.PositiveIntegerField(_("删除群众账户数"), default=0)
    dry_run = models.BooleanField(_("试运行"), default=False)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("保存期限执行记录")
        verbose_name_plural = _("保存期限执行记录")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.cases_archived}/{self.citizens_deleted}"
