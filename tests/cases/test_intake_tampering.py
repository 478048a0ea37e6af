"""Issue 13 item 4: every value the counter form posts can be tampered with; each answers a message, never 500."""

import pytest
from django.conf import settings
from django.urls import reverse

from cases.intake.forms import PartyForm
from cases.models import Case
from tests.cases.intake_helpers import intake_post

URL = reverse("cases:intake-register")
LOOKUP = reverse("cases:intake-lookup")


def parties(n: int) -> list[dict]:
    rows = [{"role": "applicant", "name": "张三", "phone": "13800138000"}]
    rows += [{"role": "respondent", "name": f"被申请人{i:03d}"} for i in range(1, n)]
    return rows


@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "99999999999999999999999", "1e3", "\x00", " "])
@pytest.mark.parametrize("button", ["save", "check"])
def test_tampered_dispute_type_is_a_field_message(login, clerk, value, button):
    data = intake_post(summary="邻居占道")
    data.pop("save")
    data.update({"dispute_type": value, button: "1"})
    response = login(clerk).post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    if button == "save":
        assert field_message(html, "dispute_type")  # 选择一个有效的选项 / 必填 / 空字符串, by the field
        assert "登记信息有误" in html
    assert "邻居占道" in html  # everything typed is kept
    assert not Case.objects.exists()


def field_message(html: str, name: str) -> str:
    """The error shown in the field's own block, right after its input ('' if none)."""
    block = html[html.index(f'name="{name}"') :]
    end = block.find("data-field=")  # the next field's block
    block = block[: end if end > 0 else len(block)]
    return block[block.index('class="invalid-feedback') :] if 'class="invalid-feedback' in block else ""


@pytest.mark.parametrize(
    ("field", "value", "shown_at", "message"),
    [
        ("source", "nowhere", "source", "选择一个有效的选项"),
        ("link_action", "delete", "link_action", "选择一个有效的选项"),
        ("link_case", "abc", "link_action", "所选关联案件编号无效"),
        ("link_case", "1.5", "link_action", "所选关联案件编号无效"),
        ("link_case", "99999999999999999999999", "link_action", "所选关联案件编号无效"),
        ("link_case", "-3", "link_action", "所选关联案件编号无效"),
        ("link_case", "9223372036854775807", "link_action", "所选案件不存在或您无权查看"),
        ("people_count", "abc", "people_count", "输入整数"),
        ("people_count", "1" * 30, "people_count", "小于或等于100000"),
        ("police_calls", "-1", "police_calls", "大于或等于0"),
        ("amount", "NaN", "amount", "输入一个数字"),
        ("amount", "Infinity", "amount", "输入一个数字"),
        ("amount", "1e999999", "amount", "不超过 14 个数字"),
        ("summary", "\x00", "summary", "空字符串"),
        ("parties-0-role", "judge", "parties-0-role", "选择一个有效的选项"),
        ("parties-0-kind", "robot", "parties-0-kind", "选择一个有效的选项"),
        ("parties-0-id_type", "starfleet", "parties-0-id_type", "选择一个有效的选项"),
        ("parties-0-id_number", "110105194913310021", "parties-0-id_number", "出生日期不存在"),
        ("parties-0-area_code", "abc", "parties-0-area_code", "行政区划代码"),
        ("parties-0-phone", "\x00", "parties-0-phone", "空字符串"),
        ("parties-1-name", "x" * 1000, "parties-1-name", "不超过 100 字符"),
    ],
)
def test_tampered_field_is_answered_next_to_the_field(login, clerk, field, value, shown_at, message):
    data = intake_post(summary="邻居占道", link_action="repeat" if field == "link_case" else "")
    data[field] = value
    response = login(clerk).post(URL, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in field_message(html, shown_at)
    assert "登记信息有误" in html
    assert "某镇工地" in html  # everything typed is kept
    assert not Case.objects.exists()


def test_a_foreign_center_or_odd_checkbox_value_cannot_do_harm(login, clerk, world):
    data = intake_post(center="abc", **{"parties-0-is_representative": "maybe"})
    assert login(clerk).post(URL, data).status_code == 302
    assert Case.objects.get().origin_center == world.county  # the clerk's own center, whatever was sent


def test_deleting_every_applicant_row_is_a_form_message(login, clerk):
    data = intake_post(**{"parties-0-DELETE": "on"})
    response = login(clerk).post(URL, data)
    assert response.status_code == 200 and "至少登记一名申请人" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("total", "initial", "message"),
    [
        ("-5", "0", "至少登记一名当事人"),
        ("abc", "0", "当事人表格数据缺失或被篡改"),
        ("", "0", "当事人表格数据缺失或被篡改"),
        ("1000000000", "0", "一个案件最多登记 50 名当事人"),
        ("99999999999999999999999999", "0", "一个案件最多登记 50 名当事人"),
        ("2", "abc", "当事人表格数据缺失或被篡改"),
        ("1", "1", "至少登记一名申请人"),  # a lie about INITIAL_FORMS changes nothing else
        ("2", "-7", None),  # harmless: the two typed parties are registered
        ("2", "1000000", None),
    ],
)
@pytest.mark.parametrize("button", ["save", "check"])
def test_tampered_management_form_answers_a_message(login, clerk, total, initial, message, button):
    data = intake_post(
        summary="邻居占道", parties=[{"role": "respondent", "name": "李四"}] if total == "1" else None
    )
    data.pop("save")
    data.update({"parties-TOTAL_FORMS": total, "parties-INITIAL_FORMS": initial, button: "1"})
    response = login(clerk).post(URL, data)
    if button == "save" and message is None:
        assert response.status_code == 302
        assert Case.objects.get().parties.count() == 2
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert "邻居占道" in html
    if button == "save":
        assert message in html and "登记信息有误" in html
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("dispute_type", "abc", "纠纷类型无效"),
        ("dispute_type", "1.5", "纠纷类型无效"),
        ("dispute_type", "99999999999999999999999", "纠纷类型无效"),
        ("link_case", "abc", "所选关联案件编号无效"),
        ("parties-TOTAL_FORMS", "abc", "当事人表格数据缺失或被篡改"),
        ("parties-TOTAL_FORMS", "1000000000", "一个案件最多登记 50 名当事人"),
    ],
)
def test_lookup_refuses_tampered_values_with_400_and_a_message(login, clerk, field, value, message):
    data = intake_post()
    data[field] = value
    response = login(clerk).post(LOOKUP, data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_lookup_with_negative_total_or_half_typed_form_still_answers(login, clerk, make_case):
    make_case()
    data = intake_post()
    data["parties-TOTAL_FORMS"] = "-1"
    assert login(clerk).post(LOOKUP, data).status_code == 200
    data = intake_post()
    data["dispute_type"] = ""
    response = login(clerk).post(LOOKUP, data)
    assert response.status_code == 200 and "可能相关的案件" in response.content.decode()


def test_the_field_cap_fits_twice_the_party_limit():
    per_party = len(PartyForm.base_fields) + 1  # and DELETE
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS >= 2 * settings.CASE_MAX_PARTIES * per_party + 40
