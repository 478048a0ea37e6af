"""The 研判 board's bounded reads: the group-incident precursors from the detection run's per-subtree
snapshot (the same figures as folding them from the cases, for every scope, in one query whatever the
number of cases), and the heat grid's cells of the viewer's subtree only."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Center, Membership
from cases.core.models import Case, Party
from risk import precursors
from risk.access import supervised_center_ids
from risk.selectors import group_precursors
from risk.services import detect_risks
from tests.conftest import _persona
from tests.factories import CenterFactory
from tests.risk.helpers import plant

FLAGS = (
    {"is_group": True},
    {"risk_mass_incident": True},
    {"risk_upward_petition": True},
    {"repeat_count": 2},
)
PEOPLE = [("王五", "330102198001011234", ""), ("赵六", "", "13900139001"), ("钱七", "", "13900139002")]


def _generate(world, now, seed=7):
    """Flagged and ordinary cases over two towns, their villages and the county, inside and outside the
    90-day window, with applicants who come back (the same ID number or phone) across places."""
    rng = random.Random(seed)
    town_b = CenterFactory(
        name="乙镇矛调中心", short_name="乙镇", level=Center.Level.TOWN, parent=world.county
    )
    village_b = CenterFactory(name="乙村调委会", short_name="乙村", level=Center.Level.VILLAGE, parent=town_b)
    places = [world.county, world.town, world.village, town_b, village_b, world.other_county]
    for _ in range(60):
        flags = rng.choice(FLAGS) if rng.random() < 0.7 else {}
        [case] = plant(
            rng.choice(places), "requisition", [now - dt.timedelta(days=rng.uniform(0, 120))], **flags
        )
        if rng.random() < 0.6:
            name, id_number, phone = rng.choice(PEOPLE)
            Party.objects.filter(case=case).update(name=name, id_number=id_number, phone=phone)
    return town_b, village_b


def _live(user, now):
    places, people = precursors.live(supervised_center_ids(user), now=now)
    return {"places": places, "people": people, "days": precursors.DAYS}


@pytest.fixture
def scopes(world):
    def supervisor_of(name, center):
        return _persona(world, name, Membership.Role.SUPERVISOR, center=center)

    return supervisor_of


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [7, 11])
def test_the_snapshot_equals_the_figures_folded_from_the_cases_for_every_scope(
    world, scopes, admin_user, seed
):
    now = timezone.now()
    town_b, village_b = _generate(world, now, seed)
    detect_risks(now=now)
    users = [
        scopes("sup_county", world.county),
        scopes("sup_town", world.town),
        scopes("sup_village", world.village),
        scopes("sup_town_b", town_b),
        scopes("sup_other", world.other_county),
        admin_user,
    ]
    for user in users:
        snapshot = group_precursors(user)
        assert snapshot == _live(user, now), user.username
    county = group_precursors(users[0])
    assert county["places"] and any(p["count"] >= 2 for p in county["people"])  # the data exercises both
    assert {p["name"] for p in county["places"]} <= {"测试县", "测试镇", "乙镇"}


@pytest.mark.django_db
def test_each_subtree_reads_only_its_first_applicant_rows_as_the_live_fold_does(world, scopes, monkeypatch):
    monkeypatch.setattr(precursors, "PEOPLE_ROWS", 4)
    now = timezone.now()
    _generate(world, now, seed=3)
    detect_risks(now=now)
    for user in (scopes("sup_county", world.county), scopes("sup_town", world.town)):
        assert group_precursors(user) == _live(user, now)


@pytest.mark.django_db
def test_the_page_reads_one_row_whatever_the_number_of_cases(world, scopes):
    now = timezone.now()
    user = scopes("sup_county", world.county)
    counts = []
    for seed in (1, 2):
        _generate(world, now, seed) if seed == 1 else plant(
            world.village, "requisition", [now - dt.timedelta(days=d) for d in range(1, 40)], is_group=True
        )
        detect_risks(now=now)
        supervised_center_ids(user)  # the viewer's roles, loaded once per request by the page anyway
        with CaptureQueriesContext(connection) as ctx:
            figures = group_precursors(user)
        counts.append(len(ctx.captured_queries))
    assert counts == [1, 1]
    assert figures == _live(user, now)
    assert any(p["center_id"] == world.town.pk and p["group"] >= 39 for p in figures["places"])


@pytest.mark.django_db
def test_a_viewer_over_two_subtrees_gets_the_figures_folded_from_the_cases(world, scopes):
    now = timezone.now()
    town_b, _village_b = _generate(world, now)
    detect_risks(now=now)
    user = scopes("sup_two", world.town)
    Membership.objects.create(user=user, center=town_b, role=Membership.Role.SUPERVISOR)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=user.pk)  # fresh roles
    mixed = group_precursors(user)
    assert mixed == _live(user, now)
    assert {p["center_id"] for p in mixed["places"]} <= {world.town.pk, town_b.pk}


@pytest.mark.django_db
def test_the_board_shows_the_places_and_the_people_coming_back_masked(client, login, world, scopes):
    now = timezone.now()
    for days in (3, 10):
        [case] = plant(world.village, "requisition", [now - dt.timedelta(days=days)], is_group=True)
        Party.objects.filter(case=case).update(name="王五", id_number="330102198001011234", phone="")
    plant(world.town, "requisition", [now - dt.timedelta(days=200)], is_group=True)  # outside the window
    detect_risks(now=now)
    login(scopes("sup_town", world.town))
    page = client.get(reverse("risk:board")).content.decode()
    assert "330102198001011234" not in page and "王五" not in page
    people = page.split('data-testid="people"')[1].split("</ul>")[0]
    assert "2 件" in people and "测试村" in people
    assert Case.objects.filter(is_group=True).count() == 3


@pytest.mark.django_db
def test_the_grid_reads_the_cells_of_the_subtree_only_and_all_of_them(world, scopes, admin_user):
    from risk.models import CellSnapshot
    from risk.selectors import cell_snapshots

    now = timezone.now()
    town_b, _village_b = _generate(world, now, seed=5)
    for center in (world.county, world.town, world.village):  # cells at a county and its towns
        plant(center, "labour", [now - dt.timedelta(days=d) for d in (1, 8, 20)])
    detect_risks(now=now)
    users = [
        scopes("sup_county", world.county),
        scopes("sup_town", world.town),
        scopes("sup_village", world.village),
        admin_user,
    ]
    for user in users:
        ids = supervised_center_ids(user)
        every = CellSnapshot.objects.all() if ids is None else CellSnapshot.objects.filter(center_id__in=ids)
        expected = list(every.order_by("center__path", "dispute_type__ordering", "dispute_type__code"))
        assert cell_snapshots(user) == expected, user.username
    assert {s.center_id for s in cell_snapshots(users[0])} == {world.county.pk, world.town.pk, town_b.pk}
    assert {s.center_id for s in cell_snapshots(users[1])} == {world.town.pk}
