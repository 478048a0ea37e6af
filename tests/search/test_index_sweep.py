"""When the index follows a change (issue 20 item 2, "or by a sweep within a minute, stated"): a change queues its
case in its own transaction and a new case's exact keys are written at once; the words are indexed by the beat
sweep (``search.indexer.index_pending``), which loses nothing when it dies, changes nothing twice when repeated,
and leaves what a rebuild of the whole index would. No ``swept_at_once`` here: the sweep runs when a test says."""

import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from cases.core.models import Case
from cases.intake.services import merge_case, register_case
from cases.lifecycle import services
from search import indexer
from search.apps import SWEEP_SECONDS, seed_sweep_schedule
from search.indexer import index_cases, index_pending
from search.models import CaseIndex, CaseKey, IndexQueue
from search.selectors import search_cases
from search.tasks import index_pending_cases
from tests.cases.lifecycle_helpers import make_effective, route, session
from tests.conftest import VALID_ID, make_case_data

FREIGHT = "某物流公司拖欠货车司机运费三万元，司机多次催讨。"


def _ids(user, query) -> list[int]:
    return [hit.case.pk for hit in search_cases(user, query).hits]


def _index_of(case_ids) -> dict:
    rows = CaseIndex.objects.filter(case_id__in=case_ids).order_by("case_id")
    keys = CaseKey.objects.filter(case_id__in=case_ids).order_by("case_id", "key")
    return {
        "rows": list(
            rows.values("case_id", "head", "body", "excerpt", "respondents", "county_id", "created_at")
        ),
        "keys": list(keys.values_list("case_id", "key")),
    }


def test_a_new_case_is_found_by_its_keys_at_once_and_by_its_words_after_the_sweep(
    login, supervisor, make_case
):
    case = make_case(summary=FREIGHT)
    assert _ids(supervisor, case.number) == [case.pk]
    assert _ids(supervisor, case.tracking_code) == [case.pk]
    assert _ids(supervisor, "138-0013-8000") == [case.pk]  # the applicant's phone, as typed
    assert _ids(supervisor, VALID_ID) == [case.pk]
    assert _ids(supervisor, "运费") == [] and not CaseIndex.objects.filter(case=case).exists()
    assert list(IndexQueue.objects.values_list("case_id", flat=True)) == [case.pk]

    assert index_pending() == 1
    assert _ids(supervisor, "运费") == [case.pk] and _ids(supervisor, "货车司机 运费") == [case.pk]
    assert not IndexQueue.objects.exists()
    page = login(supervisor).get(reverse("cases:search"), {"q": "运费"}).content.decode()
    assert "新登记或修改的案件按词语一分钟内可查到" in page  # the page says when words are found
    assert f'data-case="{case.pk}"' in page


def test_registration_pays_two_inserts_and_no_read_of_search(make_case):
    make_case()  # warm caches
    with CaptureQueriesContext(connection) as captured:
        make_case(summary=FREIGHT)
    search_sql = [q["sql"] for q in captured.captured_queries if '"search_' in q["sql"]]
    assert len(search_sql) == 2, search_sql
    assert search_sql[0].startswith("INSERT") and 'INTO "search_casekey"' in search_sql[0]
    assert search_sql[1].startswith('INSERT INTO "search_indexqueue"')


def test_a_change_is_found_by_its_words_after_the_sweep(supervisor, make_case, world, mediator):
    case = route(make_case(), world.channels["specialist"])
    index_pending()
    session(case, mediator, discussion="公司同意通过微信转账支付。")
    assert _ids(supervisor, "微信转账") == []
    assert IndexQueue.objects.filter(case=case).exists()
    index_pending()
    assert _ids(supervisor, "微信转账") == [case.pk]


def test_a_sweep_that_dies_loses_nothing(supervisor, make_case, monkeypatch):
    case = make_case(summary=FREIGHT)
    written = indexer.index_cases

    def dies(case_ids):
        written(case_ids)  # the rows are written, then the worker dies before its commit
        raise RuntimeError("worker died")

    monkeypatch.setattr(indexer, "index_cases", dies)
    with pytest.raises(RuntimeError, match="worker died"):
        index_pending()
    assert not CaseIndex.objects.filter(case=case).exists()
    assert list(IndexQueue.objects.values_list("case_id", flat=True)) == [case.pk]  # still queued
    assert _ids(supervisor, case.number) == [case.pk]  # its keys survive too

    monkeypatch.undo()
    assert index_pending() == 1
    assert _ids(supervisor, "运费") == [case.pk]


def test_a_change_undone_queues_nothing(world, clerk):
    with pytest.raises(RuntimeError, match="undone"), transaction.atomic():
        register_case.step(center=world.county, actor=clerk, data=make_case_data(summary=FREIGHT))
        assert IndexQueue.objects.count() == 1 and CaseKey.objects.exists()
        raise RuntimeError("undone")
    assert not IndexQueue.objects.exists() and not CaseKey.objects.exists()


