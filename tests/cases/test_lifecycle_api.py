"""The lifecycle over the API: the whole chain, and the same access rules as the pages."""

import pytest
from django.urls import reverse

from cases.models import Case, Status
from tests.cases.lifecycle_helpers import *  # noqa: F403
from tests.cases.lifecycle_helpers import draft

# (url name, stage fixture, allowed persona, read-only persona, valid body)
ACTIONS = [
    (
        "api-session-create",
        "routed_case",
        "mediator",
        "clerk",
        {"started_at": "2026-03-02T09:30:00+08:00", "mode": "online", "discussion": "视频调解，双方陈述。"},
    ),
    (
        "api-agreement",
        "mediating_case",
        "mediator",
        "supervisor",
        {
            "facts": "欠薪三万元。",
            "issues": "支付时间。",
            "responsibilities": "被申请人负责。",
            "terms": [{"content": "支付三万元", "performance": "转账", "due_on": "2026-12-31"}],
        },
    ),
    (
        "api-conclude",
        "mediating_case",
        "mediator",
        "supervisor",
        {"outcome": "withdrawn", "reason": "已自行和解"},
    ),
    (
        "api-evaluate",
        "concluded_case",
        "supervisor",
        "mediator",
        {"outcome_correct": True, "documents_complete": True, "on_time": True, "comment": "良好"},
    ),
    ("api-close", "evaluated_case", "mediator", "clerk", {"summary": "结案", "money_covered": "30000.00"}),
    ("api-reopen", "closed_case", "supervisor", "mediator", {"reason": "当事人反悔"}),
]


@pytest.mark.parametrize(("name", "stage", "allowed", "read_only", "body"), ACTIONS)
def test_api_actions_by_persona(request, login, name, stage, allowed, read_only, body):
    case = request.getfixturevalue(stage)
    url = reverse(name, args=[case.pk])
    denied = login(request.getfixturevalue(read_only)).post(url, body, content_type="application/json")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "permission_denied"
    assert (
        login(request.getfixturevalue("outsider"))
        .post(url, body, content_type="application/json")
        .status_code
        == 404
    )
    assert login(request.getfixturevalue(allowed)).get(url).status_code == 405
    before = Case.objects.get(pk=case.pk).status
    response = login(request.getfixturevalue(allowed)).post(url, body, content_type="application/json")
    assert response.status_code in (200, 201), response.content
    assert response.json()["case"] == case.pk
    assert Case.objects.get(pk=case.pk).status != before or name == "api-agreement"


