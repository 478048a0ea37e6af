"""Identity numbers and phones: validation (GB 11643-1999, GB 32100-2015) and server-side masking."""

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# First two digits of an administrative division code (GB/T 2260): provinces, plus 71/81/82/83
# used on Taiwan, Hong Kong and Macao residents' residence permits.
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83".split()
)


class IdentityError(ValueError):
    """The value is not valid; the message is shown next to the field."""


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date
    sex: str  # "M" or "F"
    legacy: bool = False


def resident_id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def _birth_date(text: str) -> date:
    try:
        born = date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError as exc:
        raise IdentityError(_("身份证号中的出生日期不存在。")) from exc
    if born > timezone.localdate():
        raise IdentityError(_("身份证号中的出生日期晚于今天。"))
    if born.year < 1880:
        raise IdentityError(_("身份证号中的出生日期不合理。"))
    return born


def _check_area_code(number: str) -> None:
    if number[:2] not in PROVINCE_CODES or number[2:6] == "0000":
        raise IdentityError(_("身份证号前 6 位应为县级行政区划代码，请核对。"))


def parse_resident_id(value: str) -> ResidentId:
    """Validate a resident ID (18 characters, or a legacy 15-digit one) and derive birth date and sex."""
    number = (value or "").strip().upper()
    if len(number) == 15:
        if not number.isdigit():
            raise IdentityError(_("15 位旧身份证号只能由数字组成。"))
        _check_area_code(number)
        born = _birth_date("19" + number[6:12])
        return ResidentId(number, born, "M" if int(number[14]) % 2 else "F", legacy=True)
    if len(number) != 18:
        raise IdentityError(_("身份证号应为 18 位（旧证 15 位），当前为 %(n)d 位。") % {"n": len(number)})
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdentityError(_("身份证号前 17 位须为数字，最后一位为数字或 X。"))
    _check_area_code(number)
    born = _birth_date(number[6:14])
    if resident_id_check_char(number[:17]) != number[17]:
        raise IdentityError(_("身份证号校验位不正确，请核对后重新输入。"))
    return ResidentId(number, born, "M" if int(number[16]) % 2 else "F")


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    """Validate a unified social credit code (GB 32100-2015) and return it upper-case."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise IdentityError(_("统一社会信用代码应为 18 位，当前为 %(n)d 位。") % {"n": len(code)})
    if any(c not in CREDIT_CODE_CHARS for c in code):
        raise IdentityError(_("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）。"))
    if credit_code_check_char(code[:17]) != code[17]:
        raise IdentityError(_("统一社会信用代码校验位不正确。"))
    return code


def normalize_phone(value: str) -> str:
    """A mainland mobile (^1[3-9]\\d{9}$) or a landline with area code."""
    phone = re.sub(r"[\s()（）]", "", value or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if MOBILE_RE.match(phone) or LANDLINE_RE.match(phone):
        return phone
    raise IdentityError(_("请输入 11 位手机号（如 13812345678）或带区号的固定电话（如 0571-87654321）。"))


def mask_id_number(value: str) -> str:
    """110105********002X: area code and last four kept."""
    if not value:
        return ""
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 1)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    if not value:
        return ""
    digits = value.replace("-", "")
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(value: str) -> str:
    """张*; 欧阳** for the public status page."""
    if not value:
        return ""
    return value[0] + "*" * max(1, len(value) - 1)
