"""Two taps of 我已阅读并确认 (or of the first visit) at the same time record one confirmation, one event: the
case row lock serialises them (PostgreSQL, threads with their own connections)."""

import threading

import pytest
from django.db import connections
from django.utils import timezone

from cases.models import TimelineEvent
from mediation_center.errors import DomainError
from online import session_services as services
from online.models import SessionParticipant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_confirmations_record_one(routed_case, mediator, zhang):
    case = routed_case
    party = case.parties.get(name="张三")
    online_session = services.schedule_online_session(
        case, actor=mediator, planned_at=timezone.now(), video_url="https://a.cn/x", parties=[party]
    )
    services.record_session_times(online_session, actor=mediator, held_from=timezone.now())
    online_session = services.close_online_session(online_session, actor=mediator)
    outcomes = []
    barrier = threading.Barrier(3)

    def tap(action):
        try:
            barrier.wait()
            if action == "join":
                outcomes.append(("join", services.join_session(online_session, party=party, citizen=zhang)))
            else:
                services.confirm_session_record(
                    online_session, party=party, citizen=zhang, record_sha256=online_session.record_sha256
                )
                outcomes.append(("confirm", True))
        except DomainError as exc:
            outcomes.append((action, exc.code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap, args=(a,)) for a in ("confirm", "confirm", "join")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    confirms = sorted(str(o[1]) for o in outcomes if o[0] == "confirm")
    assert confirms == ["True", "unchanged"]
    assert TimelineEvent.objects.filter(case=case, type="online_session_confirmed").count() == 1
    assert TimelineEvent.objects.filter(case=case, type="online_session_joined").count() == 1
    assert SessionParticipant.objects.get(party=party).confirmed_at is not None
