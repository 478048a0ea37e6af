"""The case page as a workbench (issue 15, item 4): sections as tabs with the open one in the address, and the
lifecycle forms opened in place (htmx) — errors come back inside the form, a saved form brings the page back
with its flash message — while the plain page flow without JavaScript still works."""

import re

import pytest
from django.urls import reverse

from cases.lifecycle.models import MediationSession
from tests.cases.lifecycle_helpers import *  # noqa: F403

HTMX = {"HTTP_HX_REQUEST": "true"}
TABS = ["overview", "parties", "sessions", "documents", "evidence", "conversation", "warnings", "timeline"]


def _active_tabs(html: str) -> list[str]:
    return re.findall(r'class="nav-link active"[^>]*data-tab="(\w+)"', html)


def _session_data(case) -> dict:
    return {
        "started_at": "2026-03-02T09:30",
        "mode": "in_person",
        "place": "中心一楼调解室",
        "parties": [p.pk for p in case.parties.all()],
        "discussion": "申请人陈述被拖欠三个月工资。",
        "result": "",
        "outcome": "",
        "other_participants": "",
    }


def test_every_section_is_a_tab_and_the_open_one_comes_from_the_address(login, mediating_case, mediator):
    client = login(mediator)
    url = reverse("cases:detail", args=[mediating_case.pk])
    page = client.get(url).content.decode()
    assert re.findall(r'role="tab"[^>]*data-tab="(\w+)"', page) == TABS
    assert [re.sub(r"<[^>]+>|\s|\d", "", t) for t in re.findall(r'data-tab="\w+">(.*?)</a>', page, re.S)] == [
        "概况",
        "当事人",
        "调解记录",
        "文书",
        "证据",
        "沟通",
        "预警督办",
        "时间线",
    ]
    assert _active_tabs(page) == ["overview"]
    # Each tab is a link of its own, so without JavaScript it opens the page at that tab.
    assert 'href="?tab=parties"' in page
    assert _active_tabs(client.get(url, {"tab": "parties"}).content.decode()) == ["parties"]
    assert 'id="tab-parties" role="tabpanel"' in client.get(url, {"tab": "parties"}).content.decode()
    assert (
        '<div class="tab-pane active" id="tab-parties"'
        in client.get(url, {"tab": "parties"}).content.decode()
    )
    assert _active_tabs(client.get(url, {"tab": "nonsense"}).content.decode()) == ["overview"]
    # The timeline is beside the tabs on a desktop: its tab is only offered on a phone.
    assert re.search(
        r'<li class="nav-item d-lg-none" role="presentation">\s*<a[^>]*data-tab="timeline"', page
    )


def test_an_action_opens_its_form_in_place(login, mediating_case, mediator):
    client = login(mediator)
    page = client.get(reverse("cases:detail", args=[mediating_case.pk])).content.decode()
    form_url = reverse("cases:session_create", args=[mediating_case.pk])
    assert (
        f'href="{form_url}" hx-get="{form_url}" hx-target="#form-sessions" data-case-tab="sessions"' in page
    )
    agreement_url = reverse("cases:agreement_edit", args=[mediating_case.pk])
    assert f'hx-get="{agreement_url}" hx-target="#form-documents"' in page
    fragment = client.get(form_url, **HTMX)
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert "<html" not in html and "<nav" not in html  # only the form, for the tab
    assert f'hx-post="{form_url}"' in html and 'hx-target="closest [data-action-form]"' in html
    assert "记录调解" in html and 'name="discussion"' in html


