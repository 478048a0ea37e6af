"""Issue 15, items 5 and 9 on routing's lists: remaining time, htmx filtering, the supervisor's queue with a
bulk assignment reported per case, closed summonses of ended cases, and a 403 page that says why."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from cases.core.models import Case
from cases.core.states import Status
from cases.templatetags.deadlines import remaining
from routing import services
from routing.models import CaseAssignment, Summons

HX = {"HTTP_HX_REQUEST": "true"}


def test_remaining_counts_the_time_left_and_colours_it():
    now = timezone.now()
    assert ">剩 3 天<" in remaining(now + timedelta(days=3, hours=2), None, now)
    assert "lv-1" in remaining(now + timedelta(days=3, hours=2), None, now)
    assert ">剩 5 小时<" in remaining(now + timedelta(hours=5, minutes=3), None, now)
    assert "lv-3" in remaining(now + timedelta(hours=5), None, now)
    overdue = remaining(now - timedelta(days=2, hours=1), 1, now)
    assert ">超期 2 天<" in overdue and "lv-4" in overdue  # overdue is red whatever the level
    assert "lv-3" in remaining(now + timedelta(days=9), 3, now)  # a case's level gives the colour
    assert "无期限" in remaining(None)


def test_queue_rows_show_the_remaining_time(login, mediator, routed_case):
    case = routed_case()
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(days=1, hours=3))
    html = login(mediator).get(reverse("routing:queue") + "?tab=channel").content.decode()
    row = html[html.index(f'data-case="{case.pk}"') :]
    assert "超期 1 天" in row[: row.index("</tr>")]


def test_htmx_filter_answers_only_the_results(login, mediator, routed_case):
    case = routed_case()
    client = login(mediator)
    full = client.get(reverse("routing:queue") + "?tab=channel").content.decode()
    assert "<html" in full and 'hx-push-url="true"' in full and 'id="list-results"' in full
    part = client.get(reverse("routing:queue") + "?tab=channel&warning_level=", **HX).content.decode()
    assert "<html" not in part and 'data-testid="queue-results"' in part and case.number in part
    none = client.get(reverse("routing:queue") + "?tab=channel&dispute_type=medical", **HX).content.decode()
    assert case.number not in none and "暂无案件" in none


def test_assign_queue_shows_the_supervisors_unclaimed_cases(
    login, supervisor, foreign_supervisor, mediator, routed_case
):
    free, held = routed_case(), routed_case()
    services.claim_case(held, actor=mediator)
    html = login(supervisor).get(reverse("routing:assign_queue")).content.decode()
    assert free.number in html and held.number not in html
    assert 'data-testid="bulk-assign"' in html and f'data-testid="pick-{free.pk}"' in html
    html = login(foreign_supervisor).get(reverse("routing:assign_queue")).content.decode()
    assert free.number not in html


@pytest.mark.parametrize("persona", ["mediator", "clerk", "liaison", "outsider"])
def test_assign_queue_refuses_others_with_a_reason(request, login, persona):
    response = login(request.getfixturevalue(persona)).get(reverse("routing:assign_queue"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "待指派案件只对督办人员开放" in body and "可以怎么做" in body
    assert login(request.getfixturevalue(persona)).post(reverse("routing:bulk_assign")).status_code == 403


def test_bulk_assign_assigns_each_case_and_reports_each_failure(
    login, supervisor, mediator, mediator2, routed_case, world
):
    a, b, held = routed_case(), routed_case(), routed_case()
    services.claim_case(held, actor=mediator2)
    client = login(supervisor)
    response = client.post(
        reverse("routing:bulk_assign"),
        {
            "cases": [a.pk, b.pk, held.pk, 99999999],
            "mediator": mediator.pk,
            "reason": "均衡工作量",
            "query": "status=routed&next=//evil.example",
        },
    )
    assert response.status_code == 302 and response.url == reverse("routing:assign_queue") + "?status=routed"
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    for case in (a, b):
        assert CaseAssignment.objects.get(case=case, ended_at__isnull=True).mediator == mediator
        assert case.events.filter(type="assigned", actor=supervisor).count() == 1
        assert any(t.startswith(f"{case.number}：已指派") for t in texts)
    # the held case was claimed before the supervisor sent the list's choice: it stays with its mediator
    # (the queue lists cases nobody works); a case the supervisor may not reach is reported by its id, not a 500
    assert any(t.startswith(f"{held.number}：未指派，本案已由mediator2主办") for t in texts)
    assert CaseAssignment.objects.get(case=held, ended_at__isnull=True).mediator == mediator2
    assert any("99999999" in t and "找不到该案件" in t for t in texts)


def test_bulk_assign_reports_a_refusal_per_case(login, supervisor, mediator, routed_case):
    ok, closed = routed_case(), routed_case()
    Case.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    response = login(supervisor).post(
        reverse("routing:bulk_assign"), {"cases": [ok.pk, closed.pk], "mediator": mediator.pk, "reason": "x"}
    )
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert CaseAssignment.objects.filter(case=ok, mediator=mediator).exists()
    assert not CaseAssignment.objects.filter(case=closed).exists()
    assert any(t.startswith(f"{closed.number}：未指派") for t in texts)
    assert not closed.events.filter(type="assigned").exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"cases": ["abc"], "mediator": "1", "reason": "x"},
        {"cases": ["1"], "mediator": "zz", "reason": ""},
    ],
)
def test_bulk_assign_bad_input_is_a_message_not_a_500(login, supervisor, data):
    response = login(supervisor).post(reverse("routing:bulk_assign"), data)
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)]


def test_assign_queue_query_count_is_fixed(login, supervisor, routed_case, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(supervisor)
    routed_case()
    url = reverse("routing:assign_queue")
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    for _ in range(8):
        routed_case()
    with django_assert_num_queries(len(ctx.captured_queries)):
        assert client.get(url).status_code == 200


def test_summons_of_an_ended_case_is_closed_in_the_liaison_queue(login, liaison, routed_case):
    open_case, ended = routed_case(), routed_case()
    Case.objects.filter(pk=ended.pk).update(status=Status.CLOSED)
    s_open, s_ended = Summons.objects.get(case=open_case), Summons.objects.get(case=ended)
    client = login(liaison)
    html = client.get(reverse("routing:liaison_queue")).content.decode()
    cell = html[html.index(f'data-testid="summons-state-{s_ended.pk}"') :]
    assert cell[: cell.index("</td>")].endswith("已关闭（案件已结束）")
    assert html.index(f'data-summons="{s_open.pk}"') < html.index(f'data-summons="{s_ended.pk}"')
    pending = client.get(reverse("routing:liaison_queue") + "?state=pending").content.decode()
    assert open_case.number in pending and ended.number not in pending
    only_ended = client.get(reverse("routing:liaison_queue") + "?state=ended", **HX).content.decode()
    assert ended.number in only_ended and open_case.number not in only_ended
    detail = client.get(reverse("routing:summons_detail", args=[s_ended.pk])).content.decode()
    assert 'data-testid="summons-closed"' in detail and 'data-testid="accept-summons"' not in detail
    assert client.get(reverse("routing:liaison_queue") + "?state=bogus").status_code == 200


def test_forbidden_page_explains_and_hidden_stays_404(login, clerk, outsider, assigned_case):
    response = login(clerk).get(reverse("routing:queue"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "案件队列只对调解员开放" in body and 'data-testid="forbidden"' in body
    assert login(outsider).get(reverse("cases:detail", args=[assigned_case.pk])).status_code == 404
