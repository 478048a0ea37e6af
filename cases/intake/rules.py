"""Intake rules that forms, the API and the registration service ask alike."""

from django.conf import settings
from django.utils.translation import gettext as _

from mediation_center.errors import DomainError


class IntakeRefused(DomainError):
    code = "intake_refused"
    http_status = 409


class TooManyParties(IntakeRefused):
    code = "too_many_parties"
    http_status = 400


def check_party_count(count: int) -> None:
    """The one rule on how many parties a case holds (CASE_MAX_PARTIES); forms and the API ask it early."""
    limit = settings.CASE_MAX_PARTIES
    if count > limit:
        raise TooManyParties(
            _("一个案件最多登记 %(limit)d 名当事人，本次提交了 %(count)d 名。")
            % {"limit": limit, "count": count}
        )
