"""The 研判预警 part of the schema walk (tests/api/test_schema_contract.py calls it): every risk endpoint,
called as a supervisor allowed to, answers what the schema documents."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from risk.models import RiskSignal
from risk.services import detect_risks
from tests.risk.helpers import plant, weekly

JSON = "application/json"


def exercise_risk_api(api, client, login, world, supervisor, mediator) -> None:
    now = timezone.now()
    plant(world.town, "consumer", weekly(now, {0: 7}))
    detect_risks(now=now)
    signal = RiskSignal.objects.filter(kind="cell", dispute_type__code="consumer").get()
    login(supervisor)
    listing = api.check(client.get(reverse("api-risk-signal-list")), 200)
    assert signal.pk in {row["id"] for row in listing["results"]}
    api.check(client.get(reverse("api-risk-signal-detail", args=[signal.pk])), 200)
    api.check(client.post(reverse("api-risk-signal-acknowledge", args=[signal.pk])), 200)
    body = {"assignee": mediator.pk, "note": "牵头核查"}
    api.check(client.post(reverse("api-risk-signal-assign", args=[signal.pk]), body, content_type=JSON), 200)
    due = (now + dt.timedelta(days=2)).isoformat()
    body = {
        "case": signal.signal_cases.first().case_id,
        "held_at": now.isoformat(),
        "participants": "市场监管局、测试镇",
        "decisions": "集中约谈商户",
        "tasks": [{"title": "约谈商户", "owner": mediator.pk, "due_at": due}],
    }
    api.check(
        client.post(reverse("api-risk-signal-conference", args=[signal.pk]), body, content_type=JSON), 201
    )
    task = api.check(
        client.post(
            reverse("api-risk-signal-tasks", args=[signal.pk]),
            {"title": "回访消费者", "owner": mediator.pk, "due_at": due},
            content_type=JSON,
        ),
        201,
    )
    done = {"result": "已回访"}
    api.check(
        client.post(reverse("api-risk-task-done", args=[signal.pk, task["id"]]), done, content_type=JSON), 200
    )
    closed = api.check(
        client.post(
            reverse("api-risk-signal-close", args=[signal.pk]), {"conclusion": "已处置"}, content_type=JSON
        ),
        200,
    )
    assert closed["state"] == "closed" and [t["done_at"] is not None for t in closed["tasks"]] == [
        False,
        True,
    ]
