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
