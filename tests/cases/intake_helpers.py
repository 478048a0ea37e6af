"""Form data for the counter intake page, as a browser would post it."""

from cases.models import DisputeType

VALID_ID = "11010519491231002X"
OTHER_VALID_ID = "110101199003074477"


def party_fields(index: int, **values) -> dict:
    defaults = {
        "role": "applicant",
        "kind": "person",
        "name": "",
        "id_type": "resident_id",
        "id_number": "",
        "phone": "",
        "address": "",
        "area_code": "",
        "credit_code": "",
        "legal_representative": "",
    }
    defaults.update(values)
    data = {f"parties-{index}-{k}": v for k, v in defaults.items() if v is not None and v is not False}
    if values.get("is_representative"):
        data[f"parties-{index}-is_representative"] = "on"
    return data


def intake_post(parties: list[dict] | None = None, **case_values) -> dict:
    if parties is None:
        parties = [
            {"role": "applicant", "name": "张三", "id_number": VALID_ID, "phone": "13800138000"},
            {
                "role": "respondent",
                "name": "某建筑公司",
                "kind": "legal",
                "id_type": "",
                "phone": "0571-87654321",
            },
        ]
    data = {
        "parties-TOTAL_FORMS": str(len(parties)),
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "1",
        "parties-MAX_NUM_FORMS": "200",
        "dispute_type": str(DisputeType.objects.get(code=case_values.pop("dispute_code", "labour")).pk),
        "source": "counter",
        "summary": "拖欠工资三个月",
        "claims": "支付工资",
        "amount": "36000",
        "people_count": "1",
        "place": "某镇工地",
        "police_calls": "0",
        "save": "1",
    }
    for index, party in enumerate(parties):
        data.update(party_fields(index, **party))
    data.update(case_values)
    return data
