"""``{% remaining due level %}``: the time left to a deadline as a coloured badge, for the rows of a list.

The text counts calendar time to the stored due time (剩 3 天, 剩 5 小时, 超期 2 天). A case's due time
already comes from its clock (working days, pauses), so what is left of it is plain elapsed time; lists
show it without asking the calendar. The colour is the case's warning level when the row has one,
otherwise it follows the time left: overdue red, under a day orange, under three days yellow, else blue.
Pure arithmetic on the row: no query.
"""

from datetime import date, datetime, time, timedelta
from html import escape

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

LEVEL_CLASS = {0: "lv-0", 1: "lv-1", 2: "lv-2", 3: "lv-3", 4: "lv-4"}


def time_level(left: timedelta) -> int:
    if left < timedelta(0):
        return 4
    if left < timedelta(days=1):
        return 3
    if left < timedelta(days=3):
        return 2
    return 1


def remaining_text(left: timedelta) -> str:
    seconds = abs(left.total_seconds())
    days, hours = int(seconds // 86400), int(seconds // 3600)
    if left < timedelta(0):
        if days:
            return _("超期 %(n)s 天") % {"n": days}
        return _("超期 %(n)s 小时") % {"n": max(hours, 1)}
    if days:
        return _("剩 %(n)s 天") % {"n": days}
    return _("剩 %(n)s 小时") % {"n": max(hours, 1)}


@register.simple_tag
def remaining(
    due: datetime | date | None, level: int | None = None, now: datetime | None = None
) -> SafeString:
    if isinstance(due, date) and not isinstance(due, datetime):  # a due day: due by its end, local time
        due = timezone.make_aware(datetime.combine(due + timedelta(days=1), time.min))
    if due is None:
        return format_html('<span class="remaining lv-0" data-remaining="none">{}</span>', _("无期限"))
    left = due - (now or timezone.now())
    overdue = left < timedelta(0)
    colour = "lv-4" if overdue else LEVEL_CLASS.get(level if level else time_level(left), "lv-0")
    # Written directly (a list row calls this once per row): the class, the digits of the time and the state
    # are markup of this module; only the translated text is escaped, as format_html escaped it.
    return SafeString(
        f'<span class="remaining {colour}" title="{timezone.localtime(due).strftime("%Y-%m-%d %H:%M")}" '
        f'data-remaining="{"overdue" if overdue else "open"}">{escape(remaining_text(left))}</span>'
    )
