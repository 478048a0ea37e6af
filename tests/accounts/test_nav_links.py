"""The sidebar's entries, written by ``accounts.templatetags.navigation.nav_links``, are the same bytes as the
template loop they replaced (tests/reference_templates/nav_links.html), for every persona, with badges of
every kind (none, zero, a count, an urgent one), the current page's entry active, in both languages."""

from pathlib import Path

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from accounts.navigation import items_for
from cases.workbench.counts import WorkCounts

REFERENCE = Path(__file__).resolve().parent.parent / "reference_templates" / "nav_links.html"


def _both(user, path: str, counts) -> tuple[str, str]:
    request = RequestFactory().get(path)
    request.user = user
    context = {"nav_items": items_for(user), "work_counts": counts, "request": request}
    django = engines["django"]
    old = django.from_string(REFERENCE.read_text()).render(context)
    new = django.from_string("{% load navigation %}{% nav_links %}").render(context)
    return old, new


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("persona", ["clerk", "mediator", "liaison", "supervisor", "admin_user"])
def test_nav_links_match_the_loop_they_replace(db, request, persona, language):
    user = request.getfixturevalue(persona)
    counts = [
        WorkCounts(),
        WorkCounts(
            my_cases=0,
            red_orange=3,
            overdue=0,
            unassigned=12345,
            orders_unacknowledged=1,
            follow_ups_due=2,
            summonses_pending=0,
            online_applications=4,
            appointments_today=0,
            unread_notifications=7,
            extra={"risk_signals_open": 2, "credentials_flagged": 0},
        ),
        None,  # a page rendered without the work counts
    ]
    with translation.override(language):
        items = items_for(user)
        assert items
        for path in [items[0]["url"], items[-1]["url"], "/nowhere/?q=1"]:
            for figures in counts:
                old, new = _both(user, path, figures)
                assert new == old
                assert ("aria-current" in new) == (path != "/nowhere/?q=1")


def test_reverse_once_with_one_argument_is_what_reverse_gives():
    from django.urls import reverse

    from accounts.urls_once import reverse_once

    assert reverse_once("portal:case", "AB12-cd.9") == reverse("portal:case", args=["AB12-cd.9"])
    assert reverse_once("portal:case", "XY34") == reverse("portal:case", args=["XY34"])  # from the split form
    assert reverse_once("portal:case", "a b?ü") == reverse("portal:case", args=["a b?ü"])  # quoted by reverse
    assert reverse_once("cases:detail", 42) == reverse("cases:detail", args=[42])  # an <int:…> pattern
    assert reverse_once("portal:status") == reverse("portal:status")
