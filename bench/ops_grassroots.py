"""Benchmark operations of grassroots (issue 23): a quick record's service call (target ≤ 15 ms p50),
the level-of-resolution figures of a county, and the grid worker's phone form page."""

from datetime import date
from itertools import count

from django.urls import reverse
from django.utils import timezone

from accounts.models import Center, Membership
from bench.run import Env, operation
from cases.core.models import DisputeType, Party

_serial = count(1)


def _village_mediator(env: Env):
    """A village mediator of the county (the generator puts one in a village of four), else a town's."""
    front = Center.objects.filter(
        path__startswith=env.county.path, level__in=[Center.Level.VILLAGE, Center.Level.TOWN]
    )
    membership = (
        Membership.objects.filter(role=Membership.Role.MEDIATOR, center__in=front)
        .select_related("user", "center")
        .order_by("-center__level", "center_id")
        .first()
    )
    if membership is None:
        raise SystemExit("no village mediator: run `manage.py generate_data` first")
    return membership.user, membership.center


@operation("grassroots.record_quick", target_ms=15, writes=True)
def record_quick(env: Env):
    from cases.intake.services import CaseData, PartyData
    from grassroots.services import record_quick as service

    user, village = _village_mediator(env)
    dispute_type = DisputeType.objects.get(code="neighbour")

    def call():
        n = next(_serial)
        return service(
            actor=user,
            center=village,
            data=CaseData(
                dispute_type=dispute_type,
                summary="两户因排水沟堵塞争吵，现场调解后和好。",
                place="三组",
                parties=[
                    PartyData(role=Party.Role.APPLICANT, name="王五", phone="13800138001"),
                    PartyData(role=Party.Role.RESPONDENT, name="赵六", phone="13800138002"),
                ],
            ),
            agreement="赵六当天疏通水沟",
            client_token=f"bench-{timezone.now().timestamp()}-{n}",
        )

    return call


@operation("grassroots.resolution_figures.county", target_ms=150)
def resolution_figures(env: Env):
    from grassroots.selectors import resolution_figures as figures

    today = timezone.localdate()

    def call():
        return figures(env.county, date(today.year - 1, 1, 1), today)

    return call


@operation("grassroots.phone_form_page")
def phone_form(env: Env):
    user, _village = _village_mediator(env)
    from django.test import Client

    client = Client()
    client.force_login(user)
    url = reverse("grassroots:entry_new")

    def call():
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response

    return call
