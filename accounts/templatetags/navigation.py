from html import escape

from django import template
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


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
