"""The case list pages by keyset: every case once, in the list's order, forwards and back; no OFFSET; the
same queries on every page; a count that stops at the cap."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.core import keyset
from cases.core.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(make_case, world):
    cases = [make_case(center=[world.county, world.town, world.village][i % 3]) for i in range(57)]
    for i, case in enumerate(cases):  # levels mixed, and ties on the level so the time and id decide
        Case.objects.filter(pk=case.pk).update(warning_level=i % 4)
    return list(Case.objects.filter(pk__in=[c.pk for c in cases]).order_by(*keyset.ORDER))


def _numbers(html: str) -> list[str]:
    return re.findall(r'class="fw-semibold" href="/cases/\d+/">([^<]+)</a>', html)


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'href="(\?[^"]*)" rel="{rel}"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_pages_walk_every_case_once_in_order(many, login, supervisor):
    client = login(supervisor)
    url = reverse("cases:list")
    seen, pages, html = [], [], client.get(url).content.decode()
    assert "共 57 件" in html
    while True:
        pages.append(html)
        seen += _numbers(html)
        nxt = _link(html, "next")
        if not nxt:
            break
        html = client.get(url + nxt).content.decode()
    assert seen == [c.number for c in many]
    assert len(pages) == 3
    back = client.get(url + _link(pages[-1], "prev")).content.decode()  # the previous page again
    assert _numbers(back) == _numbers(pages[1])


def test_every_page_costs_the_same_and_never_offsets(many, login, supervisor):
    client = login(supervisor)
    url = reverse("cases:list")
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        html = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as second:
        client.get(url + _link(html, "next"))
    assert len(first.captured_queries) == len(second.captured_queries)
    assert not any("OFFSET" in q["sql"] for q in (*first.captured_queries, *second.captured_queries))


def test_the_count_stops_at_the_cap(many, login, supervisor, monkeypatch):
    monkeypatch.setattr(keyset, "COUNT_CAP", 20)
    html = login(supervisor).get(reverse("cases:list")).content.decode()
    assert "共 10,000+ 件" in html


def test_filters_keep_their_pages(many, login, supervisor):
    client = login(supervisor)
    url = reverse("cases:list") + "?lv=3"
    html = client.get(url).content.decode()
    assert "共 14 件" in html and len(_numbers(html)) == 14 and not _link(html, "next")


@pytest.mark.parametrize("cursor", ["abc", "1.2", "1.2.3.4", "9" * 30 + ".1.1", "1.99999999999999999999.1"])
def test_a_bad_cursor_is_told(login, supervisor, cursor):
    response = login(supervisor).get(reverse("cases:list"), {"after": cursor})
    assert response.status_code == 400 and "翻页位置无效" in response.content.decode()


def test_an_outsider_lists_nothing(many, login, outsider):
    html = login(outsider).get(reverse("cases:list")).content.decode()
    assert _numbers(html) == [] and "共 0 件" in html
