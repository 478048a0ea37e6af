"""The status lookup's result (``views.status``), written directly: the content of the portal's shell
(``shell.portal_page``) under 查询结果.

Through the template engine the card (``templates/cases/portal/_case_status.html``) and its page cost ~0.5 ms
of CPU per lookup (thirty translated labels, nested ``with``/``if``/``for`` blocks, variable lookups), as
much as the lookup's SQL. Here the same markup is written with every value escaped as the template escaped
it: ``{{ }}`` values localized and escaped (``render_value_in_context``), ``{% translate %}`` escaped,
``{% blocktranslate %}`` with its values escaped and its text not, dates through the ``date`` filter in the
current time zone. The signed-in citizen's case page (``case.html``) still includes the template;
``tests/portal/test_status_page_bytes.py`` compares this page with the old one (its template kept in
tests/reference_templates) and the card with the template's card, byte for byte: change both together.
"""

import functools
from datetime import date, datetime
from html import escape as html_escape

from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext, gettext_noop

from accounts.urls_once import reverse_once

# The card's labels are the msgids of _case_status.html and _rating_link.html (makemessages finds them there);
# the heading and the way back were status_result.html's, marked here for makemessages.
HEADING, ANOTHER_CASE = gettext_noop("查询结果"), gettext_noop("查询其他案件")
# What ``{{ }}`` needs of a context: autoescape, no use_tz/use_l10n override.
_CONTEXT = Context(autoescape=True)


def _v(value) -> str:
    """``{{ value }}`` (a plain string is only escaped: no time zone or localization applies to it; a small
    whole number is its digits whatever the locale's grouping, which starts at four digits)."""
    kind = type(value)
    if kind is str:
        return html_escape(value)  # what django.utils.html.escape returns, without its lazy-string check
    if kind is int and 0 <= value < 1000:
        return str(value)
    return render_value_in_context(value, _CONTEXT)


class _Labels(dict):
    """One language's ``{% translate %}`` (escaped) or ``{% blocktranslate %}`` text (not escaped), each
    translated on first use: built for the active language and used while it is active."""

    def __init__(self, escaped: bool):
        super().__init__()
        self.escaped = escaped

    def __missing__(self, message: str) -> str:
        text = gettext(message)
        found = self[message] = escape(text) if self.escaped else text
        return found


@functools.cache
def _labels(language: str | None, escaped: bool) -> _Labels:
    return _Labels(escaped)


@functools.cache
def _translators(language: str | None):
    labels, blocks = _labels(language, True), _labels(language, False)

    def bt(message: str, **values) -> str:
        """``{% blocktranslate with … %}``: its text as translated (not escaped), its values as ``{{ }}``."""
        return blocks[message] % values

    return labels.__getitem__, bt, language


def _translations():
    """``{% translate %}`` and ``{% blocktranslate %}`` for the active language, and the language: looked up
    once per page (``get_language`` is a thread-local read, and a page asks for forty labels)."""
    return _translators(get_language())


def _t(message: str) -> str:
    """``{% translate message %}``: translated once per process and language."""
    return _labels(get_language(), True)[message]


@functools.cache
def _status_labels(language: str | None) -> dict[str, str]:
    from cases.core.states import Status

    return {value: escape(str(label)) for value, label in Status.choices}


def _status_label(status: str, language: str | None) -> str:
    """``{{ case.get_status_display }}`` (Django rebuilds the choices' dict on every call), escaped."""
    return _status_labels(language).get(status) or _v(status)


# ``|date`` for the card's formats, written out (Django's DateFormat looks each letter up by name): digits only.
_DATE_FORMATS = {
    "Y-m-d": lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}",
    "Y年n月j日": lambda d: f"{d.year:04d}年{d.month}月{d.day}日",
}
_TIME_FORMATS = {"Y-m-d H:i": lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d} {d.hour:02d}:{d.minute:02d}"}


def _date(value, fmt: str) -> str:
    """``{{ value|date:fmt }}``."""
    if isinstance(value, datetime):
        write = _DATE_FORMATS.get(fmt) or _TIME_FORMATS.get(fmt)
        if write is not None:
            return write(template_localtime(value))
    elif isinstance(value, date):
        write = _DATE_FORMATS.get(fmt)
        if write is not None:
            return write(value)
    return _v(date_filter(template_localtime(value), fmt))


def _join(values) -> str:
    """``{{ values|join:"、" }}`` (autoescaped: each value escaped)."""
    return "、".join(conditional_escape(v) for v in values)


