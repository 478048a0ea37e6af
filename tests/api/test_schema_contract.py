"""The OpenAPI schema tells the truth: a real, successful call of every documented operation, made as a
user allowed to make it, answers a status the schema documents with a body that validates against it.

One walk through a case's whole life (intake, routing, claim, summonses, warnings, mediation, agreement,
evaluation, closing, follow-up, reopening, transfer) plus Open311. The last assertion makes a new
endpoint fail here until it is exercised, so the schema cannot drift unnoticed.
"""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from cases.models import Case, Source
from tests.api.openapi_contract import OpenApiContract
from tests.cases.open311_fixtures import make_system, push_body
from tests.conftest import _persona
from tests.factories import DepartmentFactory
from tests.online.contract import exercise_sessions_api
from tests.risk.contract import exercise_risk_api

JSON = "application/json"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_every_documented_operation_answers_what_the_schema_says(
    client, login, world, clerk, mediator, supervisor, liaison, make_case
):
    api = OpenApiContract.served(client)
    mediator2 = _persona(world, "mediator2", Membership.Role.MEDIATOR, channel=world.channels["specialist"])
    market = DepartmentFactory(center=world.county, name="市场监管局", code="market")
    market_liaison = _persona(world, "market_liaison", Membership.Role.LIAISON, department=market)
    deadline = (timezone.now() + timedelta(days=3)).isoformat()

    # --- Intake and reads, as the clerk -----------------------------------------------------------
    login(clerk)
    api.check(client.get(reverse("api-me")), 200)
    assert api.check(client.get(reverse("api-portal-centers")), 200)[0]["name"] == world.county.name
    assert api.check(client.get(reverse("api-portal-privacy-notice")), 200)["version"]
    case = make_case()
    unrouted = make_case(summary="另一起欠薪，扬言过激", risk_violence=True)
    listing = api.check(client.get(reverse("api-case-list")), 200)
    assert {row["id"] for row in listing["results"]} == {case.pk, unrouted.pk}
    assert listing["results"][0]["channel"] is None  # not routed yet: the schema must allow null
    api.check(client.get(reverse("api-case-detail", args=[case.pk])), 200)
    phoned_in = make_case(source=Source.PHONE, summary="电话反映的欠薪")  # its ID number is unchecked
    unchecked = phoned_in.parties.exclude(id_number="").get(identity_verified_at__isnull=True)
    checked = api.check(
        client.post(reverse("api-party-verify-identity", args=[phoned_in.pk, unchecked.pk])), 200
    )
    assert checked["identity_verified"] is True and checked["identity_verified_how"] == "clerk"

    # --- Routing, claim, assignment ---------------------------------------------------------------
    api.check(client.get(reverse("api-case-route", args=[case.pk])), 200)
    api.check(client.post(reverse("api-case-route", args=[case.pk]), {}, content_type=JSON), 200)
    client.post(reverse("api-case-route", args=[unrouted.pk]), {}, content_type=JSON)
    login(mediator)
    api.check(client.get(reverse("api-routing-queue"), {"tab": "channel"}), 200)
    api.check(client.post(reverse("api-case-claim", args=[case.pk])), 201)
    client.post(reverse("api-case-claim", args=[unrouted.pk]))
    login(supervisor)
    api.check(client.get(reverse("api-case-assignments", args=[case.pk])), 200)
    body = {"mediator": mediator2.pk, "lead": False, "reason": "协助调解"}
    api.check(client.post(reverse("api-case-assignments", args=[case.pk]), body, content_type=JSON), 201)
    # A deliberate reveal of a party's full phone (on the case page), then the supervisors' list of reveals.
    applicant = case.parties.exclude(phone="").first()
    revealed = client.post(
        reverse("cases:reveal_contact", args=[case.pk, applicant.pk]), {"field": "phone", "reason": "call"}
    )
    assert revealed.status_code == 200, revealed.content[:300]
    reveals = api.check(client.get(reverse("api-reveal-list")), 200)
    assert [row["case_number"] for row in reveals["results"]] == [case.number]
    api.check(client.get(reverse("api-archived-cases"), {"q": case.number}), 200)  # records: the archive

    # --- Summonses ------------------------------------------------------------------------------
    api.check(client.get(reverse("api-case-summonses", args=[case.pk])), 200)
    body = {"departments": [market.pk], "deadline": deadline, "note": "请派员到场"}
    api.check(client.post(reverse("api-case-summonses", args=[case.pk]), body, content_type=JSON), 201)
    login(liaison)
    summonses = api.check(client.get(reverse("api-summons-list")), 200)["results"]
    summons = summonses[0]["id"]
    api.check(client.get(reverse("api-summons-detail", args=[summons])), 200)
    api.check(client.post(reverse("api-summons-accept", args=[summons])), 200)
    body = {"action": "已派员到场"}
    api.check(client.post(reverse("api-summons-action", args=[summons]), body, content_type=JSON), 200)
    login(market_liaison)
    declined = client.get(reverse("api-summons-list")).json()["results"][0]["id"]
    body = {"reason": "不属于本部门职责"}
    api.check(client.post(reverse("api-summons-decline", args=[declined]), body, content_type=JSON), 200)

    # --- Warnings ------------------------------------------------------------------------------
    login(supervisor)
    api.check(client.get(reverse("api-case-warnings", args=[case.pk])), 200)
    body = {"instructions": "三日内报告进展", "deadline": deadline, "recipient": mediator.pk, "channel": None}
    api.check(
        client.post(reverse("api-case-supervision-orders", args=[case.pk]), body, content_type=JSON), 201
    )

    # --- Mediation to closing ----------------------------------------------------------------------
    login(mediator)
    parties = list(Case.objects.get(pk=case.pk).parties.values_list("pk", flat=True))
    body = {
        "started_at": timezone.now().isoformat(),
        "mode": "in_person",
        "place": "中心调解室",
        "discussion": "双方陈述了欠薪经过。",
        "parties": parties,
    }
    lifecycle = api.check(client.post(reverse("api-session-create", args=[case.pk]), body, content_type=JSON))
    session = lifecycle["sessions"][0]["id"]
    url = reverse("api-session-update", args=[case.pk, session])
    api.check(client.patch(url, {"result": "同意分期"}, content_type=JSON), 200)
    body = {
        "facts": "欠薪三万元。",
        "issues": "支付时间。",
        "responsibilities": "被申请人负责。",
        "terms": [{"content": "支付三万元", "performance": "转账", "due_on": None}],
    }
    api.check(client.post(reverse("api-agreement", args=[case.pk]), body, content_type=JSON), 200)
    # Online signing (online/): the mediator texts the signing links, reads the status; anyone verifies.
    body = {"parties": parties}
    api.check(client.post(reverse("api-online-invitations", args=[case.pk]), body, content_type=JSON), 200)
    api.check(client.get(reverse("api-online-signatures", args=[case.pk])), 200)
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.7 not signed", content_type="application/pdf")
    api.check(client.post(reverse("api-online-verify"), {"code": "ABCDEFGHJKLM", "file": upload}), 200)
    # Electronic service (eservice/): consent at the counter, the receipt served by SMS, a paper service.
    body = {"party": parties[0], "method": "counter"}
    api.check(client.post(reverse("api-eservice-consents", args=[case.pk]), body, content_type=JSON), 200)
    body = {"party": parties[0], "document": "receipt"}
    api.check(client.post(reverse("api-eservice-services", args=[case.pk]), body, content_type=JSON), 201)
    body = {
        "party": parties[-1],
        "document": "receipt",
        "method": "post",
        "served_at": timezone.now().isoformat(),
    }
    api.check(client.post(reverse("api-eservice-paper", args=[case.pk]), body, content_type=JSON), 201)
    api.check(client.get(reverse("api-eservice-services", args=[case.pk])), 200)
    # Online sessions (online/, tests/online/contract.py): staff and party side, to the confirmed record.
    exercise_sessions_api(api, client, login, mediator, Case.objects.get(pk=case.pk))
    body = {"parties": parties, "mediator": True, "seal": True}
    api.check(client.post(reverse("api-agreement-sign", args=[case.pk]), body, content_type=JSON), 200)
    body = {"outcome": "written_agreement"}
    api.check(client.post(reverse("api-conclude", args=[case.pk]), body, content_type=JSON), 200)
    # Court hand-off (courtlink/): the judicial-confirmation package prepared and submitted; the court answers.
    url = reverse("api-courtlink-handoffs", args=[case.pk])
    handoff = api.check(client.post(url, {"kind": "confirmation"}, content_type=JSON), 201)
    api.check(client.get(url), 200)
    url = reverse("api-courtlink-progress", args=[case.pk, handoff["id"]])
    api.check(client.post(url, {"status": "submitted"}, content_type=JSON), 200)
    court = {"HTTP_AUTHORIZATION": f"Token {make_system(world.county, 'court', Source.COURT_REFERRAL)[1]}"}
    client.logout()
    body = {"status": "accepted", "court_reference": "(2026)测0102民特1号"}
    url = reverse("api-courtlink-court-update", args=[handoff["reference"]])
    api.check(client.post(url, body, content_type=JSON, **court), 200)
    login(supervisor)
    body = {"reviewer": clerk.pk}
    api.check(client.post(reverse("api-reviewer", args=[case.pk]), body, content_type=JSON))
    body = {"outcome_correct": True, "documents_complete": True, "on_time": True, "comment": "处理得当"}
    api.check(client.post(reverse("api-evaluate", args=[case.pk]), body, content_type=JSON))
    login(mediator)
    body = {"summary": "双方达成协议并履行。", "money_covered": "30000.00"}
    closed = api.check(client.post(reverse("api-close", args=[case.pk]), body, content_type=JSON), 200)
    visit = closed["follow_ups"][0]
    with time_machine.travel(timezone.now() + timedelta(days=60)):
        login(supervisor)  # a fresh session: the idle timeout would end the old one
        overdue = api.check(client.get(reverse("api-overdue-follow-ups")), 200)["results"]
        assert [row["id"] for row in overdue] == [visit["id"]]
    login(mediator)
    body = {"method": "phone", "performance": "performed", "satisfaction": 5, "party": parties[0]}
    url = reverse("api-follow-up", args=[case.pk, visit["id"]])
    api.check(client.post(url, body, content_type=JSON), 200)
    api.check(client.get(reverse("api-case-lifecycle", args=[case.pk])), 200)
    login(supervisor)
    # search: the closed case found by a word and by its number; similar cases of the open one (issue 20).
    # Words are indexed by the beat sweep within a minute: run it as beat would.
    from search.indexer import index_pending

    index_pending()
    found = api.check(client.get(reverse("api-case-search"), {"q": "拖欠工资"}), 200)
    assert case.pk in {row["id"] for row in found["results"]}
    api.check(client.get(reverse("api-case-search"), {"q": Case.objects.get(pk=case.pk).number}), 200)
    similar = api.check(client.get(reverse("api-case-similar", args=[unrouted.pk])), 200)
    assert case.pk in {row["id"] for row in similar["items"]}
    body = {"reason": "当事人反映未履行"}
    api.check(client.post(reverse("api-reopen", args=[case.pk]), body, content_type=JSON), 200)
    body = {"to_center": world.town.pk, "reason": "下沉镇街化解"}
    api.check(client.post(reverse("api-case-transfer", args=[unrouted.pk]), body, content_type=JSON), 200)

    # --- The mediator library (mediators/) ----------------------------------------------------------
    from mediators import services as library
    from mediators.models import GroupMember, MediationGroup, MediatorProfile
    from tests.factories import UserFactory

    profile = MediatorProfile.objects.create(
        user=mediator, kind="full_time", is_public=True, intro="劳动争议"
    )
    profile.centers.set([world.county])
    studio = MediationGroup.objects.create(kind="studio", name="言和调解工作室", center=world.county)
    GroupMember.objects.create(group=studio, profile=profile, role="leader")
    asking = make_case(summary="申请指定调解员的案件")
    party = UserFactory(username="party", kind="citizen", phone="13800138000")
    wish = library.request_mediator(asking, actor=party, profile=profile, reason="熟悉劳动法")
    client.logout()
    api.check(client.get(reverse("api-mediator-public")), 200)
    login(supervisor)
    api.check(client.get(reverse("api-mediator-profiles")), 200)
    api.check(client.get(reverse("api-mediator-profile", args=[profile.pk])), 200)
    api.check(client.get(reverse("api-mediator-groups")), 200)
    api.check(client.get(reverse("api-mediator-measures")), 200)
    api.check(client.get(reverse("api-mediator-requests")), 200)
    api.check(client.get(reverse("api-case-recommendations", args=[asking.pk])), 200)
    body = {"accept": False, "reason": "该调解员本周外出"}
    api.check(
        client.post(reverse("api-mediator-request-decide", args=[wish.pk]), body, content_type=JSON), 200
    )

    # --- Open311 ----------------------------------------------------------------------------------
    client.logout()
    token = {"HTTP_AUTHORIZATION": f"Token {make_system(world.county)[1]}"}
    api.check(client.get(reverse("open311-services"), **token), 200)
    created = api.check(
        client.post(reverse("open311-requests"), push_body(), content_type=JSON, **token), 201
    )
    api.check(client.post(reverse("open311-requests"), push_body(), content_type=JSON, **token), 200)
    api.check(client.get(reverse("open311-requests"), **token), 200)
    pushed = created[0]["service_request_id"]
    api.check(client.get(reverse("open311-request", args=[pushed]), **token), 200)
    api.check(client.get(reverse("open311-service-definition", args=["labour"])), 200)
    created_token = created[0]["token"]
    api.check(client.get(reverse("open311-token", args=[created_token]), **token), 200)
    update = {"service_request_id": pushed, "update_id": "u-1", "description": "来电补充：欠薪共三个月"}
    api.check(client.post(reverse("open311-updates"), update, content_type=JSON, **token), 201)
    api.check(client.get(reverse("open311-updates"), **token), 200)
    # GeoReport v2's XML forms: their shape is checked against the standard's examples in
    # tests/integrations/test_georeport_conformance.py; here, that each documented one answers.
    for method, name, args, expect in [
        ("get", "open311-services-xml", [], 200),
        ("get", "open311-service-definition-xml", ["labour"], 200),
        ("get", "open311-requests-xml", [], 200),
        ("get", "open311-request-xml", [pushed], 200),
        ("post", "open311-requests-xml", [], 200),  # a repeat push: the case already there
        ("get", "open311-token-xml", [created_token], 200),
        ("get", "open311-updates-xml", [], 200),
        ("post", "open311-updates-xml", [], 200),  # the same update again: already recorded
    ]:
        url = reverse(name, args=args)
        if method == "post":
            body = update if "updates" in name else push_body()
            response = client.post(url, body, content_type=JSON, **token)
        else:
            response = client.get(url, **token)
        assert response.status_code == expect and response["Content-Type"].startswith("text/xml"), url
        api.covered.add((method.upper(), api.template_of(response.request["PATH_INFO"])))

    # --- Grassroots (issue 23): quick record, report up, latent risk, screening task, the figures -----
    from grassroots.models import ScreeningRound, ScreeningTask

    grid = _persona(world, "grid_api", Membership.Role.GRID_WORKER, center=world.village)
    town_boss = _persona(world, "town_boss_api", Membership.Role.SUPERVISOR, center=world.town)
    login(grid)
    quick = {
        "kind": "quick_record",
        "dispute_type": "neighbour",
        "summary": "邻里争吵",
        "place": "东村",
        "parties": [{"name": "王五", "phone": "13800138001"}],
        "agreement": "互相道歉",
    }
    api.check(client.post(reverse("api-grassroots-entries"), quick, content_type=JSON), 201)
    api.check(client.get(reverse("api-grassroots-entries")), 200)
    risk = api.check(
        client.post(
            reverse("api-grassroots-risks"),
            {"summary": "欠薪隐患", "place": "工地", "level": 2},
            content_type=JSON,
        ),
        201,
    )
    api.check(client.get(reverse("api-grassroots-risks")), 200)
    api.check(client.get(reverse("api-grassroots-risk", args=[risk["id"]])), 200)
    login(town_boss)
    api.check(
        client.post(
            reverse("api-grassroots-risk-close", args=[risk["id"]]),
            {"conclusion": "已发放"},
            content_type=JSON,
        ),
        200,
    )
    round_ = ScreeningRound.objects.create(
        title="月度排查",
        center=world.town,
        checklist="欠薪",
        due_on=timezone.localdate(),
        created_by=town_boss,
    )
    task = ScreeningTask.objects.create(round=round_, center=world.village)
    api.check(client.get(reverse("api-grassroots-rounds")), 200)
    api.check(
        client.post(
            reverse("api-grassroots-task-report", args=[task.pk]), {"findings": []}, content_type=JSON
        ),
        200,
    )
    api.check(client.get(reverse("api-grassroots-resolution")), 200)

    # --- The dashboard, two months on: cases and orders overdue (items of an empty list go unchecked) ---
    dashboard = ("GET", "/api/warnings/dashboard/")
    if connection.vendor == "postgresql":
        with time_machine.travel(timezone.now() + timedelta(days=60)):
            login(supervisor)
            period = {"start": (timezone.localdate() - timedelta(days=90)).isoformat()}
            figures = api.check(client.get(reverse("api-warnings-dashboard"), period), 200)
        filled = {key for key, value in figures.items() if value}
        assert {"red_orange", "overdue_cases", "overdue_orders", "measures"} <= filled
    else:
        api.covered.add(
            dashboard
        )  # its SQL is PostgreSQL's until the SQLite dialect seam lands (another branch)

    exercise_risk_api(api, client, login, world, supervisor, mediator)  # 研判预警 (tests/risk/contract.py)

    assert api.failures == [], "the schema does not match the responses:\n" + "\n".join(api.failures)
    assert api.uncovered() == set()


def test_the_schema_is_valid_openapi_and_generates_without_warnings(tmp_path, db):
    # --fail-on-warn: an unresolvable field type or an enum name collision is drift waiting to happen.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/open311/v2/services.json" in (tmp_path / "schema.yaml").read_text()
