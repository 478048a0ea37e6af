from rest_framework.authtoken.models import Token

from accounts.models import ExternalSystem, User
from cases.models import Source


def make_system(center, code="hotline12345", source=Source.HOTLINE_12345) -> tuple[ExternalSystem, str]:
    user = User.objects.create_user(username=f"sys-{code}", kind=User.Kind.SYSTEM)
    system = ExternalSystem.objects.create(code=code, name=code, user=user, center=center, source=source)
    return system, Token.objects.create(user=user).key


def push_body(**overrides) -> dict:
    body = {
        "service_code": "labour",
        "external_id": "12345-20260101-0001",
        "description": "来电反映某公司拖欠工资",
        "address_string": "某镇某村",
        "lat": 30.25,
        "long": 120.16,
        "parties": [
            {"role": "applicant", "name": "张三", "id_number": "11010519491231002x", "phone": "13800138000"},
            {"role": "respondent", "name": "某公司", "kind": "legal", "credit_code": "91350100M000100Y43"},
        ],
        "amount": "5000",
        "people_count": 3,
        "risk_upward_petition": True,
    }
    body.update(overrides)
    return body
