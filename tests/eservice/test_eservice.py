"""Electronic service (电子送达): consent (given, withdrawn), serving a registry document by SMS link bound to
the party and the document version, the first opening as the moment of service, paper service, the unopened
sweep, the case page's lazy board and the API, each with the allowed user, a read-only one and an outsider."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from accounts.models import SecurityAuditEvent
from cases.models import TimelineEvent
from eservice import services
from eservice.access import LINK_SALT
from eservice.models import DocumentService, ServiceConsent
from tests.eservice.conftest import service_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def _consent(client, login, user, case, party, method="counter"):
    login(user)
    return client.post(
        reverse("eservice:consent", args=[case.pk]), {"party": party.pk, "action": "give", "method": method}
    )


def _serve(client, login, user, case, party, kind="receipt", capture=None):
    login(user)
    with capture(execute=True):
        return client.post(reverse("eservice:serve", args=[case.pk]), {"party": party.pk, "kind": kind})


def _events(case, code):
    return TimelineEvent.objects.filter(case=case, type=code)


def test_served_by_sms_opened_first_time_is_the_moment_of_service(
    client, login, mediating_case, mediator, zhang, sms_outbox, capture
):
    case = mediating_case
    party = case.parties.get(name="张三")
    assert _consent(client, login, mediator, case, party).status_code == 302
    consent = ServiceConsent.objects.get(party=party)
    assert consent.method == "counter" and consent.recorded_by == mediator and consent.phone == "13800138000"
    assert _events(case, "eservice_consent_given").get().actor == mediator

    assert _serve(client, login, mediator, case, party, capture=capture).status_code == 302
    service = DocumentService.objects.get()
    assert service.method == "electronic" and service.document_kind == "receipt"
    assert service.sha256 == hashlib.sha256(bytes(service.pdf)).hexdigest()
    assert service.sent_at and service.delivered_at  # the gateway (LocMem) accepted it after the commit
    assert [m.phone for m in sms_outbox] == ["13800138000"]
    assert _events(case, "eservice_sent").get().actor == mediator
    assert _events(case, "eservice_delivered").get().actor is None

    link = service_link(sms_outbox, "13800138000")
    client.logout()
    assert client.get(link).status_code == 302  # sign in first: the link alone serves nobody
    assert DocumentService.objects.get().opened_at is None
    login(zhang)
    # The GET of the link changes nothing (SMS apps prefetch links): it names the document, the case and the
    # sender, says that opening counts as service, and offers one button (a POST with CSRF).
    page = client.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "受理回执" in html and case.number in html and case.center.name in html
    assert "查看送达文书" in html and "打开文书即为送达" in html and "csrfmiddlewaretoken" in html
    assert service.sha256 not in html
    assert client.get(link + "document.pdf")["Location"] == link  # no PDF before the opening
    assert client.head(link).status_code == 200
    assert DocumentService.objects.get().opened_at is None and not _events(case, "eservice_opened").exists()
    assert not SecurityAuditEvent.objects.filter(type="e_service", detail__action__in=["opened", "viewed"])

    # The button: the first opening is the moment of service; then back to the GET (PRG).
    opening = client.post(link, follow=True)
    assert opening.redirect_chain == [(link, 302)]
    html = opening.content.decode()
    assert "受理回执" in html and service.sha256 in html and "文书已送达，送达时间已记录。" in html
    opened = DocumentService.objects.get().opened_at
    assert opened is not None and f"{timezone.localtime(opened):%Y-%m-%d %H:%M}" in html
    first_event = _events(case, "eservice_opened").get()
    assert first_event.actor == zhang and first_event.is_public
    # Later opens (page, PDF, the button again) never move the moment of service, and write no second event.
    pdf = client.get(link + "document.pdf")
    client.get(link)
    assert client.post(link)["Location"] == link
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == service.sha256  # the exact version served
    assert DocumentService.objects.get().opened_at == opened
    mine = client.get(reverse("eservice_portal:mine")).content.decode()  # found again in the portal
    again = re.search(r'href="(/portal/service/d/[^"]+/)"', mine).group(1)
    assert client.get(again).status_code == 200 and DocumentService.objects.get().opened_at == opened
    assert _events(case, "eservice_opened").count() == 1
    audit = SecurityAuditEvent.objects.filter(type="e_service")
    actions = [e.detail["action"] for e in audit.order_by("pk")]
    assert actions[:4] == ["consent_given", "served", "delivered", "opened"] and actions.count("opened") == 2
    assert audit.filter(detail__action="opened", detail__first=True).get().user == zhang
    # later views are audited (no timeline event): the page after the redirect, the PDF, the page twice
    viewed = audit.filter(detail__action="viewed").order_by("pk")
    assert [e.detail["what"] for e in viewed] == ["page", "pdf", "page", "page"]
    assert {e.user for e in viewed} == {zhang}

    # The staff board then shows 已送达 with the time.
    login(mediator)
    board = client.get(reverse("eservice:board", args=[case.pk])).content.decode()
    local = timezone.localtime(opened)
    assert f"已送达 {local:%Y-%m-%d %H:%M}" in board


def test_no_consent_no_electronic_service(client, login, mediating_case, mediator, sms_outbox, capture):
    case = mediating_case
    party = case.parties.get(name="李四")
    response = _serve(client, login, mediator, case, party, capture=capture)
    assert response.status_code == 302
    assert not DocumentService.objects.exists() and not sms_outbox
    shown = [str(m) for m in response.wsgi_request._messages]
    assert any("没有同意电子送达" in m for m in shown)
    # the API says so with a 4xx and the same Chinese message
    api = client.post(
        reverse("api-eservice-services", args=[case.pk]),
        {"party": party.pk, "document": "receipt"},
        content_type="application/json",
    )
    assert api.status_code == 409 and "没有同意电子送达" in api.json()["error"]["message"]


def test_withdrawn_consent_stops_service(client, login, mediating_case, mediator, zhang, sms_outbox, capture):
    case = mediating_case
    party = case.parties.get(name="张三")
    login(zhang)  # the party consents in the portal, then withdraws
    assert (
        client.post(
            reverse("eservice_portal:consent", args=[case.tracking_code]), {"action": "give"}
        ).status_code
        == 302
    )
    assert ServiceConsent.objects.get(party=party).method == "portal"
    assert _events(case, "eservice_consent_given").get().actor == zhang
    mine = client.get(reverse("eservice_portal:mine")).content.decode()
    assert "已同意电子送达" in mine
    client.post(reverse("eservice_portal:consent", args=[case.tracking_code]), {"action": "withdraw"})
    consent = ServiceConsent.objects.get(party=party)
    assert consent.withdrawn_at is not None and consent.withdrawn_by == zhang
    assert _events(case, "eservice_consent_withdrawn").get().actor == zhang
    _serve(client, login, mediator, case, party, capture=capture)
    assert not DocumentService.objects.exists()
    # consent again: a new record, the withdrawn one stays as history
    _consent(client, login, mediator, case, party, method="online_application")
    assert ServiceConsent.objects.filter(party=party).count() == 2
    assert ServiceConsent.objects.get(party=party, withdrawn_at__isnull=True).method == "online_application"


def test_another_partys_link_is_404_expired_is_410_forged_is_404(
    client, login, mediating_case, mediator, zhang, li, sms_outbox, capture, settings
):
    case = mediating_case
    party = case.parties.get(name="张三")
    _consent(client, login, mediator, case, party)
    _serve(client, login, mediator, case, party, capture=capture)
    link = service_link(sms_outbox, "13800138000")
    login(li)  # the other party, signed in
    for refused in (client.get(link), client.get(link + "document.pdf"), client.post(link)):
        assert refused.status_code == 404 and "不是发给您的" in refused.content.decode()
    assert DocumentService.objects.get().opened_at is None
    forged = signing.dumps(
        {"s": DocumentService.objects.get().pk, "p": party.pk, "h": "0" * 16}, salt=LINK_SALT
    )
    login(zhang)
    for method in (client.get, client.post):
        assert method(f"/portal/service/d/{forged}/").status_code == 404  # a version that was not served
        assert method("/portal/service/d/x%00y/").status_code == 404
    online_salt = signing.dumps(
        {"s": DocumentService.objects.get().pk, "p": party.pk}, salt="online.sign-agreement"
    )
    assert client.get(f"/portal/service/d/{online_salt}/").status_code == 404  # single purpose
    settings.ESERVICE_LINK_HOURS = 0  # every link is now past its age (moving the clock ends the session too)
    for expired in (client.get(link), client.post(link), client.get(link + "document.pdf")):
        assert expired.status_code == 410 and "链接已过期" in expired.content.decode()
    assert DocumentService.objects.get().opened_at is None
    refused = SecurityAuditEvent.objects.filter(type="e_service", success=False)
    assert {e.detail["reason"] for e in refused} == {"not_yours", "invalid", "expired"}


def test_paper_service_is_recorded_with_date_and_method(client, login, mediating_case, mediator):
    case = mediating_case
    party = case.parties.get(name="李四")
    login(mediator)
    url = reverse("eservice:paper", args=[case.pk])
    response = client.post(
        url,
        {
            "party": party.pk,
            "kind": "receipt",
            "method": "left",
            "served_at": "2026-11-30 10:30",
            "note": "见证人王五",
        },
    )
    assert response.status_code == 302
    service = DocumentService.objects.get()
    assert service.method == "left" and service.state == "served" and service.note == "见证人王五"
    assert timezone.localtime(service.served_at).strftime("%Y-%m-%d %H:%M") == "2026-11-30 10:30"
    assert _events(case, "eservice_paper").get().actor == mediator
    # bad values: a 4xx-free redirect with a message, nothing recorded, never a 500
    for bad in (
        {"party": party.pk, "kind": "receipt", "method": "fax", "served_at": "2026-11-30"},
        {"party": 10**30, "kind": "receipt", "method": "post", "served_at": "2026-11-30"},
        {"party": party.pk, "kind": "case_file", "method": "post", "served_at": "2026-11-30"},
        {"party": party.pk, "kind": "receipt", "method": "post", "served_at": "2099-01-01"},
        {"party": party.pk, "kind": "receipt", "method": "post", "served_at": "x\x00"},
        {"party": party.pk, "kind": "receipt", "method": "post", "served_at": "2026-11-30", "note": "a\x00b"},
    ):
        assert client.post(url, bad).status_code == 302
    assert DocumentService.objects.count() == 1
    board = client.get(reverse("eservice:board", args=[case.pk])).content.decode()
    assert "已送达 2026-11-30 10:30" in board and "留置送达" in board


def test_unopened_sweep_flags_once(client, login, mediating_case, mediator, sms_outbox, capture, settings):
    case = mediating_case
    party = case.parties.get(name="张三")
    _consent(client, login, mediator, case, party)
    _serve(client, login, mediator, case, party, capture=capture)
    service = DocumentService.objects.get()
    assert services.flag_unopened_services() == 0
    later = timezone.now() + timedelta(days=settings.ESERVICE_UNOPENED_DAYS, minutes=1)
    assert services.flag_unopened_services(now=later) == 1
    assert services.flag_unopened_services(now=later + timedelta(days=1)) == 0  # repeated: nothing twice
    service.refresh_from_db()
    assert service.unopened_flagged_at == later and service.state == "unopened"
    event = _events(case, "eservice_unopened").get()
    assert event.actor is None and event.data["reason"] == "unopened_after_days"
    board = client.get(reverse("eservice:board", args=[case.pk])).content.decode()
    assert "逾期未打开" in board and "请改为纸质送达" in board
    from eservice.tasks import flag_unopened_services

    assert flag_unopened_services() == 0


def test_endpoints_allowed_read_only_outsider(
    client, login, mediating_case, mediator, clerk, outsider, foreign_clerk, zhang, sms_outbox, capture
):
    case = mediating_case
    party = case.parties.get(name="张三")
    posts = {
        reverse("eservice:consent", args=[case.pk]): {
            "party": party.pk,
            "action": "give",
            "method": "counter",
        },
        reverse("eservice:serve", args=[case.pk]): {"party": party.pk, "kind": "receipt"},
        reverse("eservice:paper", args=[case.pk]): {
            "party": party.pk,
            "kind": "receipt",
            "method": "post",
            "served_at": "2026-11-30",
        },
    }
    board = reverse("eservice:board", args=[case.pk])
    for user in (outsider, foreign_clerk, zhang):
        login(user)
        assert client.get(board).status_code == 404
        for url, body in posts.items():
            assert client.post(url, body).status_code == 404
    login(clerk)  # sees the case (past intake), may not change it
    page = client.get(board)
    assert page.status_code == 200 and "您可以查看送达情况" in page.content.decode()
    for url, body in posts.items():
        assert client.post(url, body).status_code == 403
    assert not ServiceConsent.objects.exists() and not DocumentService.objects.exists()
    login(mediator)
    assert client.post(board).status_code == 405
    assert client.get(reverse("eservice:serve", args=[case.pk])).status_code == 405
    html = client.get(board).content.decode()
    assert "发送送达短信" in html and "登记纸质送达" in html
    # the case page carries only the lazy placeholder
    detail = client.get(reverse("cases:detail", args=[case.pk]) + "?tab=documents").content.decode()
    assert f'hx-get="{board}"' in detail


def test_api_same_rules(client, login, mediating_case, mediator, clerk, outsider, sms_outbox, capture):
    case = mediating_case
    party = case.parties.get(name="张三")
    urls = {
        "services": reverse("api-eservice-services", args=[case.pk]),
        "paper": reverse("api-eservice-paper", args=[case.pk]),
        "consents": reverse("api-eservice-consents", args=[case.pk]),
    }

    def post(name, body):
        return client.post(urls[name], body, content_type="application/json")

    login(outsider)
    assert client.get(urls["services"]).status_code == 404
    assert post("consents", {"party": party.pk, "method": "counter"}).status_code == 404
    login(clerk)
    assert client.get(urls["services"]).status_code == 200
    assert post("consents", {"party": party.pk, "method": "counter"}).status_code == 403
    login(mediator)
    assert post("consents", {"party": 2**70, "method": "counter"}).status_code == 400
    assert post("consents", {"party": party.pk}).status_code == 400
    assert post("consents", {"party": party.pk, "method": "counter"}).json() == {
        "party": party.pk,
        "consent": "counter",
    }
    assert post("services", {"party": party.pk, "document": "case_file"}).status_code == 409
    assert post("services", {"party": party.pk, "document": "x\x00"}).status_code in (400, 409)
    with capture(execute=True):
        sent = post("services", {"party": party.pk, "document": "receipt"})
    assert sent.status_code == 201 and sent.json()["state"] == "sent"
    paper = post(
        "paper",
        {
            "party": party.pk,
            "document": "receipt",
            "method": "post",
            "served_at": "2026-11-30T09:00:00+08:00",
        },
    )
    assert paper.status_code == 201 and paper.json()["state"] == "served"
    assert (
        post(
            "paper", {"party": party.pk, "document": "receipt", "method": "fax", "served_at": "x"}
        ).status_code
        == 400
    )
    status = client.get(urls["services"]).json()
    zhang_row = next(r for r in status["parties"] if r["party"] == party.pk)
    receipt = next(d for d in zhang_row["documents"] if d["kind"] == "receipt")
    assert zhang_row["consent"] == "counter" and receipt["state"] == "served"
    assert [s["method"] for s in receipt["services"]] == ["electronic", "post"]
    withdrawn = post("consents", {"party": party.pk, "withdraw": True})
    assert withdrawn.status_code == 200 and withdrawn.json()["consent"] is None


def test_board_runs_a_fixed_number_of_queries(
    client, login, mediating_case, mediator, sms_outbox, capture, django_assert_max_num_queries
):
    case = mediating_case
    for party in case.parties.all():
        _consent(client, login, mediator, case, party)
        _serve(client, login, mediator, case, party, capture=capture)
    from cases.models import Case
    from eservice.selectors import service_board

    fresh = Case.objects.get(pk=case.pk)
    with django_assert_max_num_queries(5):
        board = service_board(fresh, can_write=True)
    assert len(board.rows) == 2 and all(r.documents[0].services for r in board.rows)
