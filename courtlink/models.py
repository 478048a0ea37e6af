"""Hand-offs to the court: the joint application for judicial confirmation (司法确认, 人民调解法 art. 33) of an
effective agreement, and the referral of a failed or terminated mediation to the court (诉调对接).

Each hand-off keeps the package exactly as it was assembled (its parts byte for byte, the manifest with each
part's SHA-256 and the combined PDF), so what the court received can be proved later. Its status moves only
along ``MOVES`` (``courtlink.services``), each move one timeline event.

``ConfirmationDeadline`` is the 30-day window of an effective agreement as a row: the sweep warns
``COURTLINK_WARN_DAYS_BEFORE`` days before its last day and notes when it passed with nothing submitted;
``warned_at`` / ``lapsed_at`` are set once, so repeated or concurrent sweeps change nothing twice.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_reference() -> str:
    """The reference the court's system quotes back: not a sequential id (16 hex characters)."""
    return secrets.token_hex(8)


class Handoff(models.Model):
    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("司法确认申请")
        LITIGATION = "litigation", _("诉调对接")

    class Route(models.TextChoices):
        """Where a failed or terminated mediation goes (the case's outcome route)."""

        JUDICIAL_CONFIRMATION = "judicial_confirmation", _("申请司法确认")
        COURT_MEDIATION = "court_mediation", _("转人民法院诉前调解")
        LITIGATION = "litigation", _("引导当事人向人民法院起诉")

    class Status(models.TextChoices):
        PREPARED = "prepared", _("材料已准备")
        SUBMITTED = "submitted", _("已提交法院")
        ACCEPTED = "accepted", _("法院已受理")
        CONFIRMED = "confirmed", _("已裁定确认")
        REJECTED = "rejected", _("不予受理/驳回")
        CLOSED = "closed", _("法院已办结")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="court_handoffs")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    route = models.CharField(_("去向"), max_length=24, choices=Route.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PREPARED)
    agreement = models.ForeignKey(
        "cases.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="court_handoffs"
    )
    notice = models.ForeignKey(
        "cases.TerminationNotice", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("移送编号"), max_length=16, unique=True, default=new_reference)
    court_name = models.CharField(_("受理法院"), max_length=100, blank=True)
    court_reference = models.CharField(_("法院案号"), max_length=60, blank=True)
    note = models.TextField(_("说明"), blank=True)
    package_pdf = models.BinaryField(_("材料合订本"))
    package_sha256 = models.CharField(_("合订本 SHA-256"), max_length=64)
    manifest = models.JSONField(_("材料清单"))
    manifest_sha256 = models.CharField(_("清单 SHA-256"), max_length=64)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    prepared_at = models.DateTimeField(_("准备时间"))
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    decided_on = models.DateField(_("裁定/办结日期"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("法院移送")
        verbose_name_plural = _("法院移送")
        ordering = ["-prepared_at", "-pk"]
        constraints = [
            # one live hand-off per case and kind: a rejected one may be prepared again
            models.UniqueConstraint(
                fields=["case", "kind"], condition=~Q(status="rejected"), name="court_handoff_live_once"
            )
        ]
        indexes = [models.Index(fields=["case", "-prepared_at"], name="court_handoff_case")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.reference}"


# The one table of moves: (kind, from, to). Staff and the court's system move along it alike.
S, K = Handoff.Status, Handoff.Kind
MOVES: frozenset[tuple[str, str, str]] = frozenset(
    {
        (K.CONFIRMATION, S.PREPARED, S.SUBMITTED),
        (K.CONFIRMATION, S.SUBMITTED, S.ACCEPTED),
        (K.CONFIRMATION, S.SUBMITTED, S.REJECTED),
        (K.CONFIRMATION, S.ACCEPTED, S.CONFIRMED),
        (K.CONFIRMATION, S.ACCEPTED, S.REJECTED),
        (K.LITIGATION, S.PREPARED, S.SUBMITTED),
        (K.LITIGATION, S.SUBMITTED, S.ACCEPTED),
        (K.LITIGATION, S.SUBMITTED, S.REJECTED),
        (K.LITIGATION, S.ACCEPTED, S.CLOSED),
    }
)
FINAL_STATUSES = (S.CONFIRMED, S.REJECTED, S.CLOSED)


class HandoffPart(models.Model):
    """One part of a package (the application form, the agreement, the case file...), kept byte for byte."""

    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=32)
    title = models.CharField(max_length=100)
    filename = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content = models.BinaryField()

    class Meta:
        verbose_name = _("移送材料")
        verbose_name_plural = _("移送材料")
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["handoff", "position"], name="court_part_once")]

    def __str__(self) -> str:
        return f"{self.handoff_id} {self.filename}"


class ConfirmationDeadline(models.Model):
    """The judicial-confirmation window of one effective agreement (30 days, JUDICIAL_CONFIRMATION_DAYS)."""

    agreement = models.OneToOneField(
        "cases.Agreement", on_delete=models.CASCADE, related_name="confirmation_window"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    effective_on = models.DateField(_("协议生效日期"))
    due_on = models.DateField(_("申请期限届满日"))
    warn_on = models.DateField(_("提醒日期"))
    applied_at = models.DateTimeField(_("已提交申请"), null=True, blank=True)
    warned_at = models.DateTimeField(_("已提醒"), null=True, blank=True)
    lapsed_at = models.DateTimeField(_("届满未申请"), null=True, blank=True)

    class Meta:
        verbose_name = _("司法确认申请期限")
        verbose_name_plural = _("司法确认申请期限")
        indexes = [
            models.Index(
                fields=["warn_on"], condition=Q(applied_at__isnull=True), name="court_window_unapplied"
            ),
            # the sweep's timer: windows still open (neither applied nor lapsed), a few weeks of agreements
            # however many windows have closed before (court_window_unapplied keeps every lapsed one)
            models.Index(
                fields=["due_on"],
                condition=Q(applied_at__isnull=True, lapsed_at__isnull=True),
                name="court_window_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.due_on}"
