"""Lifecycle pages and the case page: access per persona, forms, what the user sees, query counts."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.lifecycle import services
from cases.models import Case, FollowUpVisit, Status
from tests.cases.lifecycle_helpers import *  # noqa: F403
from tests.cases.lifecycle_helpers import draft, route, session

# (url name, stage fixture, allowed persona, read-only persona)
FORM_PAGES = [
    ("cases:session_create", "routed_case", "mediator", "clerk"),
    ("cases:agreement_edit", "mediating_case", "mediator", "supervisor"),
    ("cases:conclude", "mediating_case", "mediator", "supervisor"),
    ("cases:evaluate", "concluded_case", "supervisor", "mediator"),
    ("cases:designate_reviewer", "concluded_case", "supervisor", "mediator"),
    ("cases:close", "evaluated_case", "mediator", "clerk"),
    ("cases:reopen", "closed_case", "supervisor", "mediator"),
]


@pytest.mark.parametrize(("name", "stage", "allowed", "read_only"), FORM_PAGES)
def test_form_pages_by_persona(request, login, name, stage, allowed, read_only):
    case = request.getfixturevalue(stage)
    url = reverse(name, args=[case.pk])
    assert login(request.getfixturevalue(allowed)).get(url).status_code == 200
    assert login(request.getfixturevalue(allowed)).put(url).status_code == 405
    assert login(request.getfixturevalue(read_only)).get(url).status_code == 403
    assert login(request.getfixturevalue(read_only)).post(url, {}).status_code == 403
    assert login(request.getfixturevalue("outsider")).get(url).status_code == 404


def test_sign_session_edit_and_follow_up_pages_by_persona(login, mediating_case, mediator, clerk, outsider):
    draft(mediating_case, mediator)
    s = mediating_case.sessions.get()
    for url in (
        reverse("cases:agreement_sign", args=[mediating_case.pk]),
        reverse("cases:session_edit", args=[mediating_case.pk, s.pk]),
    ):
        assert login(mediator).get(url).status_code == 200
        assert login(clerk).get(url).status_code == 403
        assert login(outsider).get(url).status_code == 404
        assert login(mediator).delete(url).status_code == 405


def test_follow_up_page_by_persona(login, closed_case, mediator, clerk, outsider):
    visit = closed_case.follow_ups.first()
    url = reverse("cases:follow_up", args=[closed_case.pk, visit.pk])
    assert login(mediator).get(url).status_code == 200
    assert login(clerk).get(url).status_code == 403
    assert login(outsider).get(url).status_code == 404
    assert login(mediator).put(url).status_code == 405


@pytest.mark.parametrize("name", ["cases:agreement_pdf", "cases:case_file_pdf"])
def test_pdf_downloads_by_persona(login, closed_case, clerk, outsider, name):
    url = reverse(name, args=[closed_case.pk])
    response = login(clerk).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert login(outsider).get(url).status_code == 404
    assert login(clerk).post(url).status_code == 405


def test_missing_document_answers_404(login, mediating_case, mediator):
    assert (
        login(mediator).get(reverse("cases:termination_notice_pdf", args=[mediating_case.pk])).status_code
        == 404
    )


def test_recording_a_session_through_the_page(login, routed_case, mediator):
    client = login(mediator)
    applicant = routed_case.parties.get(role="applicant")
    response = client.post(
        reverse("cases:session_create", args=[routed_case.pk]),
        {
            "started_at": "2026-03-02T09:30",
            "mode": "in_person",
            "place": "一楼调解室",
            "parties": [applicant.pk],
            "discussion": "听取申请人陈述。",
            "result": "",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "调解记录已保存。" in html and "听取申请人陈述。" in html and "一楼调解室" in html
    assert Case.objects.get(pk=routed_case.pk).status == Status.IN_MEDIATION


def test_form_errors_are_chinese_next_to_the_field_and_keep_input(login, routed_case, mediator):
    response = login(mediator).post(
        reverse("cases:session_create", args=[routed_case.pk]),
        {"started_at": "2026-03-02T09:30", "mode": "in_person", "place": "一楼调解室", "discussion": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        'class="invalid-feedback d-block" role="alert" id="id_discussion_error"' in html
        and "该字段是必填项。" in html
    )
    assert 'value="一楼调解室"' in html
    assert not routed_case.sessions.exists()


def test_failed_conclusion_requires_routes_on_the_form(login, mediating_case, mediator):
    response = login(mediator).post(
        reverse("cases:conclude", args=[mediating_case.pk]), {"outcome": "failed", "reason": "无法达成一致"}
    )
    assert "须告知当事人可以通过哪些途径维护权利" in response.content.decode()
    assert Case.objects.get(pk=mediating_case.pk).status == Status.IN_MEDIATION


def test_domain_refusal_is_shown_as_a_message(login, mediating_case, mediator):
    draft(mediating_case, mediator)
    response = login(mediator).post(
        reverse("cases:conclude", args=[mediating_case.pk]), {"outcome": "written_agreement"}, follow=True
    )
    assert "书面调解协议尚未生效" in response.content.decode()


def test_agreement_page_saves_terms_from_the_formset(login, mediating_case, mediator):
    data = {
        "facts": "拖欠工资三万元。",
        "issues": "支付时间。",
        "responsibilities": "被申请人负全部责任。",
        "terms-TOTAL_FORMS": "3",
        "terms-INITIAL_FORMS": "0",
        "terms-0-content": "支付三万元",
        "terms-0-performance": "银行转账",
        "terms-0-due_on": "2026-12-31",
        "terms-1-content": "",
        "terms-1-performance": "",
        "terms-2-content": "",
    }
    login(mediator).post(reverse("cases:agreement_edit", args=[mediating_case.pk]), data)
    agreement = services.current_agreement(mediating_case)
    assert [(t.content, t.performance, str(t.due_on)) for t in agreement.terms.all()] == [
        ("支付三万元", "银行转账", "2026-12-31")
    ]
    data["terms-0-content"] = ""
    data["terms-0-performance"] = data["terms-0-due_on"] = ""
    response = login(mediator).post(reverse("cases:agreement_edit", args=[mediating_case.pk]), data)
    assert "调解协议至少要有一项协议内容。" in response.content.decode()


def fresh_client(user) -> Client:
    """A new session: the idle timeout would end one carried across a jump in time."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _actions(html: str) -> set[str]:
    import re

    return set(re.findall(r'data-action="([a-z_]+)"', html))


