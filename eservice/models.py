"""Electronic service of documents (电子送达, 民诉法 art. 90): a party's consent to be served electronically,
and each service of a document to a party, electronic or on paper.

An electronic service keeps the exact PDF served (its SHA-256 is the document version the link names), when
the SMS was queued and accepted by the gateway, and the moment the party first opened the document: the legal
moment of service, written once and never overwritten. ``open_due_at`` is the database timer of the
unopened-service flag (swept by Celery): a service still unopened then is flagged once, so staff can serve
it on paper.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ServiceConsent(models.Model):
    """A party's consent to electronic service at the phone on the party record; withdrawable."""

    class Method(models.TextChoices):
        ONLINE_APPLICATION = "online_application", _("在线申请时同意")
        COUNTER = "counter", _("窗口书面同意")
        PORTAL = "portal", _("当事人在群众服务端同意")

    party = models.ForeignKey(
        "cases.Party", verbose_name=_("当事人"), on_delete=models.CASCADE, related_name="service_consents"
    )
    method = models.CharField(_("同意方式"), max_length=24, choices=Method.choices)
    phone = models.CharField(_("送达手机号"), max_length=24)
    # The wording the party agreed to (its SHA-256), as the privacy consent keeps its notice's digest.
    statement_sha256 = models.CharField(_("同意书文本摘要"), max_length=64)
    given_at = models.DateTimeField(_("同意时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("电子送达同意")
        verbose_name_plural = _("电子送达同意")
        ordering = ["-given_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["party"], condition=Q(withdrawn_at__isnull=True), name="eservice_one_live_consent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.party_id} {self.method}"

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None


class DocumentService(models.Model):
    """One service of one document of the case's registry to one party."""

    class Method(models.TextChoices):
        ELECTRONIC = "electronic", _("电子送达")
        POST = "post", _("邮寄送达")
        DIRECT = "direct", _("直接送达")
        LEFT = "left", _("留置送达")

    PAPER_METHODS = (Method.POST, Method.DIRECT, Method.LEFT)

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("案件"), on_delete=models.CASCADE, related_name="document_services"
    )
    party = models.ForeignKey(
        "cases.Party", verbose_name=_("受送达人"), on_delete=models.CASCADE, related_name="document_services"
    )
    document_kind = models.CharField(_("文书"), max_length=40)
    document_label = models.CharField(_("文书名称"), max_length=100)
    method = models.CharField(_("送达方式"), max_length=16, choices=Method.choices)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Paper service: when it was served (the date on the return receipt), and what the receipt says.
    served_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    # Electronic service: the consent it relied on, the exact PDF served and the SMS.
    consent = models.ForeignKey(
        ServiceConsent, verbose_name=_("所依据的同意"), null=True, blank=True, on_delete=models.PROTECT
    )
    pdf = models.BinaryField(_("送达文件"), null=True, blank=True)
    sha256 = models.CharField(_("文件 SHA-256"), max_length=64, blank=True)
    phone = models.CharField(_("送达手机号"), max_length=24, blank=True)
    sent_at = models.DateTimeField(_("短信发送时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("短信平台接收时间"), null=True, blank=True)
    opened_at = models.DateTimeField(_("首次打开时间"), null=True, blank=True)
    opened_ip = models.GenericIPAddressField(_("打开时 IP"), null=True, blank=True)
    opened_user_agent = models.CharField(_("打开时设备"), max_length=300, blank=True)
    open_due_at = models.DateTimeField(_("应打开期限"), null=True, blank=True)
    unopened_flagged_at = models.DateTimeField(_("逾期未打开标记时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("文书送达")
        verbose_name_plural = _("文书送达")
        ordering = ["created_at", "pk"]
        indexes = [
            # The sweep's question: electronic services due, unopened and not yet flagged.
            models.Index(
                fields=["open_due_at"],
                condition=Q(
                    opened_at__isnull=True, unopened_flagged_at__isnull=True, open_due_at__isnull=False
                ),
                name="eservice_unopened_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.party_id} {self.document_kind} {self.method}"

    @property
    def is_electronic(self) -> bool:
        return self.method == self.Method.ELECTRONIC

    @property
    def service_moment(self):
        """The legal moment of service: the first opening (electronic) or the recorded date (paper)."""
        return self.opened_at if self.is_electronic else self.served_at

    @property
    def state(self) -> str:
        if self.service_moment is not None:
            return "served"
        if self.unopened_flagged_at is not None:
            return "unopened"
        if self.delivered_at is not None:
            return "delivered"
        return "sent"
