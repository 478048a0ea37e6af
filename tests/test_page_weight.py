"""Issue 15 item 1: a staff page loads at most 150 KB of gzip'd CSS and JavaScript (the dashboard may add
ECharts). Each page's own <link rel=stylesheet> and <script src> files are read and gzip'd as a server would
(level 6), so a page that starts loading another stylesheet or script shows up here."""

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from routing import services
from routing.models import Summons

BUDGET = 150 * 1024
ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="/static/([^"?]+)')


def _weight(html: str) -> tuple[int, list[str]]:
    assets = sorted(set(ASSET.findall(html)))
    total = 0
    for path in assets:
        found = finders.find(path)
        assert found, path
        with open(found, "rb") as f:
            total += len(gzip.compress(f.read(), compresslevel=6))
    return total, assets


@pytest.fixture
def pages(make_case, clerk, mediator):
    case = services.route_case(make_case(), actor=clerk)
    services.claim_case(case, actor=mediator)
    summons = Summons.objects.get(case=case)
    return {
        "mediator": [
            reverse("accounts:home"),
            reverse("routing:queue") + "?tab=channel",
            reverse("cases:detail", args=[case.pk]),
            reverse("cases:warnings_case", args=[case.pk]),
            reverse("cases:warnings_notifications"),
            reverse("routing:transfer", args=[case.pk]),
        ],
        "clerk": [reverse("cases:intake-register"), reverse("accounts:home")],
        "liaison": [reverse("routing:liaison_queue"), reverse("routing:summons_detail", args=[summons.pk])],
    }


def test_staff_pages_stay_within_150_kb_of_gzipped_css_and_js(request, login, pages):
    for persona, urls in pages.items():
        client = login(request.getfixturevalue(persona))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            total, assets = _weight(response.content.decode())
            assert "vendor/bootstrap/bootstrap.min.css" in assets  # the measure reads the page's assets
            assert total <= BUDGET, f"{url}: {total} bytes gzip'd ({assets})"
