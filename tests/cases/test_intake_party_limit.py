"""Issue 13 item 3: one limit on parties per case (CASE_MAX_PARTIES), the same at the counter, online and the API.

Item 4: the counter form reaches the limit, says so when it is passed (keeping everything typed), and a
post past Django's field limit gets a page that says what happened."""

import time

import pytest
from django.conf import settings
from django.urls import reverse

from cases.intake.services import PartyData, TooManyParties
from cases.models import Case, IntakeIdempotencyKey, Party, TimelineEvent
from tests.api.helpers import open311_error
from tests.cases.intake_helpers import intake_post
from tests.cases.open311_fixtures import make_system, push_body
from tests.conftest import make_case_data
from tests.portal.test_online_application import form_data

URL = reverse("cases:intake-register")
REQUESTS = reverse("open311-requests")
LIMIT = settings.CASE_MAX_PARTIES


def counter_parties(n: int) -> list[dict]:
    """n parties with every field a clerk can type filled in."""
    rows = []
    for i in range(n):
        rows.append(
            {
                "role": "applicant" if i == 0 else "respondent",
                "name": f"当事人{i:03d}",
                "id_type": "passport",
                "id_number": f"E{i:08d}",
                "phone": "13800138000",
                "address": f"某镇某村{i}号",
                "area_code": "330106",
                "legal_representative": "",
            }
        )
    return rows


def api_parties(n: int) -> list[dict]:
    return [{"role": "applicant" if i == 0 else "respondent", "name": f"当事人{i}"} for i in range(n)]


def test_the_default_limit_is_documented():
    assert LIMIT == 50
    readme = (settings.BASE_DIR / "README.md").read_text()
    assert "| `CASE_MAX_PARTIES` | 50 |" in readme


# --- The service: the one place the rule lives ------------------------------------------------
def test_register_case_refuses_more_parties_than_the_limit(world, clerk, settings):
    from cases.intake.services import register_case

    settings.CASE_MAX_PARTIES = 3
    parties = [PartyData(role=Party.Role.APPLICANT, name=f"甲{i}") for i in range(4)]
    with pytest.raises(TooManyParties) as refused:
        register_case(center=world.county, actor=clerk, data=make_case_data(parties=parties))
    assert str(refused.value.message) == "一个案件最多登记 3 名当事人，本次提交了 4 名。"
    assert not Case.objects.exists() and not TimelineEvent.objects.exists()
    case = register_case(center=world.county, actor=clerk, data=make_case_data(parties=parties[:3]))
    assert case.parties.count() == 3


# --- The API ------------------------------------------------------------------------------------
@pytest.mark.parametrize("idempotency_key", ["", "push-1"])
def test_api_push_with_one_party_too_many_is_refused_early_and_stores_nothing(client, world, idempotency_key):
    _system, token = make_system(world.county)
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    if idempotency_key:
        headers["HTTP_IDEMPOTENCY_KEY"] = idempotency_key
    body = push_body(parties=api_parties(LIMIT + 1))
    response = client.post(REQUESTS, body, content_type="application/json", **headers)
    assert response.status_code == 400
    error = open311_error(response)
    assert error["code"] == "invalid"
    assert error["fields"]["parties"] == [f"一个案件最多登记 {LIMIT} 名当事人，本次提交了 {LIMIT + 1} 名。"]
    assert (
        not Case.objects.exists() and not Party.objects.exists() and not IntakeIdempotencyKey.objects.exists()
    )

    response = client.post(
        REQUESTS, push_body(parties=api_parties(LIMIT)), content_type="application/json", **headers
    )
    assert response.status_code == 201 and Case.objects.get().parties.count() == LIMIT


