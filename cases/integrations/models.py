"""The outbox of events for external systems; the row is the delivery log too (state, attempts, last error)."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import ExternalSystem
from cases.core.models import Case

__all__ = ["OutboundEvent"]


class OutboundEvent(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待投递")
        DELIVERED = "delivered", _("已投递")
        PARKED = "parked", _("已搁置")

    event_id = models.UUIDField(_("事件编号"), default=uuid.uuid4, unique=True, editable=False)
    system = models.ForeignKey(
        ExternalSystem, verbose_name=_("外部系统"), on_delete=models.CASCADE, related_name="outbound_events"
    )
    # null for a test event sent from admin; otherwise events of one case are delivered in pk order
    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    type = models.CharField(_("事件类型"), max_length=30)
    payload = models.JSONField(_("报文"))
    created_at = models.DateTimeField(_("产生时间"))
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("投递次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次投递时间"))
    # a worker claims the head of a case's queue until this time, so two workers never send it at once
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("最近投递时间"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    delivered_at = models.DateTimeField(_("投递成功时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("推送事件")
        verbose_name_plural = _("推送事件")
        ordering = ["-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="outbound_pending_due",
            ),
            models.Index(fields=["system", "case", "state"], name="outbound_case_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