def test_case_page_shows_only_the_actions_of_the_user(login, concluded_case, mediator, supervisor, clerk):
    url = reverse("cases:detail", args=[concluded_case.pk])
    assert _actions(login(supervisor).get(url).content.decode()) == {
        "evaluate",
        "reopen",
        "designate_reviewer",
    }
    mediator_html = login(mediator).get(url).content.decode()
    assert _actions(mediator_html) == set()
    assert "结案前须经督办人员或指定评估人评估。" in mediator_html
    assert _actions(login(clerk).get(url).content.decode()) == set()


def test_case_page_actions_while_mediating(login, mediating_case, mediator, supervisor):
    url = reverse("cases:detail", args=[mediating_case.pk])
    assert _actions(login(mediator).get(url).content.decode()) == {
        "record_session",
        "edit_agreement",
        "conclude",
    }
    assert _actions(login(supervisor).get(url).content.decode()) == set()


def test_case_page_shows_everything_with_the_timeline_newest_first(login, closed_case, supervisor, mediator):
    html = login(supervisor).get(reverse("cases:detail", args=[closed_case.pk])).content.decode()
    for expected in (
        "110105********002X",
        "138****8000",
        "专调",
        "调解员",
        "司法确认申请期限",
        "双方陈述了欠薪经过",
        "调解协议书（PDF）",
        "卷宗（PDF）",
        "处理得当，文书齐全。",
        "结案回访",
        "待回访",
    ):
        assert expected in html, expected
    assert "11010519491231002X" not in html
    timeline = html[html.index('data-testid="timeline"') :]
    order = [
        timeline.index(f'data-event="{code}"') for code in ("closed", "evaluated", "concluded", "registered")
    ]
    assert order == sorted(order)
    assert "mediator" in timeline[timeline.index('data-event="closed"') :][:300]


def test_case_page_has_a_fixed_number_of_queries(login, mediating_case, mediator, supervisor):
    client = login(supervisor)
    url = reverse("cases:detail", args=[mediating_case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    baseline = len(one)  # read now: the captured list is a view on a log later requests reset
    assert baseline > 5
    for _ in range(4):
        session(mediating_case, mediator)
    with CaptureQueriesContext(connection) as five:
        client.get(url)
    assert len(five) == baseline


def test_overdue_page_lists_late_visits_at_a_fixed_number_of_queries(
    login, make_case, world, mediator, supervisor, clerk, django_assert_max_num_queries
):
    def closed():
        case = route(make_case(), world.channels["specialist"])
        session(case, mediator)
        services.conclude_case(case, actor=mediator, outcome="withdrawn", reason="撤回")
        services.evaluate_case(
            case, actor=supervisor, outcome_correct=True, documents_complete=True, on_time=True, comment="好"
        )
        return services.close_case(case, actor=mediator, summary="撤回结案")

    first = closed()
    client = login(supervisor)
    url = reverse("cases:overdue_follow_ups")
    assert first.number not in client.get(url).content.decode()
    later = timezone.now() + timedelta(days=9)
    with time_machine.travel(later):
        with CaptureQueriesContext(connection) as one:
            html = fresh_client(supervisor).get(url).content.decode()
        baseline = len(one)  # read now: the captured list is a view on a log later requests reset
        assert first.number in html and html.count("data-visit=") == 1
    for _ in range(3):
        closed()
    with time_machine.travel(later):
        client = fresh_client(supervisor)
        client.get(url)  # the same warm-up (session, roles) as above
        with django_assert_max_num_queries(baseline):
            html = client.get(url).content.decode()
        assert html.count("data-visit=") == 4
        assert fresh_client(clerk).get(url).content.decode().count("data-visit=") == 0
    assert FollowUpVisit.objects.filter(visited_at__isnull=True).count() == 4
