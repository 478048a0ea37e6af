"""The counter intake page: one pass registers parties and dispute; errors keep what was typed."""

from datetime import date

import pytest
from django.urls import reverse

from cases.models import Case, Party, Status, TimelineEvent
from tests.cases.intake_helpers import OTHER_VALID_ID, VALID_ID, intake_post

URL = reverse("cases:intake-register")


def test_clerk_registers_parties_and_dispute_in_one_pass(login, clerk, world):
    client = login(clerk)
    data = intake_post(risk_violence="on", police_calls="2")
    response = client.post(URL, data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:intake-registered", args=[case.pk])
    assert case.status == Status.REGISTERED and case.accepted_at is not None
    assert case.origin_center == world.county and case.registered_by == clerk
    assert case.number == f"({case.year})测试县矛调字第1号"
    assert case.risk_violence and case.police_calls == 2 and str(case.amount) == "36000.00"
    applicant, respondent = case.parties.order_by("pk")
    # Sex and birth date come from the ID number.
    assert (applicant.id_number, applicant.sex, applicant.birth_date) == (VALID_ID, "F", date(1949, 12, 31))
    assert respondent.kind == Party.Kind.LEGAL and respondent.id_type == ""
    assert list(TimelineEvent.objects.filter(case=case).values_list("type", "actor")) == [
        ("registered", clerk.pk)
    ]

    page = client.get(response["Location"]).content.decode()
    assert case.number in page and case.tracking_code in page
    assert "打印受理回执" in page and reverse("cases:intake-receipt", args=[case.pk]) in page
    assert reverse("cases:detail", args=[case.pk]) in page
    assert "110105********002X" in page and VALID_ID not in page


def test_invalid_id_shows_chinese_error_next_to_field_and_keeps_input(login, clerk):
    client = login(clerk)
    data = intake_post(
        parties=[
            {"role": "applicant", "name": "张三", "id_number": "110105194912310021", "phone": "13800138000"},
            {"role": "respondent", "name": "李四", "id_number": OTHER_VALID_ID, "phone": "1381234"},
        ],
        summary="邻居占道",
    )
    response = client.post(URL, data)
    assert response.status_code == 200
    assert not Case.objects.exists()
    html = response.content.decode()
    assert "身份证号校验位不正确" in html
    assert "请输入 11 位手机号" in html
    # Everything typed is still there.
    for typed in ("110105194912310021", "张三", "李四", OTHER_VALID_ID, "1381234", "邻居占道", "某镇工地"):
        assert f'value="{typed}"' in html or f"{typed}</textarea>" in html
    # The message sits in the field's own block, right after its input.
    block = html[html.index('name="parties-0-id_number"') :]
    assert block.index("身份证号校验位不正确") < block.index("</div>")


def test_lower_case_x_is_stored_upper_case_and_legacy_ids_are_flagged(login, clerk):
    data = intake_post(
        parties=[
            {"role": "applicant", "name": "张三", "id_number": VALID_ID.lower()},
            {"role": "respondent", "name": "李四", "id_number": "110105491231002"},
        ]
    )
    login(clerk).post(URL, data)
    applicant, respondent = Case.objects.get().parties.order_by("pk")
    assert applicant.id_number == VALID_ID
    assert respondent.id_legacy and respondent.birth_date == date(1949, 12, 31)


def test_organisation_needs_a_valid_credit_code(login, clerk):
    data = intake_post(
        parties=[
            {"role": "applicant", "name": "张三"},
            {
                "role": "respondent",
                "name": "某公司",
                "kind": "legal",
                "id_type": "",
                "credit_code": "91350100M000100Y44",
            },
        ]
    )
    html = login(clerk).post(URL, data).content.decode()
    assert "统一社会信用代码校验位不正确" in html and not Case.objects.exists()
    data["parties-1-credit_code"] = "91350100m000100y43"
    data["parties-1-legal_representative"] = "王五"
    login(clerk).post(URL, data)
    respondent = Case.objects.get().parties.get(role="respondent")
    assert respondent.credit_code == "91350100M000100Y43" and respondent.legal_representative == "王五"


def test_group_visit_records_at_most_five_representatives(login, clerk):
    reps = [{"role": "applicant", "name": f"代表{i}", "is_representative": True} for i in range(6)]
    data = intake_post(
        parties=[*reps, {"role": "respondent", "name": "某公司", "kind": "legal", "id_type": ""}]
    )
    data.update(is_group="on", people_count="40")
    html = login(clerk).post(URL, data).content.decode()
    assert "集体访最多推选 5 名代表" in html and not Case.objects.exists()
    data.pop("parties-5-is_representative")
    login(clerk).post(URL, data)
    case = Case.objects.get()
    assert case.is_group and case.parties.filter(is_representative=True).count() == 5


def test_at_least_one_applicant(login, clerk):
    data = intake_post(parties=[{"role": "respondent", "name": "李四"}])
    assert "至少登记一名申请人" in login(clerk).post(URL, data).content.decode()


def test_more_parties_than_two(login, clerk):
    parties = [
        {"role": "applicant", "name": "甲"},
        {"role": "applicant", "name": "乙", "phone": "13912345678"},
        {"role": "respondent", "name": "丙"},
        {"role": "third", "name": "丁"},
    ]
    login(clerk).post(URL, intake_post(parties=parties))
    assert list(Case.objects.get().parties.order_by("pk").values_list("name", flat=True)) == [
        "甲",
        "乙",
        "丙",
        "丁",
    ]


@pytest.mark.parametrize("persona", ["mediator", "supervisor", "outsider"])
def test_only_clerks_register(request, login, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, intake_post()).status_code == 403
    assert not Case.objects.exists()


def test_register_page_methods(login, clerk):
    client = login(clerk)
    page = client.get(URL)
    assert page.status_code == 200
    assert "登记受理" in page.content.decode() and 'name="parties-1-role"' in page.content.decode()
    assert client.put(URL).status_code == 405


def test_clerk_nav_has_intake_entries(login, clerk):
    html = login(clerk).get(reverse("accounts:home")).content.decode()
    assert reverse("cases:intake-register") in html and "登记受理" in html
    assert (
        reverse("cases:intake-list") in html and "待受理网上申请" in html
    )  # the sidebar entry, renamed with its count badge (issue 15)


def test_dispute_types_are_editable_by_administrators(login, admin_user, clerk):
    from cases.models import DisputeType

    response = login(admin_user).post(
        reverse("admin:cases_disputetype_add"),
        {"code": "education", "name": "教育", "name_en": "Education", "active": "on", "ordering": "20"},
    )
    assert response.status_code == 302
    DisputeType.objects.filter(code="pollution").update(active=False)
    html = login(clerk).get(URL).content.decode()
    assert ">教育</option>" in html and ">环境污染</option>" not in html
