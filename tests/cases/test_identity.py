"""GB 11643-1999 resident IDs, GB 32100-2015 credit codes, phones and masking."""

from datetime import date

import pytest
import time_machine

from cases.core.identity import (
    IdentityError,
    mask_id_number,
    mask_phone,
    normalize_credit_code,
    normalize_phone,
    parse_resident_id,
    resident_id_check_char,
)


@pytest.mark.parametrize(
    ("number", "born", "sex"),
    [
        ("11010519491231002X", date(1949, 12, 31), "F"),
        ("110101199003074477", date(1990, 3, 7), "M"),
        ("440304198501011235", date(1985, 1, 1), "M"),
    ],
)
def test_valid_resident_ids_give_birth_date_and_sex(number, born, sex):
    parsed = parse_resident_id(number)
    assert (parsed.number, parsed.birth_date, parsed.sex, parsed.legacy) == (number, born, sex, False)


def test_lower_case_x_is_accepted_and_stored_upper_case():
    assert parse_resident_id(" 11010519491231002x ").number == "11010519491231002X"


def test_check_character_follows_the_standard():
    assert resident_id_check_char("11010519491231002") == "X"
    assert resident_id_check_char("11010119900307447") == "7"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("110105194912310021", "校验位不正确"),  # wrong check character
        ("110101199003074478", "校验位不正确"),
        ("110105194902300025", "出生日期不存在"),  # 30 February
        ("110105194913010025", "出生日期不存在"),  # month 13
        ("11010519491231002", "应为 18 位"),  # 17 characters
        ("1101051949123100212", "应为 18 位"),  # 19 characters
        ("11010519491231A02X", "前 17 位须为数字"),
        ("000105194912310023", "行政区划代码"),  # no such province
        ("990105194912310023", "行政区划代码"),
    ],
)
def test_invalid_resident_ids_are_refused_with_a_reason(number, message):
    with pytest.raises(IdentityError) as exc:
        parse_resident_id(number)
    assert message in str(exc.value)


@time_machine.travel("2026-03-01 10:00 +0800", tick=False)
def test_birth_date_in_the_future_is_refused():
    first17 = "11010520260302002"
    with pytest.raises(IdentityError, match="晚于今天"):
        parse_resident_id(first17 + resident_id_check_char(first17))
    first17 = "11010520260301002"
    assert parse_resident_id(first17 + resident_id_check_char(first17)).birth_date == date(2026, 3, 1)


def test_legacy_15_digit_ids_are_accepted_as_legacy():
    parsed = parse_resident_id("110105491231002")
    assert parsed.legacy and parsed.birth_date == date(1949, 12, 31) and parsed.sex == "F"
    with pytest.raises(IdentityError, match="出生日期不存在"):
        parse_resident_id("110105490231002")


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", "91110000600037341l"])
def test_valid_credit_codes(code):
    assert normalize_credit_code(code) == code.upper()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y44", "校验位不正确"),
        ("91350100M000100Y4", "应为 18 位"),
        ("91350100M000100I43", "不允许的字符"),
    ],
)
def test_invalid_credit_codes(code, message):
    with pytest.raises(IdentityError, match=message):
        normalize_credit_code(code)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0571-87654321", "0571-87654321"),
    ],
)
def test_phones(raw, clean):
    assert normalize_phone(raw) == clean


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "87654321"])
def test_bad_phones(raw):
    with pytest.raises(IdentityError, match="11 位手机号"):
        normalize_phone(raw)


def test_masking():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("110105491231002") == "110105*****1002"
    assert mask_phone("13812345678") == "138****5678"