def test_api_push_with_ten_thousand_parties_is_refused_before_any_party_is_checked(client, world):
    """10,000 parties (12 s to register before) are over the raw-payload cap, which answers first."""
    _system, token = make_system(world.county)
    body = push_body(parties=[{"role": "judge", "name": ""}] * 10_000)  # each one invalid: none is looked at
    started = time.perf_counter()
    response = client.post(
        REQUESTS, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 413
    assert open311_error(response)["code"] == "raw_payload_too_large"
    assert not Case.objects.exists() and not Party.objects.exists()
    assert elapsed < 3


def test_api_push_of_many_parties_under_the_payload_cap_is_refused_by_the_party_limit(client, world):
    _system, token = make_system(world.county)
    count = 2_000  # ~60 KB: under API_MAX_RAW_PAYLOAD_BYTES, so the party count is what refuses it
    body = push_body(parties=[{"role": "judge", "name": ""}] * count)
    response = client.post(
        REQUESTS, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert response.status_code == 400
    assert open311_error(response)["fields"] == {
        "parties": [f"一个案件最多登记 {LIMIT} 名当事人，本次提交了 {count} 名。"]
    }
    assert not Case.objects.exists() and not Party.objects.exists()


# --- The counter form ---------------------------------------------------------------------------
def test_counter_registers_exactly_the_limit(login, clerk):
    response = login(clerk).post(URL, intake_post(parties=counter_parties(LIMIT)))
    assert response.status_code == 302
    assert Case.objects.get().parties.count() == LIMIT


@pytest.mark.parametrize("count", [LIMIT + 1, 99, 2 * LIMIT])
def test_counter_form_over_the_limit_says_so_and_keeps_everything_typed(login, clerk, count):
    data = intake_post(parties=counter_parties(count), summary="集体讨薪")
    assert len(data) < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS  # the form reaches the limit and past it
    response = login(clerk).post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"一个案件最多登记 {LIMIT} 名当事人，请删除多余的当事人后再保存。" in html
    assert "登记信息有误" in html
    for i in range(count):
        assert f'value="当事人{i:03d}"' in html and f'value="E{i:08d}"' in html
    assert "集体讨薪</textarea>" in html
    assert not Case.objects.exists()


def test_rows_marked_for_deletion_do_not_count(login, clerk):
    data = intake_post(parties=counter_parties(LIMIT + 2))
    data["parties-3-DELETE"] = data["parties-4-DELETE"] = "on"
    assert login(clerk).post(URL, data).status_code == 302
    assert Case.objects.get().parties.count() == LIMIT


def test_counter_form_follows_the_setting(login, clerk, settings):
    settings.CASE_MAX_PARTIES = 3
    client = login(clerk)
    page = client.get(URL).content.decode()
    assert 'name="parties-MAX_NUM_FORMS" value="3"' in page and 'data-max-parties="3"' in page
    response = client.post(URL, intake_post(parties=counter_parties(4)))
    assert "一个案件最多登记 3 名当事人" in response.content.decode()
    assert not Case.objects.exists()


def test_a_post_past_the_field_limit_gets_a_page_that_says_what_happened(login, clerk):
    data = intake_post(parties=counter_parties(2 * LIMIT))
    for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS):
        data[f"extra-{i}"] = "x"
    response = login(clerk).post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f"提交的表单字段过多（超过 {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} 个），系统未保存" in html
    assert f"一个案件最多登记 {LIMIT} 名当事人" in html and 'lang="zh-CN"' in html
    assert not Case.objects.exists()


def test_a_post_past_the_size_limit_gets_a_page_that_says_what_happened(login, clerk):
    data = intake_post(summary="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    response = login(clerk).post(URL, data)
    assert response.status_code == 413
    assert "提交的内容过大（文字内容超过 5 MB），系统未保存" in response.content.decode()
    assert not Case.objects.exists()


def test_too_many_files_also_gets_a_page(login, clerk, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = [SimpleUploadedFile(f"{i}.pdf", b"%PDF-1.4", content_type="application/pdf") for i in range(3)]
    response = login(clerk).post(URL, {**intake_post(), "evidence": files})
    assert response.status_code == 400
    assert "一次上传的文件过多（超过 2 个）" in response.content.decode()
    assert not Case.objects.exists()


# --- The online application ---------------------------------------------------------------------
@pytest.mark.django_db
def test_online_application_follows_the_same_limit(login, world, citizen, settings):
    settings.CASE_MAX_PARTIES = 1  # an application always names two parties: the applicant and the other side
    response = login(citizen).post("/portal/apply/", form_data(world, summary="公司拖欠三个月工资"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "一个案件最多登记 1 名当事人，本次提交了 2 名。" in html
    assert "公司拖欠三个月工资</textarea>" in html and 'value="某建筑公司"' in html
    assert not Case.objects.exists()
