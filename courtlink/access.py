"""Who may see and move a hand-off to the court. Everything starts from the case's own access rule:
staff through ``get_case_for_user`` (404 for a case they may not see), a citizen only for a case in which
they are a party (``citizen_party_q``), the court's system only for hand-offs of its center's subtree.
Anything else answers 404, the same as a hand-off that does not exist."""

import re

from django.conf import settings
from django.http import Http404

from accounts.models import ExternalSystem, User
from cases.core.access import can_change, is_staff_user
from cases.core.models import Case, Party
from cases.portal.selectors import citizen_party_q
from courtlink.models import Handoff

REFERENCE = re.compile(r"[0-9a-f]{16}")


def is_party(user: User, case: Case) -> bool:
    return Party.objects.filter(citizen_party_q(user), case_id=case.pk).exists()


def may_prepare(user: User, case: Case, kind: str) -> bool:
    """The mediator (or a supervisor: whoever may change the case); a party too, for judicial confirmation."""
    if is_staff_user(user):
        return can_change(user, case)
    return kind == Handoff.Kind.CONFIRMATION and user.kind == User.Kind.CITIZEN and is_party(user, case)


def may_record_court_answer(user: User, case: Case) -> bool:
    return is_staff_user(user) and can_change(user, case)


def court_system_of(user: User) -> ExternalSystem | None:
    """The court's external system the user signs in as (settings.COURTLINK_COURT_SYSTEMS), else None."""
    if not getattr(user, "is_authenticated", False) or user.kind != User.Kind.SYSTEM:
        return None
    system = ExternalSystem.objects.select_related("center").filter(user=user).first()
    if system is None or system.code not in settings.COURTLINK_COURT_SYSTEMS:
        return None
    return system


def handoff_for_court(user: User, reference: str) -> Handoff:
    """The hand-off a court's system names by its reference, within its center's subtree (404 otherwise)."""
    system = court_system_of(user)
    if system is None or not REFERENCE.fullmatch(str(reference)):
        raise Http404
    handoff = (
        Handoff.objects.select_related("case", "case__center")
        .filter(reference=reference, case__center__path__startswith=system.center.path)
        .first()
    )
    if handoff is None:
        raise Http404
    return handoff


def citizen_handoff(user: User, pk: int) -> Handoff:
    handoff = Handoff.objects.select_related("case").filter(pk=pk).first()
    if handoff is None or not is_party(user, handoff.case):
        raise Http404
    return handoff
