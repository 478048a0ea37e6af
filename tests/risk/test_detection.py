"""Hotspot detection on hand-made series: a surge, a seasonal peak that is normal, a respondent threshold,
group-incident precursors, and reruns that change nothing twice."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Center
from cases.core.models import Party, WarningLevel
from risk.detection import common_center, normalise_name, poisson_tail
from risk.models import CellSnapshot, RiskSignal, SignalEvent
from risk.services import close_signal, detect_risks
from tests.factories import CenterFactory
from tests.risk.helpers import plant, weekly

NOW = timezone.make_aware(dt.datetime(2026, 11, 30, 12, 0))
QUIET = {w: 1 for w in range(5, 16)}  # one case a week through the baseline (days 30–114 back)


def test_poisson_tail_is_the_upper_tail():
    assert poisson_tail(0, 3.0) == 1.0
    assert poisson_tail(1, 2.0) == pytest.approx(1 - 0.1353352832, abs=1e-9)
    assert poisson_tail(5, 1.0) == pytest.approx(0.0036598468, abs=1e-9)
    assert poisson_tail(1000, 800.0) < 1e-9  # the normal approximation for large means


def test_names_are_normalised_and_the_common_center_is_the_deepest_shared():
    assert normalise_name("示例建筑 有限公司") == normalise_name("示例建筑有限公司（）") == "示例建筑有限公司"
    assert normalise_name("ＡＢＣ建筑") == "abc建筑"
    assert common_center(["/1/5/9/", "/1/5/10/"]) == 5
    assert common_center(["/1/5/9/", "/1/6/"]) == 1


@pytest.mark.django_db
def test_a_surge_is_flagged_with_its_reason_and_cases_and_an_ordinary_cell_is_not(world):
    plant(world.town, "labour", weekly(NOW, {**QUIET, 0: 4}))
    plant(world.village, "labour", weekly(NOW, {0: 5}))  # the village counts in its town's cell
    plant(world.town, "neighbour", weekly(NOW, {**QUIET, 0: 1, 1: 2, 2: 1}))  # ordinary weeks
    summary = detect_risks(now=NOW)

    signal = RiskSignal.objects.get()
    assert summary.raised == 1
    assert (signal.kind, signal.center, signal.dispute_type.code) == ("cell", world.town, "labour")
    assert signal.reason == "测试镇 劳动争议 近7日 9 件，近30日 9 件，过去 12 周平均 0.9 件/周"
    assert signal.signal_cases.count() == 9
    assert signal.level == WarningLevel.RED  # 9 against 0.92 a week: ten times the baseline
    assert SignalEvent.objects.get(signal=signal).type == "raised"
    grid = {
        (s.center_id, s.dispute_type.code): s for s in CellSnapshot.objects.select_related("dispute_type")
    }
    assert grid[(world.town.pk, "neighbour")].rise < 2 and grid[(world.town.pk, "labour")].count_7 == 9


@pytest.mark.django_db
def test_a_seasonal_peak_that_comes_every_year_is_normal(world):
    other_town = CenterFactory(
        name="乙镇矛调中心", short_name="乙镇", level=Center.Level.TOWN, parent=world.county
    )
    last_year = {50: 8, 51: 8, 52: 8, 53: 8}  # the same four weeks one year earlier (days 350–378 back)
    plant(world.town, "labour", weekly(NOW, {**QUIET, **last_year, 0: 8}))
    plant(other_town, "labour", weekly(NOW, {**QUIET, 0: 8}))  # the same week without that history
    detect_risks(now=NOW)
    assert list(RiskSignal.objects.values_list("center__short_name", flat=True)) == ["乙镇"]


@pytest.mark.django_db
def test_a_slow_month_long_rise_is_flagged_by_the_30_day_window(world):
    plant(world.town, "housing", weekly(NOW, {**QUIET, 0: 2, 1: 3, 2: 4, 3: 4}))
    detect_risks(now=NOW)
    signal = RiskSignal.objects.get()
    assert signal.count_7 == 2 and signal.count_30 == 13


@pytest.mark.django_db
def test_a_respondent_reaching_the_threshold_of_open_cases_raises_one_signal(world, settings):
    settings.RISK_RESPONDENT_OPEN_THRESHOLD = 5
    old = NOW - dt.timedelta(days=200)  # long ago: no surge, only the open cases count
    company = {"name": "示例建筑有限公司", "kind": Party.Kind.LEGAL}
    plant(world.town, "labour", [old] * 3, respondent=company)
    plant(world.village, "contract", [old], respondent={**company, "name": "示例建筑 有限公司"})
    plant(world.village, "labour", [old], respondent=company, status="closed")  # closed: not counted
    detect_risks(now=NOW)
    assert not RiskSignal.objects.filter(kind="respondent").exists()  # four open: below the threshold

    plant(
        world.town,
        "labour",
        [old],
        respondent={
            "name": "示例建筑有限公司",
            "kind": Party.Kind.LEGAL,
            "credit_code": "91330100MA27XY1A0X",
        },
    )
    detect_risks(now=NOW)
    signal = RiskSignal.objects.get(kind="respondent")
    assert signal.open_count == 5 and signal.center == world.town
    assert signal.reason == "被申请人“示例建筑有限公司”在办案件 5 件（测试镇），达到集中预警阈值"
    assert signal.level == WarningLevel.YELLOW


@pytest.mark.django_db
def test_persons_known_by_name_alone_are_not_counted_together(world, settings):
    settings.RISK_RESPONDENT_OPEN_THRESHOLD = 2
    old = NOW - dt.timedelta(days=200)
    plant(world.town, "family", [old] * 3, respondent={"name": "李四"})
    detect_risks(now=NOW)
    assert not RiskSignal.objects.exists()


@pytest.mark.django_db
def test_group_incident_precursors_per_place(world, settings):
    settings.RISK_GROUP_THRESHOLD = 3
    recent = [NOW - dt.timedelta(days=d) for d in (2, 9, 16)]
    plant(world.village, "requisition", recent[:1], is_group=True)
    plant(world.town, "requisition", recent[1:2], risk_mass_incident=True)
    plant(world.town, "forest_land", recent[2:], risk_upward_petition=True)
    detect_risks(now=NOW)
    signal = RiskSignal.objects.get(kind="group")
    assert signal.center == world.town and signal.count_30 == 3
    assert "测试镇 近30日" in signal.reason


@pytest.mark.django_db
def test_reruns_update_the_one_open_signal_and_never_drop_it_silently(world, supervisor):
    plant(world.town, "labour", weekly(NOW, {**QUIET, 0: 6}))
    detect_risks(now=NOW)
    first = RiskSignal.objects.get()
    events = SignalEvent.objects.count()

    again = detect_risks(now=NOW)  # the same data: nothing changes, no event
    assert (again.raised, again.updated, again.unchanged) == (0, 0, 1)
    assert SignalEvent.objects.count() == events

    plant(world.town, "labour", [NOW - dt.timedelta(hours=2)] * 3)
    detect_risks(now=NOW)
    signal = RiskSignal.objects.get()  # still one signal, updated
    assert signal.pk == first.pk and signal.count_7 == 9 and signal.signal_cases.count() == 9
    assert list(signal.events.values_list("type", flat=True)) == ["raised", "updated"]

    later = NOW + dt.timedelta(days=60)  # the surge is history now: the signal stays, marked subsided once
    detect_risks(now=later)
    detect_risks(now=later)
    signal.refresh_from_db()
    assert signal.state == "open" and signal.active is False
    assert list(signal.events.values_list("type", flat=True)) == ["raised", "updated", "subsided"]

    close_signal(signal, actor=supervisor, conclusion="已约谈施工方，工资已发放")
    plant(world.town, "labour", [later - dt.timedelta(hours=1)] * 8)
    detect_risks(now=later)
    assert RiskSignal.objects.count() == 2  # a new rise after closing is a new signal
    assert RiskSignal.objects.filter(state="closed").get().pk == first.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_take_turns_and_raise_one_signal(world):
    import threading

    from django.db import connection

    from risk.models import DetectionRun

    DetectionRun.objects.get_or_create(pk=1)  # seeded by the migration; a transactional test flushed it
    plant(world.town, "labour", weekly(NOW, {**QUIET, 0: 7}))
    errors = []

    def run():
        try:
            detect_risks(now=NOW)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    signal = RiskSignal.objects.get()
    assert list(signal.events.values_list("type", flat=True)) == ["raised"]
