"""The sidebar badge of 研判预警 (settings.WORK_COUNT_PROVIDERS): open signals the user works, one COUNT."""

from accounts.models import Membership
from risk.models import RiskSignal

WORKERS = (Membership.Role.SUPERVISOR, Membership.Role.ADMIN)


def open_signal_counts(user, roles, center_ids) -> dict[str, int]:
    if not roles.has(*WORKERS):
        return {}
    qs = RiskSignal.objects.exclude(state=RiskSignal.State.CLOSED)
    if not user.is_superuser:
        qs = qs.filter(center_id__in=roles.subtree_center_ids(*WORKERS))
    if center_ids is not None:
        qs = qs.filter(center_id__in=center_ids)
    return {"risk_signals_open": qs.count()}
