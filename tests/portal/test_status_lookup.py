import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecurityAuditEvent
from cases.core import timeline
from cases.documents.registry import Document, register, unregister

URL = "/portal/status/"
GENERIC = "查询码（或案号）与手机号后四位不匹配，请核对后重试。"


def lookup(client, code, digits, ip="10.0.0.1"):
    return client.post(URL, {"code": code, "phone_last4": digits}, REMOTE_ADDR=ip)


def errors_block(response) -> str:
    match = re.search(r'data-testid="lookup-error">(.*?)</div>', response.content.decode(), re.S)
    return match.group(1) if match else ""


@pytest.mark.django_db
def test_lookup_by_tracking_code_shows_status_public_timeline_and_masked_parties(client, make_case, mediator):
    case = make_case()
    timeline.EventType("portal_test_internal", "内部备注").record(
        case, actor=mediator, data={"reason": "调解员私下备注"}
    )
    response = lookup(client, case.tracking_code.lower(), "5678")  # respondent's phone 13912345678
    body = response.content.decode()
    assert response.status_code == 200
    assert "已受理" in body and case.number in body
    assert "登记受理" in body  # the public 'registered' event
    assert "内部备注" not in body and "调解员私下备注" not in body
    assert "张*" in body and "李*" in body and "张三" not in body and "李四" not in body
    assert "138****8000" in body and "13800138000" not in body and "13912345678" not in body
    assert "中心将根据纠纷类型" in body  # next step
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_lookup_by_case_number(client, make_case):
    case = make_case()
    number = case.number.replace("(", "（").replace(")", "）")  # full-width brackets as typed on a phone
    response = lookup(client, number, "8000")
    assert response.status_code == 200
    assert "当前状态" in response.content.decode() and case.number in response.content.decode()


@pytest.mark.django_db
def test_wrong_digits_and_unknown_code_give_the_same_answer(client, make_case):
    case = make_case()
    wrong_digits = lookup(client, case.tracking_code, "0000", ip="10.0.0.2")
    unknown = lookup(client, "ACDEFGHJKMNP", "8000", ip="10.0.0.3")
    assert wrong_digits.status_code == unknown.status_code == 200
    assert errors_block(wrong_digits) == errors_block(unknown)
    assert GENERIC in errors_block(unknown)
    assert case.number not in wrong_digits.content.decode()


@pytest.mark.django_db
def test_failures_are_limited_per_ip(client, make_case, settings):
    settings.PORTAL_LOOKUP_FAILURE_LIMIT = 5
    case = make_case()
    for n in range(5):
        assert lookup(client, f"UNKNOWN{n}", "1234", ip="10.1.1.1").status_code == 200
    locked = lookup(client, case.tracking_code, "8000", ip="10.1.1.1")  # correct, but the IP is locked
    assert locked.status_code == 429
    assert "查询失败次数过多" in errors_block(locked) and "后再试" in errors_block(locked)
    assert int(locked["Retry-After"]) > 0
    assert lookup(client, case.tracking_code, "8000", ip="10.1.1.2").status_code == 200  # another address


@pytest.mark.django_db
def test_failures_are_limited_per_case_across_addresses(client, make_case):
    case = make_case()
    other = make_case()
    for n in range(5):
        lookup(client, case.tracking_code, "0000", ip=f"10.2.0.{n}")
    locked = lookup(client, case.tracking_code, "8000", ip="10.2.1.1")
    assert locked.status_code == 429
    retry = timezone.localtime(timezone.now() + timezone.timedelta(minutes=15))
    assert f"{retry:%H:}" in errors_block(locked)
    # the case number is the same case
    assert lookup(client, case.number, "8000", ip="10.2.1.2").status_code == 429
    assert lookup(client, other.tracking_code, "8000", ip="10.2.1.3").status_code == 200


@pytest.mark.django_db
def test_unknown_codes_lock_the_same_way(client):
    for n in range(5):
        lookup(client, "ACDEFGHJKMNP", "1111", ip=f"10.3.0.{n}")
    assert lookup(client, "ACDEFGHJKMNP", "1111", ip="10.3.1.1").status_code == 429


@pytest.mark.django_db
def test_lock_ends_after_the_window(client, make_case):
    case = make_case()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _n in range(5):
            lookup(client, case.tracking_code, "0000", ip="10.4.0.1")
        assert lookup(client, case.tracking_code, "8000", ip="10.4.0.1").status_code == 429
        traveller.shift(timezone.timedelta(minutes=16))
        assert lookup(client, case.tracking_code, "8000", ip="10.4.0.1").status_code == 200


@pytest.mark.django_db
def test_every_lookup_is_audited(client, make_case):
    case = make_case()
    lookup(client, case.tracking_code, "8000", ip="10.5.0.1")
    lookup(client, case.tracking_code, "0000", ip="10.5.0.1")
    lookup(client, "NOSUCHCODE00", "8000", ip="10.5.0.1")
    events = list(
        SecurityAuditEvent.objects.filter(type=SecurityAuditEvent.Type.STATUS_LOOKUP).order_by("pk")
    )
    assert [e.success for e in events] == [True, False, False]
    assert all(e.ip_address == "10.5.0.1" for e in events)
    assert events[0].detail["case"] == case.number
    assert events[2].detail["reason"] == "mismatch" and "case" not in events[2].detail
    for _n in range(3):
        lookup(client, case.tracking_code, "0000", ip="10.5.0.1")
    lookup(client, case.tracking_code, "8000", ip="10.5.0.1")
    last = (
        SecurityAuditEvent.objects.filter(type=SecurityAuditEvent.Type.STATUS_LOOKUP).order_by("-pk").first()
    )
    assert not last.success and last.detail["reason"] == "locked"


