"""What the external intake API remembers: the first answer to each Idempotency-Key."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["IntakeIdempotencyKey"]


class IntakeIdempotencyKey(models.Model):
    """One row per (external system, Idempotency-Key): the request's fingerprint and the response it got."""

    system = models.ForeignKey(
        "accounts.ExternalSystem", verbose_name=_("外部系统"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("幂等键"), max_length=120)
    request_hash = models.CharField(_("请求摘要"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("响应状态码"))
    response_body = models.JSONField(_("响应内容"))
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("案件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("接口幂等记录")
        verbose_name_plural = _("接口幂等记录")
        constraints = [
            models.UniqueConstraint(fields=["system", "key"], name="intake_idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.system_id}:{self.key}"
