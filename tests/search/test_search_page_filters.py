"""The search page's filter selects: the same options and selection as read from the database (channels and
dispute types come from the reference-data cache, the centers as (pk, name) pairs), a renamed channel shown at
once, and the page's queries without the two reference lists."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.access import centers_below, roles_of
from cases.core.models import DisputeType
from routing.models import Channel


def _select(html: str, name: str) -> list[tuple[str, str, bool]]:
    body = re.search(rf'<select [^>]*name="{name}">(.*?)</select>', html, re.S).group(1)
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', body)
    ]


def _expected(queryset, key, chosen, empty) -> list[tuple[str, str, bool]]:
    """The options as the template built them from the form's querysets before the reference cache."""
    return [("", empty, False)] + [(str(key(o)), o.name, str(key(o)) == chosen) for o in queryset]


@pytest.mark.parametrize("chosen", ["none", "all"])
def test_the_selects_list_and_mark_what_the_database_holds(login, supervisor, world, chosen):
    channel = Channel.objects.order_by("pk").last()
    kind = DisputeType.objects.order_by("ordering", "pk").last()
    params = {"q": "工资"}
    if chosen == "all":
        params |= {"channel": channel.code, "dispute_type": kind.code, "center": str(world.village.pk)}
    html = login(supervisor).get(reverse("cases:search"), params).content.decode()
    centers = centers_below(roles_of(supervisor).centers()).order_by("path")
    assert len(centers) >= 3
    assert _select(html, "channel") == _expected(
        Channel.objects.order_by("pk"), lambda c: c.code, params.get("channel"), "全部渠道"
    )
    assert _select(html, "dispute_type") == _expected(
        DisputeType.objects.order_by("ordering", "pk"), lambda t: t.code, params.get("dispute_type"), "全部类型"
    )
    assert _select(html, "center") == _expected(centers, lambda c: c.pk, params.get("center"), "全部中心")
    assert sum(s for *_, s in _select(html, "center")) == (chosen == "all")


def test_a_renamed_channel_or_dispute_type_shows_at_once(login, supervisor, world):
    client = login(supervisor)
    client.get(reverse("cases:search"), {"q": "工资"})  # the lists are cached
    police = Channel.objects.get(code="police")
    police.name = "警调（新）"
    police.save()
    kind = DisputeType.objects.order_by("ordering", "pk").first()
    kind.name = "改名的类型"
    kind.save()
    html = client.get(reverse("cases:search"), {"q": "工资"}).content.decode()
    assert ("police", "警调（新）", False) in _select(html, "channel")
    assert _select(html, "dispute_type")[1] == (kind.code, "改名的类型", False)


def test_the_page_reads_no_channel_or_dispute_type_rows_once_cached(login, supervisor, world):
    client = login(supervisor)
    client.get(reverse("cases:search"), {"q": "工资"})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("cases:search"), {"q": "工资"}).status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert 'FROM "routing_channel"' not in sql and 'FROM "cases_disputetype"' not in sql
