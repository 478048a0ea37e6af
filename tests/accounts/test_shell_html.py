"""The staff shell (templates/base.html) draws the same bytes as before its constant parts were rendered once a
process (``{% once %}``, ``{% url_once %}``, accounts/templatetags/navigation.py): the template it replaced is
kept as tests/reference_templates/base.html and both are rendered with one request, for every persona, with and
without a center chosen, a search term, in both languages. The CSRF tokens are masked afresh on each render,
so they are compared unmasked."""

import re
from pathlib import Path

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.template import engines
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation

from accounts.access import CURRENT_MEMBERSHIP_KEY
from accounts.models import Membership
from tests.factories import MembershipFactory

REFERENCE = Path(__file__).resolve().parent.parent / "reference_templates" / "base.html"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _unmasked(html: str) -> str:
    return TOKEN.sub(lambda m: f'name="csrfmiddlewaretoken" value="{_unmask_cipher_token(m.group(1))}"', html)


def _both(request) -> tuple[str, str]:
    old = engines["django"].from_string(REFERENCE.read_text()).render({}, request)
    new = get_template("base.html").render({}, request)
    return _unmasked(old), _unmasked(new)


@pytest.fixture(autouse=True)
def _default_language_afterwards(settings):
    """A request with the English cookie leaves English active in this thread; later tests expect Chinese."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("persona", ["clerk", "mediator", "liaison", "supervisor", "admin_user", "citizen", None])
def test_shell_matches_the_template_it_replaced(db, request, client, world, persona, language):
    if persona:
        user = request.getfixturevalue(persona)
        client.force_login(user)
    if persona == "supervisor":  # two posts: the center switch, with and without one chosen
        second = MembershipFactory(user=user, center=world.town, role=Membership.Role.MEDIATOR)
    client.cookies["django_language"] = language
    pages = [reverse("accounts:home") if persona and persona != "citizen" else reverse("index")]
    for path in [pages[0], pages[0] + "?q=%3Cb%3E%E5%BC%A0", "/nowhere/"]:
        response = client.get(path)
        wsgi_request = response.wsgi_request
        with translation.override(language):
            for chosen in [None, "second"] if persona == "supervisor" else [None]:
                if chosen:
                    wsgi_request.session[CURRENT_MEMBERSHIP_KEY] = second.pk
                for _ in range(2):  # the first render fills the fragments, the second reuses them
                    old, new = _both(wsgi_request)
                    assert new == old
                    assert 'name="csrfmiddlewaretoken"' in new
                    if persona not in (None, "citizen"):
                        assert 'data-testid="user-menu"' in new and "shell-sidebar" in new


def test_once_refuses_what_reads_the_context():
    from django.template import TemplateSyntaxError

    django = engines["django"]
    for body in ["{{ user }}", "{% if x %}y{% endif %}", "{% url name %}", "{% translate x %}", "{% csrf_token %}"]:
        with pytest.raises(TemplateSyntaxError):
            django.from_string("{% load i18n navigation %}{% once %}" + body + "{% endonce %}")
    ok = django.from_string("{% load i18n static navigation %}{% once %}a{% translate '菜单' %}{% url 'index' %}"
                            "{% static 'css/app.css' %}{% endonce %}")
    assert ok.render({}) == ok.render({}) != ""