def _deadline(case, p, tr=None) -> str:
    t, bt, _language = tr or _translations()
    deadlines = p.deadlines
    headline = deadlines.headline
    if headline:
        overdue = deadlines.overdue
        tone = "border-danger bg-danger-subtle" if overdue else "border-primary bg-primary-subtle"
        provisional = (
            f' <span class="badge text-bg-warning" data-testid="provisional">{t("暂定")}</span>'
            if headline.provisional
            else ""
        )
        if overdue:
            left = t("已届满")
        elif deadlines.days_left == 0:
            left = t("今天届满")
        else:
            left = bt("剩 %(n)s 天", n=_v(deadlines.days_left))
        paused = f" · {t('中止计算中')}" if headline.paused_since else ""
        note = ""
        if p.provisional_years:
            years = bt(
                "%(years)s 年的法定节假日安排尚未公布，此日期按现行规则推算，公布后可能调整。",
                years=_v(mark_safe(_join(p.provisional_years))),
            )
            note = f'<p class="small mb-0 mt-1" data-testid="provisional-note">{years}</p>'
        others = deadlines.others
        clocks = ""
        if others:
            rows = "".join(
                f'<dt class="col-5 fw-normal text-body-secondary">{_v(clock.name)}</dt><dd class="col-7 mb-1">'
                f"{_date(clock.due_at, 'Y-m-d')}{' ' + t('（暂定）') if clock.provisional else ''}</dd>"
                for clock in others
            )
            clocks = f'<dl class="row small mb-2" data-testid="other-clocks">{rows}</dl>'
        return (
            f'\n  <div class="border-start border-4 rounded p-2 px-3 mb-3 {tone}" data-testid="headline-deadline">'
            f'\n    <div class="small text-body-secondary">{_v(headline.name)}</div>'
            f'\n    <div class="fs-4 fw-bold">{_date(headline.due_at, "Y年n月j日")}{provisional}</div>'
            f'\n    <div data-testid="days-left">{left}{paused}</div>'
            f"\n    {note}"
            "\n  </div>"
            f"\n  {clocks}"
            "\n  "
        )
    if case.status == "submitted":
        return f"<p>{t('办理期限')}：{t('受理后确定')}</p>"
    return ""


def _outcome(case, p, tr=None) -> str:
    t, bt, _language = tr or _translations()
    if not (p.outcome and case.status != "not_accepted"):
        return ""
    reason = f"：{_v(p.outcome_reason)}" if p.outcome_reason else ""
    routes = f'<p class="mb-1">{t("您还可以通过以下途径解决")}：{_join(p.routes)}</p>' if p.routes else ""
    terms = ""
    if p.terms:
        items = "".join(
            f"<li>{_v(term.content)}"
            + (f"（{t('履行期限')} {_date(term.due_on, 'Y-m-d')}）" if term.due_on else "")
            + "</li>"
            for term in p.terms
        )
        terms = (
            f'<p class="mb-1">{t("协议主要内容")}：</p><ol class="ps-4 mb-1" data-testid="agreement-terms">'
            f"{items}</ol>"
        )
    oral = f'<p class="mb-1">{t("口头协议内容")}：{_v(p.oral_terms)}</p>' if p.oral_terms else ""
    window = ""
    if p.confirmation_due:
        due = bt(
            "如需申请司法确认，请于 %(due)s 前共同向人民法院提出。",
            due=_date(p.confirmation_due, "Y年n月j日"),
        )
        provisional = f" {t('（暂定）')}" if p.confirmation_provisional else ""
        window = f'<p class="mb-1" data-testid="confirmation-window">{due}{provisional}</p>'
    return (
        f'\n  <div class="border-top mt-3 pt-2" data-testid="outcome"><h2 class="h6">{t("办理结果")}</h2>'
        f'\n    <p class="mb-1"><strong>{_v(p.outcome)}</strong>{reason}</p>'
        f"\n    {routes}"
        f"\n    {terms}"
        f"\n    {oral}"
        f"\n    {window}"
        "\n  </div>"
    )


def _rating_link(case, rate_url: str, tr=None) -> str:
    """``_rating_link.html``."""
    t, _bt, _language = tr or _translations()
    if case.status != "closed":
        return "\n"
    return (
        '<section class="card shadow-sm mb-3 border-primary border-2" data-testid="rating"><div class="card-body">'
        f'\n  <h2 class="h5 card-title">{t("服务评价")}</h2>'
        f"\n  <p>{t('案件已办结。请用您登记的手机号登录后，点一下表情为本次服务评价。')}</p>"
        f'\n  <a class="btn btn-primary btn-lg w-100" href="{_v(rate_url)}" data-testid="rate-link">'
        f"{t('登录并评价')}</a>"
        "\n</div></section>\n"
    )


