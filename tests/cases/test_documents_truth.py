"""Documents say what is true when printed: the receipt follows the case's stage, the agreement numbers
its terms once, and every document names the handling center's phone."""

import re

import pytest
from django.template.loader import render_to_string

from accounts.models import Center
from cases.documents import lifecycle as lifecycle_docs
from cases.documents import receipt
from cases.models import Case
from tests.cases.lifecycle_helpers import draft, route

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def html_instead_of_pdf(monkeypatch):
    def html(template_name, context):
        return render_to_string(template_name, context).encode()

    monkeypatch.setattr(receipt, "render_pdf", html)
    monkeypatch.setattr(lifecycle_docs, "render_pdf", html)


@pytest.fixture
def phone(world):
    Center.objects.filter(pk=world.county.pk).update(phone="0571-12345678")


def text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def test_a_registered_case_receipt_promises_routing_and_names_the_phone(make_case, phone):
    body = text(receipt.receipt_pdf(Case.objects.get(pk=make_case().pk)))
    assert "日内" in body and "完成分流" in body
    assert "劳动争议调解期限至" in body
    assert "联系电话：0571-12345678" in body


def test_a_routed_case_receipt_says_where_and_to_whom_not_within_3_days(make_case, world, mediator, phone):
    case = route(make_case(), world.channels["specialist"])
    body = text(receipt.receipt_pdf(Case.objects.get(pk=case.pk)))
    assert "完成分流" not in body
    assert f"本案已分流至{world.channels['specialist'].name}" in body and "承办调解员：mediator" in body
    assert "承办单位将联系各方当事人，安排调解。" in body
    assert "劳动争议调解期限至" in body


def test_the_agreement_numbers_its_terms_once(make_case, world, mediator, phone):
    case = route(make_case(), world.channels["specialist"])
    draft(case, mediator)
    html = lifecycle_docs.build_agreement_pdf(Case.objects.get(pk=case.pk)).decode()
    terms = re.search(r'<ol class="clauses numbered">(.*?)</ol>', html, re.S).group(1)
    assert terms.count("第1条") == 1 and terms.count("第2条") == 1
    assert ".clauses.numbered { list-style: none;" in html  # the list itself adds no second number
    assert "联系电话：0571-12345678" in text(html.encode())