@pytest.mark.django_db
def test_receipt_qr_url_prefills_the_code(client, make_case):
    case = make_case()
    response = client.get(f"{URL}?code={case.tracking_code}")
    assert response.status_code == 200
    assert f'value="{case.tracking_code}"' in response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


@pytest.mark.django_db
def test_lookup_requires_csrf(make_case):
    from django.test import Client

    case = make_case()
    response = Client(enforce_csrf_checks=True).post(URL, {"code": case.tracking_code, "phone_last4": "8000"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_wrong_method(client):
    assert client.put(URL).status_code == 405


@pytest.fixture
def test_document():
    @register
    class TestNotice(Document):
        kind = "test_notice"
        label = "测试通知书"
        path = "test-notice.pdf"
        url_name = "test_notice_pdf"
        staff_stem = "test-notice"

        def available(self, case, viewer, papers):
            return case.status == "registered"

        def render(self, case):
            return b"%PDF-1.4 " + case.tracking_code.encode()

    yield
    unregister("test_notice")


@pytest.mark.django_db
def test_documents_are_served_by_signed_link_only(client, make_case, test_document):
    case = make_case()
    body = lookup(client, case.tracking_code, "8000").content.decode()
    link = re.search(r'href="(/portal/documents/[^"]+)" data-testid="document">测试通知书', body).group(1)
    assert str(case.pk) + "/" not in link.split("/documents/")[1]
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content == b"%PDF-1.4 " + case.tracking_code.encode()
    assert client.get(link[:-3] + "xyz/").status_code == 404
    assert client.get(reverse("portal:document", args=["bogus"])).status_code == 404
    with time_machine.travel(timezone.now() + timezone.timedelta(hours=2)):
        assert client.get(link).status_code == 404  # links expire


@pytest.mark.django_db
def test_document_not_yet_available_is_not_offered(client, make_case, test_document):
    from cases.models import Case

    case = make_case()
    Case.objects.filter(pk=case.pk).update(status="submitted")  # not accepted yet: no receipt either
    body = lookup(client, case.tracking_code, "8000").content.decode()
    assert "测试通知书" not in body and "暂无可下载的文书" in body


POSTS = [
    {"code": " ABCDEFGHJKMN ", "phone_last4": " 8000\t"},
    {"code": "ABCDEFGHJKMN", "phone_last4": "800"},
    {"code": "ABCDEFGHJKMN", "phone_last4": "80000"},
    {"code": "   ", "phone_last4": "8000"},
    {"code": "A" * 60, "phone_last4": "8000"},
    {"code": "A" * 61, "phone_last4": "8000"},
    {"code": "ABC\x00DEF", "phone_last4": "8000"},
    {"code": "ABCDEFGHJKMN", "phone_last4": "80\x0000"},
    {"code": "ABCDEFGHJKMN"},
    {"code": "ABCDEFGHJKMN", "phone_last4": "\u30008000\u3000"},  # full-width spaces, as a phone may type
]


@pytest.mark.parametrize("post", POSTS)
def test_a_post_is_taken_as_the_form_takes_it(post):
    """The lookup skips cleaning the form for a post the form accepts as sent: it must agree with the form."""
    from django.http import QueryDict

    from cases.portal.forms import StatusLookupForm

    data = QueryDict(mutable=True)
    data.update(post)
    form = StatusLookupForm(data)
    fast = StatusLookupForm.accepted_as_sent(data)
    assert fast is None or (form.is_valid() and fast == form.cleaned_data)
    if form.is_valid():
        assert fast == form.cleaned_data


@pytest.mark.django_db
def test_spaces_around_what_was_typed_still_find_the_case_and_a_bad_post_shows_the_form_error(
    client, make_case
):
    case = make_case()
    response = lookup(client, f"  {case.tracking_code}\u3000", " 8000 ")
    assert response.status_code == 200 and case.number in response.content.decode()
    refused = lookup(client, case.tracking_code, "80000")
    body = refused.content.decode()
    error = re.search(r'id="id_phone_last4_error">(.*?)</div>', body, re.S)
    assert refused.status_code == 200 and case.number not in body and error and "4" in error.group(1)
    assert f'value="{case.tracking_code}"' in body  # the form shown again with what was typed


@pytest.mark.django_db
def test_the_result_page_token_is_accepted_by_the_csrf_check_and_differs_each_time(make_case):
    """The result page's CSRF token (the portal shell joins get_token into its cached parts) lets the visitor post
    again from that page, as the form page's token does."""
    from django.middleware.csrf import _unmask_cipher_token
    from django.test import Client

    case = make_case()
    client = Client(enforce_csrf_checks=True)

    def token_of(response) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)

    token = token_of(client.get(URL))
    tokens = []
    for _ in range(3):
        response = client.post(
            URL, {"code": case.tracking_code, "phone_last4": "8000", "csrfmiddlewaretoken": token}
        )
        assert response.status_code == 200 and case.number in response.content.decode()
        token = token_of(response)
        assert len(token) == 64 and _unmask_cipher_token(token) == client.cookies["csrftoken"].value
        tokens.append(token)
    assert len(set(tokens)) == 3
    refused = client.post(
        URL, {"code": case.tracking_code, "phone_last4": "8000", "csrfmiddlewaretoken": "x" * 64}
    )
    assert refused.status_code == 403
