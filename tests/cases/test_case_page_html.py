"""The case page's parts written in Python (cases/page_html.py: header, tabs, overview, parties, sessions,
timeline, and the unbound upload and grant forms' fields) give the page the old templates gave (kept in
tests/reference_templates/case_page/, found before the live templates by a second engine): the whole page
through the view, then again with the view's ``render`` on the old templates, compared with whitespace
normalised. What differs between two requests anyway is left out: CSRF tokens, the idle seconds left.

Hand-made cases of every stage on both backends (typical, with an agreement in effect, a long timeline, shown
cut and in full, concluded, failed, closed with evaluation and follow-ups, ties and messages, names the page
must escape, English), as supervisor, mediator and clerk, the plain page and the htmx answer with its flash
message; on PostgreSQL also generated cases (bench/generate) of every status."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.db.models import Count
from django.http import HttpResponse
from django.template.backends.django import DjangoTemplates
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

import cases.core.views
from cases.core.models import Case, Party, TimelineEvent
from cases.intake.services import mark_repeat, merge_case
from cases.portal.models import CaseMessage
from tests.cases.lifecycle_helpers import *  # noqa: F403
from tests.cases.lifecycle_helpers import make_effective, route, session

REFERENCE = Path(__file__).resolve().parent.parent / "reference_templates" / "case_page"
_options = settings.TEMPLATES[0]
OLD_ENGINE = DjangoTemplates(
    {
        "NAME": "case_page_reference",
        "DIRS": [REFERENCE, *_options["DIRS"]],
        "APP_DIRS": _options["APP_DIRS"],
        "OPTIONS": dict(_options["OPTIONS"]),
    }
)


def _old_render(request, template_name, context=None, content_type=None, status=None, using=None):
    return HttpResponse(OLD_ENGINE.get_template(template_name).render(context, request), content_type, status)


def normalised(page: str) -> str:
    page = re.sub(r'data-idle-left="\d+"', "", page)
    page = re.sub(r'(name="csrfmiddlewaretoken" value=|csrf-token" content=|X-CSRFToken": )"[^"]+"', "", page)
    return re.sub(r"\s+", " ", page).strip()


def _first_difference(new: str, old: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(new, old, strict=False)) if a != b), min(len(new), len(old)))
    return f"new: …{new[max(0, at - 200) : at + 200]}…\nold: …{old[max(0, at - 200) : at + 200]}…"


def assert_same_page(client, monkeypatch, url: str, **headers) -> str:
    new = client.get(url, **headers)
    with monkeypatch.context() as patch:
        patch.setattr(cases.core.views, "render", _old_render)
        old = client.get(url, **headers)
    assert new.status_code == old.status_code == 200
    a, b = normalised(new.content.decode()), normalised(old.content.decode())
    assert a == b, _first_difference(a, b)
    return new.content.decode()


def _detail(case, **query) -> str:
    url = reverse("cases:detail", args=[case.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _long_timeline(case, n: int = 400) -> None:
    now = timezone.now()
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            case=case,
            type="note_added" if i % 3 else "summons_declined",
            data={"reason": f"第{i}次 <说明> & “理由”"} if i % 2 else {},
            created_at=now - timezone.timedelta(minutes=i),
        )
        for i in range(n)
    )


@pytest.fixture
def awkward_case(make_case, world, clerk, mediator):
    """A routed case whose parties, summary and messages carry what the page must escape, with ties, messages
    and a session."""
    case = make_case(
        summary='拖欠工资 <script>alert("x")</script>\n第二行 & 其他', claims="支付 5,000 元\r\n赔礼道歉"
    )
    Party.objects.filter(case=case).update(name="张三 <b>&amp;</b> \"'", address="")
    mark_repeat(make_case(), actor=clerk, original=case)
    merge_case(make_case(), actor=clerk, into=case)
    CaseMessage.objects.create(case=case, from_staff=False, body="请问何时调解？<i>急</i>")
    route(case, world.channels["specialist"])
    session(case, mediator, place="调解室 <2>", discussion="双方 & 陈述\n<同意>")
    return Case.objects.get(pk=case.pk)


@pytest.mark.parametrize("persona", ["supervisor", "mediator", "clerk"])
@pytest.mark.parametrize(
    "fixture",
    ["routed_case", "mediating_case", "concluded_case", "closed_case", "failed_case", "awkward_case"],
)
def test_the_page_is_the_old_templates_page(request, login, monkeypatch, mediator, persona, fixture):
    case = request.getfixturevalue(fixture)
    client = login(request.getfixturevalue(persona))
    assert_same_page(client, monkeypatch, _detail(case))


@pytest.mark.parametrize("persona", ["supervisor", "mediator"])
def test_with_an_agreement_a_long_timeline_and_every_tab(
    login, request, monkeypatch, mediating_case, mediator, persona
):
    make_effective(mediating_case, mediator)
    _long_timeline(mediating_case)
    client = login(request.getfixturevalue(persona))
    page = assert_same_page(client, monkeypatch, _detail(mediating_case))
    assert 'data-testid="timeline-all"' in page and 'data-testid="confirmation-window"' in page
    assert "&lt;说明&gt; &amp; “理由”" in page  # the events' reasons are escaped
    assert_same_page(client, monkeypatch, _detail(mediating_case, tab="timeline", timeline="all"))
    for tab in ("parties", "sessions", "documents", "evidence", "conversation", "warnings", "nonsense"):
        assert_same_page(client, monkeypatch, _detail(mediating_case, tab=tab))


def test_names_and_texts_are_escaped_as_before(login, monkeypatch, awkward_case, supervisor):
    page = assert_same_page(login(supervisor), monkeypatch, _detail(awkward_case))
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>第二行 &amp; 其他" in page
    assert "张三 &lt;b&gt;&amp;amp;&lt;/b&gt; &quot;&#x27;" in page
    assert "<script>alert" not in page


def test_in_english(login, monkeypatch, closed_case, supervisor):
    client = login(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = assert_same_page(client, monkeypatch, _detail(closed_case))
    assert 'lang="en"' in page


def test_the_htmx_answer_with_its_flash_message(monkeypatch, mediating_case, mediator):
    """The in-place answer (a saved form's redirect followed by htmx) shows the flash messages inside the
    workbench: the same with the old templates."""
    pages = []
    for render in (None, _old_render):
        request = RequestFactory().get(_detail(mediating_case, tab="sessions"), HTTP_HX_REQUEST="true")
        request.user = mediator
        request.session = {}
        request._messages = FallbackStorage(request)
        messages.success(request, "已保存 <调解记录>")
        with monkeypatch.context() as patch, translation.override("zh-hans"):
            if render:
                patch.setattr(cases.core.views, "render", render)
            response = cases.core.views.case_detail(request, mediating_case.pk)
        assert response.status_code == 200 and response["HX-Retarget"] == "#case-page"
        pages.append(normalised(response.content.decode()))
    assert pages[0] == pages[1], _first_difference(*pages)
    assert 'data-testid="in-place-messages"' in pages[0] and "已保存 &lt;调解记录&gt;" in pages[0]


@pytest.mark.postgres
def test_generated_cases_of_every_status(db, monkeypatch, client):
    """Cases from the benchmark's generator (bench/generate): for each status a few, and the longest timeline,
    as the county's supervisor."""
    from accounts.models import Membership
    from bench.generate import feedback
    from cases.management.commands.generate_data import generate

    monkeypatch.setattr(feedback, "SUPERVISED_SHARE", {3: 1.0, 4: 1.0})
    generate(
        300,
        counties=1,
        towns=2,
        villages=2,
        chunk_size=300,
        seed=11,
        long_timeline_share=0.02,
        log=lambda m: None,
    )
    supervisor = Membership.objects.filter(role=Membership.Role.SUPERVISOR, center__parent=None).first().user
    client.force_login(supervisor, backend="django.contrib.auth.backends.ModelBackend")
    picked = []
    for status in Case.objects.values_list("status", flat=True).distinct():
        picked += list(Case.objects.filter(status=status).order_by("pk").values_list("pk", flat=True)[:3])
    longest = (
        TimelineEvent.objects.values("case").order_by().annotate(n=Count("pk")).order_by("-n").first()["case"]
    )
    assert TimelineEvent.objects.filter(case=longest).count() > 100
    for pk in [*picked, longest]:
        assert_same_page(client, monkeypatch, reverse("cases:detail", args=[pk]))
    assert len(picked) >= 15


def test_every_label_of_the_written_parts_is_in_the_catalogue():
    """makemessages finds the module's labels (``_(…)`` outside f-strings, where xgettext looks, and
    ``gettext_noop`` for those written only inside one): each is in the English catalogue."""
    import ast

    import polib

    import cases.page_html

    tree = ast.parse(Path(cases.page_html.__file__).read_text(encoding="utf-8"))
    inside_f_strings = {
        id(node) for f in ast.walk(tree) if isinstance(f, ast.JoinedStr) for node in ast.walk(f)
    }

    def literal_calls(names):
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in names
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                yield node, node.args[0].value

    labels = {label for _node, label in literal_calls({"_", "ngettext", "gettext_noop"})}
    found = {
        label
        for node, label in literal_calls({"_", "ngettext", "gettext_noop"})
        if id(node) not in inside_f_strings
    }
    catalogue = polib.pofile(str(Path(settings.BASE_DIR) / "locale/en/LC_MESSAGES/django.po"))
    translated = {entry.msgid for entry in catalogue if entry.msgstr or any(entry.msgstr_plural.values())}
    assert len(labels) > 60
    assert sorted(labels - translated) == []  # English for each
    assert sorted(labels - found) == []  # and makemessages sees each


def test_the_grant_form_is_the_live_templates(mediating_case):
    """The routing card writes 授予个案权限 for the unbound form; the grant view still answers a refusal with
    ``routing/_grant_inline.html``: both write the same form (change them together)."""
    from django.template.loader import render_to_string

    import cases.page_html
    from routing.selectors import grant_form

    for language in ("zh-hans", "en"):
        with translation.override(language):
            form = grant_form()
            live = render_to_string(
                "routing/_grant_inline.html", {"form": form, "case": mediating_case, "csrf_token": "token"}
            )
            csrf = '<input type="hidden" name="csrfmiddlewaretoken" value="token">'
            written = cases.page_html._grant_inline(mediating_case, cases.page_html.grant_fields(form), csrf)
            assert 'name="username"' in written and 'name="reason"' in written
            assert normalised(written) == normalised(live)
