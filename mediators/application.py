"""The online application's optional choice of a mediator or studio (issue 18 item 4).

The citizen's application form (cases/portal) knows nothing of the library: it carries the choice as an
opaque value ("p<profile id>" or "g<studio/team id>") and a reason, asks this module (settings
``APPLICATION_PREFERENCE``) to check and describe it, and hands it here inside the submission's transaction,
which files the party's request exactly as a party of a case would (``services.request_mediator``): the
supervisor or clerk answers it with a reason the applicant sees, all on the case's timeline.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from accounts.models import Center, User
from cases.core.models import Case

from . import ranking, selectors, services
from .errors import LibraryError

VALUE = re.compile(r"^[pg][0-9]{1,9}$")
CHOICES_MAX = 50
CHOICES_URL_NAME = "mediators:application_choices"  # the form's list, reloaded when the center changes


def choices(center: Center) -> tuple[list, list]:
    """The public mediators and studios/teams serving the center or a center above it (two queries+prefetch)."""
    profiles, groups = selectors.public_directory(center_ids=ranking.chain_ids(center))
    return list(profiles[:CHOICES_MAX]), list(groups[:CHOICES_MAX])


def _target(value: str, center: Center):
    if not VALUE.match(value or ""):
        raise LibraryError(_("请从公开名录中选择调解员或工作室。"))
    profiles, groups = selectors.public_directory(center_ids=ranking.chain_ids(center))
    pk = int(value[1:])
    found = (profiles if value[0] == "p" else groups).filter(pk=pk).first()
    if found is None:
        raise LibraryError(_("所选调解员或工作室不在该中心的公开名录中，请重新选择。"))
    return found


def describe(value: str, center: Center) -> str:
    """The chosen mediator's or studio's name as the applicant sees it; LibraryError if it is not a choice."""
    target = _target(value, center)
    if value[0] == "p":
        return f"{target.user.display_name or target.user.username}（{target.get_kind_display()}）"
    return str(target)


def request_from_application(case: Case, *, citizen: User, value: str, reason: str) -> None:
    """File the applicant's choice as their request on the new case (inside the submission's transaction)."""
    target = _target(value, case.center)
    services.request_mediator.step(
        case,
        actor=citizen,
        reason=reason,
        profile=target if value[0] == "p" else None,
        group=target if value[0] == "g" else None,
    )
