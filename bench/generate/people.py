"""People: names, valid resident ID numbers and credit codes, phones; the parties of each case."""

import random
from collections.abc import Iterator
from datetime import date, datetime

from bench.generate.context import GIVEN, SURNAMES, Chunk
from bench.generate.copy import reserve_ids
from cases.core.identity import CREDIT_CODE_CHARS, credit_code_check_char, resident_id_check_char
from cases.core.models import Party


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def resident_id(rng: random.Random, area_code: str, now: datetime) -> tuple[str, date, str]:
    born = date(now.year - rng.randint(18, 85), rng.randint(1, 12), rng.randint(1, 28))
    seq = rng.randint(0, 999)
    first17 = f"{area_code[:6]}{born:%Y%m%d}{seq:03d}"
    return first17 + resident_id_check_char(first17), born, "M" if seq % 2 else "F"


def credit_code(rng: random.Random, area_code: str) -> str:
    body = "91" + area_code[:6] + "".join(rng.choice(CREDIT_CODE_CHARS) for _ in range(9))
    return body + credit_code_check_char(body)


def mobile(rng: random.Random) -> str:
    return rng.choice(("13", "15", "17", "18", "19")) + "".join(rng.choice("0123456789") for _ in range(9))


def party_rows(chunk: Chunk) -> Iterator[dict]:
    ctx, rng = chunk.ctx, chunk.ctx.rng
    ids = iter(reserve_ids(chunk.cursor, Party, sum(len(p.parties) for p in chunk.plans)))
    for p in chunk.plans:
        area = p.center.area_code[:6]
        for index, party in enumerate(p.parties):
            role = Party.Role.APPLICANT if index == 0 else Party.Role.RESPONDENT
            party_id, phone = next(ids), mobile(rng)
            p.parties_ids.append((party_id, party["name"], phone))
            if party["name"].endswith("公司"):
                yield {
                    "id": party_id,
                    "case_id": p.id,
                    "role": role,
                    "kind": Party.Kind.LEGAL,
                    "name": party["name"],
                    "credit_code": credit_code(rng, area),
                    "legal_representative": person_name(rng),
                    "phone": phone,
                    "address": p.center.name[:20],
                    "area_code": area,
                }
                continue
            number, born, sex = resident_id(rng, area, ctx.now)
            yield {
                "id": party_id,
                "case_id": p.id,
                "role": role,
                "kind": Party.Kind.PERSON,
                "name": party["name"],
                "id_type": Party.IdType.RESIDENT_ID,
                "id_number": number,
                "sex": sex,
                "birth_date": born,
                "phone": phone,
                "address": f"{p.center.name[:12]}{rng.randint(1, 99)}号",
                "area_code": area,
            }