def test_api_full_chain(login, routed_case, mediator, supervisor):
    client = login(mediator)
    pk = routed_case.pk
    parties = list(routed_case.parties.values_list("pk", flat=True))
    body = client.post(
        reverse("api-session-create", args=[pk]),
        {
            "started_at": "2026-03-02T09:30:00+08:00",
            "mode": "in_person",
            "discussion": "面对面调解。",
            "parties": parties,
        },
        content_type="application/json",
    ).json()
    assert body["status"] == "in_mediation" and body["sessions"][0]["parties"] == parties
    session_id = body["sessions"][0]["id"]
    body = client.patch(
        reverse("api-session-update", args=[pk, session_id]),
        {"result": "同意分期"},
        content_type="application/json",
    ).json()
    assert body["sessions"][0]["result"] == "同意分期"
    client.post(
        reverse("api-agreement", args=[pk]),
        {
            "facts": "欠薪。",
            "issues": "数额。",
            "responsibilities": "被申请人负责。",
            "terms": [{"content": "支付三万元", "performance": "转账"}],
        },
        content_type="application/json",
    )
    body = client.post(
        reverse("api-agreement-sign", args=[pk]),
        {"parties": parties, "mediator": True, "seal": True},
        content_type="application/json",
    ).json()
    from django.utils import timezone

    from cases.core.workcalendar import WorkCalendar

    today = timezone.localdate()
    expected = (WorkCalendar().add_calendar_days(today, 30) - today).days  # 30, or more past a holiday
    assert body["agreement"]["effective_on"] and body["agreement"]["confirmation_days_left"] == expected
    body = client.post(
        reverse("api-conclude", args=[pk]), {"outcome": "written_agreement"}, content_type="application/json"
    ).json()
    assert body["status"] == "concluded" and body["actions"] == []
    refused = client.post(
        reverse("api-close", args=[pk]), {"summary": "结案"}, content_type="application/json"
    )
    assert refused.status_code == 409  # the mediator may close, but not before the evaluation
    assert refused.json()["error"]["message"] == "结案前须经督办人员或指定评估人评估。"
    login(supervisor).post(
        reverse("api-evaluate", args=[pk]),
        {"outcome_correct": True, "documents_complete": True, "on_time": True, "comment": "好"},
        content_type="application/json",
    )
    client = login(mediator)
    body = client.post(
        reverse("api-close", args=[pk]), {"summary": "结案"}, content_type="application/json"
    ).json()
    assert body["status"] == "closed" and len(body["follow_ups"]) == 1
    assert body["documents"]["case_file"] == reverse("cases:case_file_pdf", args=[pk])
    visit = body["follow_ups"][0]["id"]
    body = client.post(
        reverse("api-follow-up", args=[pk, visit]),
        {"method": "phone", "performance": "performed", "satisfaction": 5, "party": parties[0]},
        content_type="application/json",
    ).json()
    assert body["follow_ups"][0]["satisfaction"] == 5 and body["follow_ups"][0]["visitor"] == "mediator"
    lifecycle = login(supervisor).get(reverse("api-case-lifecycle", args=[pk])).json()
    assert lifecycle["evaluation"]["comment"] == "好" and "reopen" in lifecycle["actions"]


def test_api_domain_errors_use_the_one_error_shape(login, mediating_case, mediator):
    draft(mediating_case, mediator)
    response = login(mediator).post(
        reverse("api-conclude", args=[mediating_case.pk]),
        {"outcome": "written_agreement"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "agreement_not_effective"
    assert "尚未生效" in response.json()["error"]["message"]


def test_api_validation_errors(login, mediating_case, mediator):
    response = login(mediator).post(
        reverse("api-session-create", args=[mediating_case.pk]),
        {"mode": "online"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "discussion" in response.json()["error"]["fields"]


def test_api_lifecycle_read_by_persona(login, closed_case, clerk, outsider):
    url = reverse("api-case-lifecycle", args=[closed_case.pk])
    body = login(clerk).get(url).json()
    assert body["status"] == "closed" and body["actions"] == []
    assert body["agreement"]["terms"][0]["content"] == "李四向张三支付工资人民币两万元"
    assert login(outsider).get(url).status_code == 404
    assert login(clerk).post(url).status_code == 405


def test_api_follow_up_by_persona_and_overdue_list(login, closed_case, mediator, clerk, outsider, supervisor):
    visit = closed_case.follow_ups.first()
    url = reverse("api-follow-up", args=[closed_case.pk, visit.pk])
    body = {
        "method": "phone",
        "performance": "broken",
        "satisfaction": 1,
        "reopen": True,
        "reopen_reason": "未付款",
    }
    assert login(clerk).post(url, body, content_type="application/json").status_code == 403
    assert login(outsider).post(url, body, content_type="application/json").status_code == 404
    assert login(mediator).get(url).status_code == 405
    response = login(mediator).post(url, body, content_type="application/json")
    assert response.json()["status"] == Status.IN_MEDIATION
    assert login(supervisor).get(reverse("api-overdue-follow-ups")).json()["results"] == []
    assert login(clerk).get(reverse("api-overdue-follow-ups")).status_code == 200


def test_api_signing_without_an_agreement_is_refused(login, mediating_case, mediator):
    response = login(mediator).post(
        reverse("api-agreement-sign", args=[mediating_case.pk]),
        {"seal": True},
        content_type="application/json",
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "no_agreement"