def test_repeated_sweeps_change_nothing_twice(make_case):
    case = make_case(summary=FREIGHT)
    assert index_pending() == 1
    swept = _index_of([case.pk])
    assert index_pending() == 0
    IndexQueue.objects.bulk_create([IndexQueue(case_id=case.pk), IndexQueue(case_id=case.pk)])
    assert index_pending() == 2  # the case twice in one chunk: rebuilt once, both rows gone
    assert _index_of([case.pk]) == swept and not IndexQueue.objects.exists()


def test_the_sweep_goes_chunk_by_chunk_and_skips_a_vanished_case(make_case):
    cases = [make_case(summary=f"第{i}起运费纠纷") for i in range(5)]
    IndexQueue.objects.create(case_id=max(c.pk for c in cases) + 1000)  # a case no longer there
    with CaptureQueriesContext(connection) as captured:
        assert index_pending(chunk=2) == 6
    assert CaseIndex.objects.count() == 5 and not IndexQueue.objects.exists()
    # three full chunks of twelve statements (the look, index_cases' ten, the delete), then the empty look
    assert len([q for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]) == 3 * 12 + 1


def test_after_a_working_day_the_swept_index_is_what_a_rebuild_writes(make_case, world, mediator, clerk):
    """Every change that may alter a case's text reaches the index through the sweep (a missed one would show
    as a difference from the rebuild): registration, sessions, agreements and their terms, conclusion, merge."""
    settled = route(make_case(summary=FREIGHT), world.channels["specialist"])
    session(settled, mediator, discussion="物流公司承认拖欠运费，同意分期支付。")
    make_effective(settled, mediator)
    services.conclude_case(settled, actor=mediator, outcome="written_agreement")
    failed = route(make_case(summary="快递网点拖欠分拣员工资。"), world.channels["specialist"])
    services.record_session(
        failed, actor=mediator, started_at=timezone.now(), mode="phone", discussion="网点负责人拒不到场。", result="", outcome="failed",
        parties=list(failed.parties.all()),
    )  # fmt: skip
    target = make_case(summary="同一物流公司另欠司机运费。")
    repeat = make_case(summary="重复登记：物流公司欠运费。")
    merge_case(repeat, actor=clerk, into=target)
    ids = list(Case.objects.values_list("pk", flat=True))
    index_pending()
    swept = _index_of(ids)
    assert len(swept["rows"]) == len(ids)
    with transaction.atomic():
        index_cases(ids)  # what manage.py rebuild_search_index writes
    assert _index_of(ids) == swept


def test_the_sweep_is_a_beat_task_every_thirty_seconds(db):
    seed_sweep_schedule()
    seed_sweep_schedule()  # idempotent (post_migrate runs it after every migrate)
    task = PeriodicTask.objects.get(name="search.index_pending")
    assert task.task == index_pending_cases.name == "search.index_pending" and task.enabled
    assert (task.interval.every, task.interval.period) == (SWEEP_SECONDS, "seconds") and SWEEP_SECONDS <= 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_sweep_waits_for_the_first_so_an_older_reading_never_wins(
    supervisor, make_case, world, mediator, monkeypatch
):
    """Sweep A reads the case, then the case changes (queued again), then sweep B starts while A has not yet
    written: B must wait for A's queued rows and read the case after A commits (a sweep that skipped A's rows
    would write the new words first, and A's older reading over them)."""
    case = route(make_case(summary=FREIGHT), world.channels["specialist"])
    index_pending()
    session(case, mediator, discussion="双方约定先付一半。")  # queued: A's reading
    a_has_read, a_may_write = threading.Event(), threading.Event()
    built = indexer.build_row

    def slow_in_a(*args):
        if threading.current_thread().name == "A" and not a_has_read.is_set():
            a_has_read.set()
            assert a_may_write.wait(20)
        return built(*args)

    monkeypatch.setattr(indexer, "build_row", slow_in_a)
    errors = []

    def sweep():
        try:
            index_pending()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    a = threading.Thread(target=sweep, name="A")
    a.start()
    assert a_has_read.wait(20)
    session(case, mediator, discussion="公司改以银行承兑汇票结清。")  # committed and queued while A works
    b = threading.Thread(target=sweep, name="B")
    b.start()
    b.join(1.0)
    assert b.is_alive()  # B waits behind A's queued rows
    a_may_write.set()
    a.join(20)
    b.join(20)
    assert errors == [] and not IndexQueue.objects.exists()
    assert _ids(supervisor, "承兑汇票") == [case.pk]  # the newer reading won
