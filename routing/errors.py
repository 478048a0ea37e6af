from django.utils.translation import gettext_lazy as _

from mediation_center.errors import DomainError


class AlreadyClaimed(DomainError):
    code = "already_claimed"
    default_message = _("该案件已被其他调解员认领。")


class MediatorConflict(DomainError):
    """The mediator is a party or has declared an interest (回避)."""

    code = "recusal"
    default_message = _("该调解员与本案有利害关系，须回避，不能指派。")


class RoutingError(DomainError):
    code = "routing_error"


class StaleAssignment(RoutingError):
    """The case's lead mediator is no longer the one the assigning form was shown with."""

    code = "stale"
