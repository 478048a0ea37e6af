from html import escape

from django import template
from django.template.base import FilterExpression, Node, TextNode, Variable
from django.template.defaulttags import CommentNode, URLNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from accounts import urls_once

register = template.Library()


# --- The shell's constant parts (base.html) ---------------------------------------------------------
# Much of the staff shell is the same bytes on every page for a given language: the stylesheets and
# scripts, the brand, labels, the footer. ``{% once %}…{% endonce %}`` renders such a fragment the first
# time and then reuses the string (per language, URL configuration and script prefix); the parser
# refuses anything inside that could read the context, so it cannot freeze a per-request value.
# ``{% url_once %}`` and ``{% static_once %}`` are ``{% url %}`` / ``{% static %}`` without arguments,
# remembered per process, for the URLs that sit among per-request parts.


def _literal(expression: FilterExpression) -> bool:
    var = expression.var
    return not expression.filters and (
        isinstance(var, str) or (isinstance(var, Variable) and var.literal is not None)
    )


def _constant(node: Node) -> bool:
    if isinstance(node, (TextNode, CommentNode)):
        return True
    if isinstance(node, TranslateNode):
        return node.asvar is None and _literal(node.filter_expression)
    if isinstance(node, URLNode):
        return node.asvar is None and _literal(node.view_name) and not node.args and not node.kwargs
    if isinstance(node, StaticNode):
        return node.varname is None and _literal(node.path)
    return isinstance(node, (OnceURLNode, OnceStaticNode))


class OnceNode(Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.rendered: dict[tuple, str] = {}

    def render(self, context):
        key = urls_once.fragment_key()
        html = self.rendered.get(key)
        if html is None:
            html = self.rendered[key] = self.nodelist.render(context)
        return html


@register.tag
def once(parser, token):
    """``{% once %}…{% endonce %}``: text, ``translate``, ``url`` and ``static`` of literals only."""
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    for node in nodelist:
        if not _constant(node):
            raise template.TemplateSyntaxError(f"{{% once %}} holds only constant parts, not {node!r}")
    return OnceNode(nodelist)


class OnceURLNode(Node):
    def __init__(self, name: str):
        self.name = name

    def render(self, context):
        url = urls_once.reverse_once(self.name)
        return conditional_escape(url) if context.autoescape else url


class OnceStaticNode(Node):
    def __init__(self, path: str):
        self.path = path

    def render(self, context):
        url = urls_once.static_once(self.path)
        return conditional_escape(url) if context.autoescape else url


def _one_literal(parser, token) -> str:
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][:1] not in "'\"" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one quoted name")
    return bits[1][1:-1]


@register.tag
def url_once(parser, token):
    """``{% url 'name' %}`` of a URL without arguments, reversed once a process."""
    return OnceURLNode(_one_literal(parser, token))


@register.tag
def static_once(parser, token):
    """``{% static 'path' %}``, resolved once a process."""
    return OnceStaticNode(_one_literal(parser, token))


@register.filter
def count_of(counts, key: str):
    """The badge's number for a navigation entry: ``{{ work_counts|count_of:item.count }}`` (None: no badge)."""
    if not counts or not key:
        return None
    return counts.get(key)


# Every staff page draws the sidebar: as a template loop (a ``with``, two ``if``s on the path and an
# ``include`` of partials/nav_badge.html per entry) it cost ~0.1 ms of CPU an entry, a tenth of a queue
# page's rendering. This writes the same markup; tests/accounts/test_nav_links.py renders the loop it
# replaced (tests/reference_templates/nav_links.html) and compares the bytes.
URGENT = ("red_orange", "overdue")


def nav_badge(n, key: str) -> str:
    """partials/nav_badge.html without ``oob``, its trailing newline included."""
    if n is None:
        return "\n"
    colour = ("text-bg-danger" if key in URGENT else "text-bg-primary") if n else "text-bg-light border"
    return f'<span class="badge rounded-pill {colour}" data-badge="{escape(str(key))}">{escape(str(localize(n)))}</span>\n'


@register.simple_tag(takes_context=True)
def nav_links(context) -> SafeString:
    """The sidebar's entries (base.html): label, badge, the current page's entry active."""
    counts = context.get("work_counts")
    request = context.get("request")
    here = request.get_full_path() if request is not None else ""
    links = []
    for item in context.get("nav_items") or ():
        key, url = item["count"], item["url"]
        current = ' aria-current="page"' if here == url else ""
        data_count = f' data-count="{escape(str(key))}"' if key else ""
        links.append(
            '\n        <a class="nav-link d-flex justify-content-between align-items-center'
            f'{" active" if current else ""}" href="{escape(str(url))}" data-nav="{escape(str(item["url_name"]))}"'
            f"{data_count}{current}>"
            f"\n          <span>{escape(str(item['label']))}</span>"
            f"\n          {nav_badge(count_of(counts, key), key)}"
            "\n        </a>"
        )
    return mark_safe("".join(links))