def case_status(context: dict, rating: str, tr=None) -> str:
    """``_case_status.html`` for ``context`` (``views._status_context``), ``rating`` (HTML) in place of its
    ``rating_include``."""
    tr = tr or _translations()
    t, bt, language = tr
    case, p = context["case"], context["progress"]
    current = ' aria-current="step"'
    steps = "".join(
        f'\n    <li class="step-{_v(step.state)}"{current if step.state == "current" else ""}>'
        f'<span class="step-dot" aria-hidden="true">{"✓" if step.state == "done" else _v(i)}</span>'
        f"{_v(step.label)}</li>"
        for i, step in enumerate(p.steps, 1)
    )
    next_step = context["next_step"]
    refused = (
        f'<dt class="col-4 fw-normal text-body-secondary">{t("不予受理原因")}</dt>'
        f'<dd class="col-8 mb-1">{_v(case.outcome_reason)}</dd>'
        if case.status == "not_accepted" and case.outcome_reason
        else ""
    )
    extensions = ""
    if p.extensions:
        items = "".join(
            f'<li class="list-group-item px-0">{_date(e.on, "Y-m-d")} · {_v(e.clock)} '
            + bt("延长 %(n)s %(unit)s", n=_v(e.length), unit=_v(e.unit))
            + f" · {t('理由')}：{_v(e.reason)}</li>"
            for e in p.extensions
        )
        extensions = (
            f'<h2 class="h6 mt-3">{t("期限延长")}</h2>'
            f'\n  <ul class="list-group list-group-flush small" data-testid="extensions">{items}</ul>'
        )
    me = f' <span class="badge text-bg-light border">{t("本人")}</span>'
    parties = "".join(
        f'<li class="list-group-item px-0">{_v(party["role"])} · {_v(party["name"])}'
        f"{' · ' + _v(party['phone']) if party['phone'] else ''}{me if party['is_me'] else ''}</li>"
        for party in context["parties"]
    )
    events = (
        "".join(
            f'<li class="py-1"><time class="text-body-secondary small">{_date(e["time"], "Y-m-d H:i")}</time> '
            f"{_v(e['label'])}</li>"
            for e in context["events"]
        )
        or f'<li class="text-body-secondary">{t("暂无记录")}</li>'
    )
    if context["documents"]:
        links = "".join(
            f'<a class="list-group-item list-group-item-action d-flex align-items-center" href="{_v(d["url"])}"'
            f' data-testid="document">{_v(d["label"])}（PDF）</a>'
            for d in context["documents"]
        )
        documents = f'<div class="list-group">{links}</div>\n  '
    else:
        documents = f'<p class="text-body-secondary mb-0">{t("暂无可下载的文书。")}</p>'
    return (
        '\n<section class="card shadow-sm mb-3" data-testid="case-status"><div class="card-body">'
        f'\n  <p class="small text-body-secondary mb-1">{t("案号")} {_v(case.number)}</p>'
        "\n  "
        f'\n  <ol class="portal-steps" data-testid="step-bar" aria-label="{t("办理进度")}">{steps}'
        "\n  </ol>"
        f'\n  <p data-testid="stage-words">{t("当前状态")}：<span class="badge rounded-pill text-bg-primary fs-6"'
        f' data-testid="case-status-label">{_status_label(case.status, language)}</span> {_v(p.words)}</p>'
        f"\n  {_deadline(case, p, tr)}"
        '\n  <dl class="row mb-0">'
        f'\n    <dt class="col-4 fw-normal text-body-secondary">{t("纠纷类型")}</dt>'
        f'<dd class="col-8 mb-1">{_v(case.dispute_type.name)}</dd>'
        f'\n    <dt class="col-4 fw-normal text-body-secondary">{t("承办中心")}</dt>'
        f'<dd class="col-8 mb-1">{_v(case.center.name)}</dd>'
        + (
            f'\n    <dt class="col-4 fw-normal text-body-secondary">{t("下一步")}</dt>'
            f'<dd class="col-8 mb-1">{_v(next_step)}</dd>'
            if next_step
            else "\n    "
        )
        + f"\n    {refused}"
        "\n  </dl>"
        f"\n  {extensions}"
        f"\n  {_outcome(case, p, tr)}"
        "\n  "
        "\n</div></section>"
        f"\n{rating}"
        '\n<section class="card shadow-sm mb-3"><div class="card-body">'
        f'\n  <h2 class="h5 card-title">{t("当事人")}</h2>'
        f'\n  <ul class="list-group list-group-flush">{parties}</ul>'
        "\n</div></section>"
        '\n<section class="card shadow-sm mb-3"><div class="card-body">'
        f'\n  <h2 class="h5 card-title">{t("办理进度")}</h2>'
        f'\n  <ol class="list-unstyled mb-0 border-start border-2 ps-3">{events}</ol>'
        "\n</div></section>"
        '\n<section class="card shadow-sm mb-3"><div class="card-body">'
        f'\n  <h2 class="h5 card-title">{t("我的文书")}</h2>'
        f"\n  {documents}"
        "\n</div></section>"
        "\n"
    )


def status_result(context: dict) -> SafeString:
    """``status_result.html``'s content: the heading, the card with the rating link, the way back."""
    tr = _translations()
    t = tr[0]
    card = case_status(context, _rating_link(context["case"], context["rate_url"], tr), tr)
    return mark_safe(
        f'\n<h1 class="h4">{t(HEADING)}</h1>\n{card}'
        f'\n<a class="btn btn-outline-primary btn-lg w-100 bg-body" href="{_v(reverse_once("portal:status"))}">'
        f"{t(ANOTHER_CASE)}</a>\n"
    )