def test_an_invalid_form_comes_back_in_place_with_its_errors_and_what_was_typed(
    login, mediating_case, mediator
):
    client = login(mediator)
    before = MediationSession.objects.filter(case=mediating_case).count()
    data = {**_session_data(mediating_case), "discussion": "", "place": "村委会二楼"}
    response = client.post(reverse("cases:session_create", args=[mediating_case.pk]), data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-testid="action-form"' in html
    assert (
        '<div class="invalid-feedback d-block" role="alert" id="id_discussion_error">该字段是必填项。</div>'
        in html
    )
    assert 'value="村委会二楼"' in html  # what was typed is kept
    assert MediationSession.objects.filter(case=mediating_case).count() == before


def test_a_saved_form_brings_the_case_page_back_in_place_with_its_message(login, mediating_case, mediator):
    client = login(mediator)
    before = MediationSession.objects.filter(case=mediating_case).count()
    response = client.post(
        reverse("cases:session_create", args=[mediating_case.pk]), _session_data(mediating_case), **HTMX
    )
    detail = reverse("cases:detail", args=[mediating_case.pk])
    assert response.status_code == 302 and response["Location"] == f"{detail}?tab=sessions"
    assert MediationSession.objects.filter(case=mediating_case).count() == before + 1
    # htmx follows the redirect (its headers go along): the workbench alone, to replace the one on screen.
    page = client.get(response["Location"], **HTMX)
    assert page["HX-Retarget"] == "#case-page" and page["HX-Reswap"] == "outerHTML"
    assert page["HX-Replace-Url"] == f"{detail}?tab=sessions"
    html = page.content.decode()
    assert "<html" not in html and html.lstrip().startswith('<div id="case-page"')
    messages = html[html.index('data-testid="in-place-messages"') :][:400]
    assert "调解记录已保存。" in messages
    assert _active_tabs(html) == ["sessions"]
    assert "申请人陈述被拖欠三个月工资。" in html
    # The message is shown once: a later page does not repeat it.
    assert "调解记录已保存。" not in client.get(detail).content.decode()


def test_without_javascript_the_plain_pages_still_work(login, mediating_case, mediator):
    client = login(mediator)
    form_url = reverse("cases:session_create", args=[mediating_case.pk])
    page = client.get(form_url).content.decode()
    assert "<html" in page and "<h1" in page and "记录调解" in page
    response = client.post(form_url, _session_data(mediating_case), follow=True)
    assert response.redirect_chain[-1][0].endswith("?tab=sessions")
    html = response.content.decode()
    assert "调解记录已保存。" in html and "<html" in html
    assert _active_tabs(html) == ["sessions"]
    assert 'data-testid="in-place-messages"' not in html  # the page's own messages show it


def test_the_agreement_form_returns_to_the_documents_tab(login, mediating_case, mediator):
    client = login(mediator)
    response = client.post(
        reverse("cases:agreement_edit", args=[mediating_case.pk]),
        {
            "facts": "拖欠工资。",
            "issues": "数额。",
            "responsibilities": "支付。",
            "terms-TOTAL_FORMS": "3",
            "terms-INITIAL_FORMS": "0",
            "terms-0-content": "一次付清",
            "terms-0-performance": "转账",
            "terms-0-due_on": "2026-12-31",
        },
        **HTMX,
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?tab=documents")


@pytest.mark.parametrize(("persona", "status"), [("supervisor", 403), ("clerk", 403), ("outsider", 404)])
def test_the_form_in_place_keeps_the_access_rules(request, login, mediating_case, persona, status):
    client = login(request.getfixturevalue(persona))
    url = reverse("cases:session_create", args=[mediating_case.pk])
    assert client.get(url, **HTMX).status_code == status
    assert client.post(url, _session_data(mediating_case), **HTMX).status_code == status
    assert not MediationSession.objects.filter(case=mediating_case, place="中心一楼调解室").exists()


def test_the_in_place_case_page_keeps_the_access_rules(login, mediating_case, outsider, supervisor):
    url = reverse("cases:detail", args=[mediating_case.pk])
    assert login(outsider).get(url, {"tab": "sessions"}, **HTMX).status_code == 404
    html = login(supervisor).get(url, {"tab": "sessions"}, **HTMX).content.decode()
    assert 'data-action="record_session"' not in html  # read-only there: no lifecycle action offered
