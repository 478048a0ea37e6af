"""The citizen's status page tells where the case stands: the step bar, the stage in plain words, the
headline deadline with 剩 N 天 and 暂定, every extension with its reason, the outcome of an ended case, the
agreement's terms and the judicial-confirmation window, and a one-tap rating reached from the lookup."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from cases.lifecycle import services as lifecycle
from cases.models import CaseClock, DisputeType, Rating
from cases.warnings.services import extend_clock
from tests.cases.lifecycle_helpers import make_effective, route, session
from tests.cases.warnings_support import START, local

pytestmark = pytest.mark.django_db


def lookup(client, case, digits="8000"):
    return client.post(
        "/portal/status/", {"code": case.tracking_code, "phone_last4": digits}
    ).content.decode()


def steps(body: str) -> list[tuple[str, str]]:
    bar = re.search(r'data-testid="step-bar".*?</ol>', body, re.S).group(0)
    return re.findall(r'<li class="step-(\w+)".*?</span>([^<]+)</li>', bar, re.S)


def as_user(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_registered_case_shows_the_step_bar_and_the_headline_with_days_left(client, make_case):
    with time_machine.travel(START, tick=False):
        case = make_case()  # labour: 15 days, due 2026-03-17
    with time_machine.travel(START + dt.timedelta(days=5), tick=False):
        body = lookup(client, case)
    assert steps(body) == [
        ("current", "已受理"),
        ("todo", "已分流"),
        ("todo", "调解中"),
        ("todo", "已达成协议/已终结"),
        ("todo", "已办结"),
        ("todo", "回访"),
    ]
    assert "您的案件已受理，中心正在确定由哪个调解组织或部门承办。" in body
    block = re.search(r'data-testid="headline-deadline">.*?data-testid="days-left">([^<]+)<', body, re.S)
    assert "劳动争议调解期限" in block.group(0) and "2026年3月17日" in block.group(0)
    assert block.group(1).strip() == "剩 10 天"
    assert "暂定" not in block.group(0) and "受理后确定" not in body


def test_a_provisional_deadline_says_so_and_why(client, make_case):
    with time_machine.travel(local(2026, 12, 20), tick=False):
        case = make_case(dispute_type=DisputeType.objects.get(code="medical"))  # 30 working days into 2027
        body = lookup(client, case)
    assert CaseClock.objects.get(case=case).provisional
    assert 'data-testid="provisional"' in body
    assert "2027 年的法定节假日安排尚未公布" in body


def test_an_extension_is_shown_with_its_date_length_and_reason(client, make_case, supervisor):
    with time_machine.travel(START, tick=False):
        case = make_case(dispute_type=DisputeType.objects.get(code="family"))  # 30 days, 1 extension of 30
    clock = CaseClock.objects.get(case=case, code="handling")
    with time_machine.travel(START + dt.timedelta(days=20), tick=False):
        extend_clock(clock, actor=supervisor, length=15, reason="需等待伤情鉴定结论")
        body = lookup(client, case)
    extensions = re.search(r'data-testid="extensions">(.*?)</ul>', body, re.S).group(1)
    assert "2026-03-22" in extensions and "调解期限" in extensions and "延长 15 自然日" in extensions
    assert "需等待伤情鉴定结论" in extensions
    assert "2026年4月16日" in body  # Apr 1 + 15 days: the headline moved, and the page says why


def test_an_ended_case_shows_its_outcome_terms_and_confirmation_window(client, make_case, world, mediator):
    with time_machine.travel(START, tick=False):
        case = make_case(dispute_type=DisputeType.objects.get(code="family"))
        case = route(case, world.channels["specialist"])
        session(case, mediator)
        make_effective(case, mediator)
        lifecycle.conclude_case(case, actor=mediator, outcome="written_agreement")
        body = lookup(client, case)
    assert [state for state, _label in steps(body)][:4] == ["done", "done", "done", "current"]
    assert steps(body)[3][1] == "已达成协议"
    outcome = re.search(r'data-testid="outcome">(.*?)</div>', body, re.S).group(1)
    assert "达成书面调解协议" in outcome
    terms = re.findall(
        r"<li>(.*?)</li>", re.search(r'data-testid="agreement-terms">(.*?)</ol>', outcome, re.S).group(1)
    )
    assert len(terms) == 2 and terms[0].startswith("李四向张三支付工资人民币两万元")
    assert "如需申请司法确认，请于 2026年4月1日 前" in outcome  # effective Mar 2 + 30 days


def test_a_terminated_case_names_the_routes_left(client, make_case, world, mediator):
    with time_machine.travel(START, tick=False):
        case = route(make_case(), world.channels["specialist"])
        session(case, mediator)
        lifecycle.conclude_case(
            case,
            actor=mediator,
            outcome="failed",
            reason="被申请人不同意任何支付方案。",
            routes=["arbitration", "court"],
        )
        body = lookup(client, case)
    assert steps(body)[3] == ("current", "已终结")
    outcome = re.search(r'data-testid="outcome">(.*?)</div>', body, re.S).group(1)
    assert "调解不成，终止调解" in outcome and "被申请人不同意任何支付方案" in outcome
    assert "仲裁" in outcome and "诉讼" in outcome


def test_a_closed_case_never_says_to_be_set_after_acceptance_and_offers_rating(
    client, make_case, close, citizen
):
    case = close(make_case())
    body = lookup(client, case)
    assert "受理后确定" not in body
    assert [state for state, _label in steps(body)] == ["done"] * 5 + ["todo"]
    link = re.search(r'href="([^"]+)" data-testid="rate-link"', body).group(1)
    assert link.startswith("/portal/sign-in/?next=")
    assert f"%2Fportal%2Fcases%2F{case.tracking_code}%2F%23rating" in link
    # Signed in, the case page has the five faces, each one a single tap.
    page = as_user(citizen).get(f"/portal/cases/{case.tracking_code}/").content.decode()
    faces = re.findall(
        r'<button type="submit" name="score" value="(\d)"[^>]*>.*?class="label">([^<]+)<', page, re.S
    )
    assert faces == [
        ("5", "非常满意"),
        ("4", "满意"),
        ("3", "基本满意"),
        ("2", "不满意"),
        ("1", "非常不满意"),
    ]
    response = as_user(citizen).post(f"/portal/cases/{case.tracking_code}/rating/", {"score": "5"})
    assert response.status_code == 302 and Rating.objects.get().score == 5


def test_the_lookup_of_a_signed_in_citizen_links_straight_to_the_rating(make_case, close, citizen):
    case = close(make_case())
    body = lookup(as_user(citizen), case)
    assert f'href="/portal/cases/{case.tracking_code}/#rating"' in body
