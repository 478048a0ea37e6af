"""Two mediators claim the same case at the same moment: exactly one wins, every time."""

import threading

import pytest
from django.db import connection

from cases.models import Case
from routing import services
from routing.access import get_case_for_claim
from routing.errors import AlreadyClaimed
from routing.models import CaseAssignment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TRIALS = 100


def _claim(case_pk: int, user, barrier: threading.Barrier, results: list):
    try:
        case = get_case_for_claim(user, case_pk)  # as the page and the API do, while the case is queued
        barrier.wait(timeout=10)
        services.claim_case(case, actor=user)
        results.append(("won", user.username))
    except AlreadyClaimed as exc:
        results.append(("lost", str(exc.message)))
    except Exception as exc:  # noqa: BLE001 - a crash must show up as a failed trial, not a hang
        results.append(("error", repr(exc)))
    finally:
        connection.close()


def test_concurrent_claims_have_exactly_one_winner(routed_case, mediator, mediator2):
    for trial in range(TRIALS):
        case = routed_case()
        barrier = threading.Barrier(2)
        results: list = []
        threads = [
            threading.Thread(target=_claim, args=(case.pk, user, barrier, results))
            for user in (mediator, mediator2)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        outcomes = sorted(r[0] for r in results)
        assert outcomes == ["lost", "won"], (trial, results)
        loser_message = next(r[1] for r in results if r[0] == "lost")
        # the loser no longer sees the claimed case, so the winner is not named (issue 13, item 5)
        assert loser_message == "该案件已被其他调解员认领。"
        assert CaseAssignment.objects.filter(case=case, ended_at__isnull=True).count() == 1
        assert Case.objects.get(pk=case.pk).events.filter(type="claimed").count() == 1
