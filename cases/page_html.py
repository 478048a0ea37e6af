"""The staff case page's heaviest parts, written directly: the header (status, countdown, step bar, actions),
the tabs, the overview's two cards, routing's card (分流与承办, with its 授予个案权限 form), the parties and
their identity checks, the sessions (with the evaluation and the follow-ups), the warning card and the timeline; the unbound upload and grant forms' fields
are rendered once per language.

Through the template engine these cost more CPU than the page's SQL (issue 17 item 3: ~1,180 nodes, 57
``reverse()`` and ~260 ``gettext`` a request). Here the same markup is written with every value escaped as the
template escaped it: ``{{ }}`` values localized and escaped (``render_value_in_context``), ``{% translate %}``
as translated (a template literal is safe: not escaped), ``{% blocktranslate %}`` with its values escaped,
dates as the ``date`` filter writes them in the current time zone. Labels are translated once per process and
language, choice labels through ``choice_label``, URLs reversed once per process and script prefix (the case's
and the rows' ids put in place). The rest of the page is still ``templates/cases/core/detail.html`` and its
includes. ``tests/cases/test_case_page_html.py`` renders the old templates (kept in
tests/reference_templates/case_page/) and the page now for generated cases and compares them: change both
together.

The labels are written ``_("…")`` so that makemessages finds them (``_`` here is the cached ``gettext``).
"""

import functools
import html

from django.middleware.csrf import get_token
from django.template import Context
from django.template.base import render_value_in_context
from django.template.loader import get_template
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext, gettext_noop, ngettext

from cases.templatetags.choice_labels import choice_label
from cases.templatetags.html_values import escaped

# What ``{{ }}`` needs of a context: autoescape, no use_tz/use_l10n override.
_CONTEXT = Context(autoescape=True)


# xgettext does not look inside f-strings: the labels written only there are marked here for makemessages
# (tests/cases/test_case_page_html.py checks that every label of this module is in the catalogue).
_ONLY_IN_F_STRINGS = (
    gettext_noop("分流与承办"),
    gettext_noop("分流"),
    gettext_noop("授予个案权限"),
    gettext_noop("授予"),
    gettext_noop("中止计算中"),
    gettext_noop("修改"),
    gettext_noop("结案前须经督办人员或指定评估人评估。"),
    gettext_noop("可办理事项"),
    gettext_noop("查询码"),
    gettext_noop("办理进度"),
    gettext_noop("案件信息"),
    gettext_noop("纠纷概况"),
    gettext_noop("分流与期限"),
    gettext_noop("当事人诉求"),
    gettext_noop("当事人"),
    gettext_noop("结案时间"),
    gettext_noop("司法确认申请期限"),
    gettext_noop("来源"),
    gettext_noop("涉及金额（元）"),
    gettext_noop("涉及人数"),
    gettext_noop("重复来访次数"),
    gettext_noop("受理中心"),
    gettext_noop("承办中心"),
    gettext_noop("调解渠道"),
    gettext_noop("调解员"),
    gettext_noop("预警等级"),
    gettext_noop("响应期限"),
    gettext_noop("受理时间"),
    gettext_noop("查看完整电话/证件号"),
    gettext_noop("查看"),
    gettext_noop("查看内容"),
    gettext_noop("查看理由"),
    gettext_noop("其他理由"),
    gettext_noop("查看记录（查看人、时间、内容、理由）写入安全审计和办理时间线。"),
    gettext_noop("办理时间线"),
    gettext_noop("证件号码"),
    gettext_noop("联系电话"),
    gettext_noop("住址"),
    gettext_noop("尚未登记当事人。"),
    gettext_noop("参加人"),
    gettext_noop("调解经过"),
    gettext_noop("调解结果"),
    gettext_noop("处理结果正确"),
    gettext_noop("文书材料齐全"),
    gettext_noop("按期办结"),
    gettext_noop("结案小结"),
    gettext_noop("协议涉及金额（元）"),
    gettext_noop("防止民转刑"),
    gettext_noop("防止群体访"),
    gettext_noop("评估与结案"),
    gettext_noop("第 %(n)s 条"),
    gettext_noop("已逾期"),
    gettext_noop("待回访"),
    gettext_noop("回访"),
    gettext_noop("登记回访"),
    gettext_noop("调解记录"),
    gettext_noop("尚无调解记录。"),
    gettext_noop("显示全部记录"),
    gettext_noop("授予后，该工作人员可查看本案（勾选“可办理”时还可办理），授予和撤销都记入案件时间线。"),
    gettext_noop("查看或撤销现有个案权限"),
    gettext_noop("调整理由"),
    gettext_noop("匹配规则"),
    gettext_noop("分流说明"),
    gettext_noop("说明"),
    gettext_noop("尚未分流。"),
    gettext_noop("决定回避"),
    gettext_noop("暂无调解员承办。"),
    gettext_noop("历史承办"),
    gettext_noop("部门"),
    gettext_noop("状态"),
    gettext_noop("暂无部门协办。"),
    gettext_noop("部门协办"),
    gettext_noop("认领"),
    gettext_noop("指派/改派"),
    gettext_noop("推荐调解员"),
    gettext_noop("当事人身份核验"),
    gettext_noop("预警与督办"),
    gettext_noop("已核验"),
    gettext_noop("我已当面查验该当事人的身份证件原件，证件号码与登记一致"),
    gettext_noop("核验身份"),
    gettext_noop("未核验"),
    gettext_noop(
        "只有工作人员当面查验过证件的当事人，才能凭证件号码在群众端关联到其他案件；热线、网格、信访系统推送和网上填写的证件号码不作为身份依据。"
    ),
    gettext_noop("核验情况"),
    gettext_noop("（暂定）"),
    gettext_noop("督办与预警处理"),
    gettext_noop("查看预警与督办"),
    gettext_noop("未办结督办单"),
)


@functools.cache
def _translated(language: str | None, message: str) -> str:
    return gettext(message)


def _(message: str) -> str:
    """``{% translate message %}``: translated once per process and language."""
    return _translated(get_language(), message)


_e = escaped


def _v(value) -> str:
    """``{{ value }}``."""
    kind = type(value)
    if kind is str:
        return html.escape(value)
    if kind is int:
        return str(value)
    return _e(render_value_in_context(value, _CONTEXT))


def _date(value, pattern: str) -> str:
    """``{{ value|date:… }}`` for the two patterns the page uses, ``Y-m-d H:i`` and ``Y-m-d`` ("" for None)."""
    if value in (None, ""):
        return ""
    return template_localtime(value).strftime(pattern)


MINUTE, DAY = "%Y-%m-%d %H:%M", "%Y-%m-%d"


def _br(value) -> str:
    """``{{ value|linebreaksbr }}``."""
    text = str(value)
    if not hasattr(value, "__html__"):
        text = html.escape(normalize_newlines(text))
    else:
        text = normalize_newlines(text)
    return text.replace("\n", "<br>")


def _label(obj, field: str) -> str:
    """``{{ obj.get_<field>_display }}``."""
    return _v(choice_label(obj, field))


def _yesno(value) -> str:
    """``{{ value|yesno:_("是,否") }}``."""
    yes, no = _("是,否").split(",")[:2]
    return _e(yes if value else no)


# --- URLs: reversed once per process, script prefix and urlconf, with stand-in ids -------------------------

_ID_STANDINS = (987654321, 987654322)
_patterns: dict[tuple, str] = {}


def _url(name: str, *ids: int) -> str:
    """``{% url name id … %}`` for integer ids (escaped, as the tag writes it)."""
    key = (get_script_prefix(), get_urlconf(), name, len(ids))
    pattern = _patterns.get(key)
    if pattern is None:
        pattern = html.escape(reverse(name, args=_ID_STANDINS[: len(ids)]))
        if any(pattern.count(str(standin)) != 1 for standin in _ID_STANDINS[: len(ids)]):
            pattern = ""  # a stand-in that shows more than once: reverse each time
        _patterns[key] = pattern
    if not pattern:
        return html.escape(reverse(name, args=ids))
    for standin, pk in zip(_ID_STANDINS, ids, strict=False):
        pattern = pattern.replace(str(standin), str(int(pk)))
    return pattern


# --- The unbound forms: the field partial rendered once per language --------------------------------------

_forms: dict[tuple, dict[str, SafeString]] = {}


def unbound_fields(form) -> dict[str, SafeString]:
    """Each field of the unbound ``form`` through ``partials/field.html``, by name; rendered once per process,
    language and form class (an unbound form without initial data writes the same markup every time)."""
    assert not form.is_bound and not form.initial, "only an unbound form without initial data is the same"
    key = (get_language(), type(form), form.auto_id, form.prefix)
    fields = _forms.get(key)
    if fields is None:
        partial = get_template("partials/field.html")
        fields = {name: partial.render({"field": form[name]}) for name in form.fields}
        _forms[key] = fields
    return fields


def grant_fields(form) -> SafeString:
    """``{% for field in form %}{% include "partials/field.html" %}{% endfor %}`` of the grant form."""
    return mark_safe("".join(unbound_fields(form).values()))


# --- The header --------------------------------------------------------------------------------------------


def _countdown(c) -> str:
    if c is None:
        return ""
    tone = "text-bg-danger" if c.overdue else "text-bg-warning" if c.amount <= 2 else "text-bg-success"
    n = {"n": _v(c.amount)}
    if c.overdue:
        if c.unit == "hours":
            left = _("超期 %(n)s 小时") % n
        elif c.unit == "working_days":
            left = _("超期 %(n)s 个工作日") % n
        else:
            left = _("超期 %(n)s 天") % n
    elif c.unit == "hours":
        left = _("剩 %(n)s 小时") % n
    elif c.unit == "working_days":
        left = _("剩 %(n)s 个工作日") % n
    else:
        left = _("剩 %(n)s 天") % n
    paused = f" · {_('中止计算中')}" if c.paused else ""
    name = _v(c.clock.name)
    return (
        f'<span class="badge {tone}" data-testid="countdown" title="{name} · {_date(c.clock.due_at, MINUTE)}">'
        f"{name}：{left}{paused}</span>"
    )


_STEP_DOT = {
    "done": "text-bg-success",
    "current": "text-bg-primary",
}
_STEP_TEXT = {"current": "fw-semibold text-primary-emphasis", "ahead": "text-body-secondary"}

# The lifecycle actions' links: URL name, the tab's form slot, the label.
_ACTIONS = {
    "record_session": ("cases:session_create", "sessions"),
    "edit_agreement": ("cases:agreement_edit", "documents"),
    "sign_agreement": ("cases:agreement_sign", "documents"),
    "conclude": ("cases:conclude", "sessions"),
    "designate_reviewer": ("cases:designate_reviewer", "sessions"),
    "evaluate": ("cases:evaluate", "sessions"),
    "close": ("cases:close", "sessions"),
    "reopen": ("cases:reopen", "sessions"),
}


def _action_label(action: str, lifecycle) -> str:
    if action == "record_session":
        return _("记录调解")
    if action == "edit_agreement":
        agreement = lifecycle.agreement
        return _("修改调解协议书") if agreement and not agreement.is_effective else _("制作调解协议书")
    if action == "sign_agreement":
        return _("登记签名和盖章")
    if action == "conclude":
        return _("终结调解")
    if action == "designate_reviewer":
        return _("指定评估人")
    if action == "evaluate":
        return _("评估")
    if action == "close":
        return _("结案")
    return _("重新启动调解")


def _actions(c: dict) -> str:
    ordered, waiting = c["ordered_actions"], c["waiting_for_evaluation"]
    if not (ordered or waiting):
        return "\n  \n  "
    case, lifecycle = c["case"], c["lifecycle"]
    links = []
    for i, action in enumerate(ordered):
        cls = "btn btn-primary" if i == 0 else "btn btn-outline-secondary"
        name, tab = _ACTIONS.get(action, (None, None))
        if name is None:
            links.append("\n    \n    ")
            continue
        url = _url(name, case.pk)
        links.append(
            f'\n    <a class="{cls}" data-action="{action}" href="{url}" hx-get="{url}" hx-target="#form-{tab}" '
            f'data-case-tab="{tab}">{_action_label(action, lifecycle)}</a>\n    '
        )
    note = (
        f'<p class="small text-body-secondary mt-2 mb-0">{_("结案前须经督办人员或指定评估人评估。")}</p>'
        if waiting
        else ""
    )
    return (
        f'\n  \n  <div class="d-flex flex-wrap gap-2" role="group" aria-label="{_("可办理事项")}" '
        f'data-testid="actions">\n    {"".join(links)}\n  </div>\n  {note}\n  \n  '
    )


def header(c: dict) -> SafeString:
    """The header card: number, status, level, countdown, the facts line, the step bar and the actions."""
    case = c["case"]
    outcome = (
        f'<span data-testid="case-outcome">{_v(c["outcome_label"])}</span> · ' if c["outcome_label"] else ""
    )
    channel = f" · {_v(case.channel.name)}" if case.channel else ""
    steps = []
    for i, step in enumerate(c["steps"], 1):
        state = step["state"]
        current = ' aria-current="step"' if state == "current" else ""
        dot = _STEP_DOT.get(state, "bg-body-secondary text-body-secondary")
        steps.append(
            f'\n    <li class="px-1 mb-1" data-step="{_v(step["code"])}" data-state="{_v(state)}"{current}>'
            f'\n      <span class="step-dot d-inline-flex align-items-center justify-content-center rounded-circle '
            f'fw-semibold {dot}">{"✓" if state == "done" else i}</span>'
            f'\n      <div class="{_STEP_TEXT.get(state, "")}">{_v(step["label"])}</div>'
            f'\n      <div class="text-body-secondary step-at">{_v(step["at"]) if step["at"] else "&nbsp;"}</div>'
            "\n    </li>"
        )
    return mark_safe(
        '<header class="card mb-3" data-testid="case-header"><div class="card-body">'
        '\n  <div class="d-flex flex-wrap align-items-center gap-2">'
        f'\n    <h1 class="h4 mb-0 me-1">{_v(case.number)}</h1>'
        f'\n    <span class="badge text-bg-secondary" data-testid="case-status">{_label(case, "status")}</span>'
        f'\n    <span class="badge level level-{_v(case.warning_level)}" data-testid="case-level">'
        f"{_label(case, 'warning_level')}</span>"
        f"\n    {_countdown(c['countdown'])}"
        "\n  </div>"
        f'\n  <p class="small text-body-secondary mt-1 mb-2">{outcome}{_v(case.dispute_type.name)} · '
        f"{_v(case.center.name)}{channel} · {_('查询码')} <code>{_v(case.tracking_code)}</code></p>"
        '\n  <ol class="case-steps list-unstyled d-flex flex-wrap text-center small mb-2" data-testid="steps" '
        f'aria-label="{_("办理进度")}">{"".join(steps)}'
        "\n  </ol>"
        f"\n  {_actions(c)}"
        "\n</div></header>"
    )


# --- The tabs ----------------------------------------------------------------------------------------------


def _count(n: int, tone: str = "text-bg-light border") -> str:
    return f' <span class="badge rounded-pill {tone}">{n}</span>'


_NOT_FOCUSED = ' tabindex="-1"'


def tabs(c: dict) -> SafeString:
    """The tab list; the open one from the address."""
    active = c["active_tab"]
    counts = {
        "parties": _count(len(c["parties"])),
        "sessions": _count(len(c["lifecycle"].sessions)) if c["lifecycle"].sessions else "",
        "evidence": _count(len(c["attachments"])) if c["attachments"] else "",
        "conversation": _count(len(c["conversation"].messages)) if c["conversation"].messages else "",
        "warnings": _count(len(c["warning_summary"].open_orders), "text-bg-danger")
        if c["warning_summary"].open_orders
        else "",
    }
    items = []
    for code, label in c["tabs"]:
        is_active = code == active
        items.append(
            f'\n      <li class="nav-item{" d-lg-none" if code == "timeline" else ""}" role="presentation">'
            f'\n        <a class="nav-link{" active" if is_active else ""}" id="tab-{code}-link" href="?tab={code}" '
            f'data-bs-toggle="tab" data-bs-target="#tab-{code}" role="tab" aria-controls="tab-{code}" '
            f'aria-selected="{"true" if is_active else "false"}"{"" if is_active else _NOT_FOCUSED} '
            f'data-tab="{code}">{_v(label)}{counts.get(code, "")}</a>'
            "\n      </li>"
        )
    return mark_safe(
        '<ul class="nav nav-tabs flex-nowrap text-nowrap case-tabs" role="tablist" '
        f'aria-label="{_("案件信息")}" data-testid="case-tabs">\n      {"".join(items)}\n    </ul>'
    )


# --- The overview's two cards ------------------------------------------------------------------------------


def _joined(people) -> str:
    return "、".join(_v(person) for person in people)


def _minute_or_dash(value) -> str:
    return _date(value, MINUTE) or "—"


def overview(c: dict) -> SafeString:
    """纠纷概况 and 分流与期限."""
    case, lifecycle = c["case"], c["lifecycle"]
    claims = f'<h3 class="h6">{_("当事人诉求")}</h3><p>{_br(case.claims)}</p>' if case.claims else ""
    reviewers = (
        f"<dt>{_('指定评估人')}</dt><dd>{_joined(lifecycle.reviewers)}</dd>" if lifecycle.reviewers else ""
    )
    closed = f"<dt>{_('结案时间')}</dt><dd>{_date(case.closed_at, MINUTE)}</dd>" if case.closed_at else ""
    window = ""
    if lifecycle.agreement and lifecycle.agreement.effective_on:
        left = lifecycle.confirmation_days_left
        if left is not None and left >= 0:
            left_text = ngettext("剩 %(days)s 天", "剩 %(days)s 天", left) % {"days": _v(left)}
        else:
            left_text = _("已过期")
        window = (
            f'<dt>{_("司法确认申请期限")}</dt><dd data-testid="confirmation-window">'
            f"{_date(lifecycle.confirmation_deadline, DAY)}（{left_text}）</dd>"
        )
    return mark_safe(
        '<section class="card mb-3"><div class="card-body">'
        f'\n          <h2 class="h5 card-title">{_("纠纷概况")}</h2>'
        f"\n          <p>{_br(case.summary)}</p>"
        f"\n          {claims}"
        '\n          <dl class="case-facts mb-0">'
        f"\n            <dt>{_('来源')}</dt><dd>{_label(case, 'source')}</dd>"
        f"\n            <dt>{_('涉及金额（元）')}</dt><dd>{_v(case.amount) if case.amount else '—'}</dd>"
        f"\n            <dt>{_('涉及人数')}</dt><dd>{_v(case.people_count)}</dd>"
        f"\n            <dt>{_('重复来访次数')}</dt><dd>{_v(case.repeat_count)}</dd>"
        "\n          </dl>"
        "\n        </div></section>"
        '\n        <section class="card mb-3"><div class="card-body">'
        f'\n          <h2 class="h5 card-title">{_("分流与期限")}</h2>'
        '\n          <dl class="case-facts mb-0">'
        f"\n            <dt>{_('受理中心')}</dt><dd>{_v(case.origin_center.name)}</dd>"
        f"\n            <dt>{_('承办中心')}</dt><dd>{_v(case.center.name)}</dd>"
        f"\n            <dt>{_('调解渠道')}</dt><dd>{_v(case.channel.name) if case.channel and case.channel.name else '—'}</dd>"
        f'\n            <dt>{_("调解员")}</dt><dd data-testid="case-mediators">{_joined(lifecycle.mediators) or "—"}</dd>'
        f"\n            {reviewers}"
        f'\n            <dt>{_("预警等级")}</dt><dd><span class="badge level level-{_v(case.warning_level)}">'
        f"{_label(case, 'warning_level')}</span></dd>"
        f"\n            <dt>{_('响应期限')}</dt><dd>{_minute_or_dash(case.response_due_at)}</dd>"
        f"\n            <dt>{_('办理期限')}</dt><dd>{_minute_or_dash(case.due_at)}</dd>"
        f"\n            <dt>{_('受理时间')}</dt><dd>{_minute_or_dash(case.accepted_at)}</dd>"
        f"\n            {closed}"
        f"\n            {window}"
        "\n          </dl>"
        "\n        </div></section>"
    )


# --- The parties -------------------------------------------------------------------------------------------


def _reveal_form(c: dict, party, csrf: str) -> str:
    url = _url("cases:reveal_contact", c["case"].pk, party.pk)
    pk = party.pk
    fields = []
    for value, label in c["reveal_fields"]:
        if (value == "phone" and party.phone) or (value == "id_number" and party.id_number):
            checked = (value == "phone" and party.phone) or (value == "id_number" and not party.phone)
            fields.append(
                f'\n            <div class="form-check form-check-inline"><input class="form-check-input" '
                f'type="radio" name="field" value="{_v(value)}" id="id_reveal_{pk}_field_{_v(value)}"'
                f'{" checked" if checked else ""}><label class="form-check-label" '
                f'for="id_reveal_{pk}_field_{_v(value)}">{_v(label)}</label></div>\n            '
            )
        else:
            fields.append("")
    reasons = "".join(
        f'\n            <div class="form-check"><input class="form-check-input" type="radio" name="reason" '
        f'value="{_v(value)}" id="id_reveal_{pk}_reason_{_v(value)}"{" checked" if i == 0 else ""}>'
        f'<label class="form-check-label" for="id_reveal_{pk}_reason_{_v(value)}">{_v(label)}</label></div>'
        "\n            "
        for i, (value, label) in enumerate(c["reveal_reasons"])
    )
    return (
        '\n      <details class="small" data-testid="reveal">'
        f'\n        <summary class="link-primary">{_("查看完整电话/证件号")}</summary>'
        f'\n        <form method="post" action="{url}" hx-post="{url}" hx-target="#revealed-{pk}" '
        f'hx-swap="innerHTML" class="mt-2">{csrf}'
        f'\n          <fieldset class="mb-2"><legend class="form-label fs-6 mb-1">{_("查看内容")}</legend>'
        f"\n            {''.join(fields)}"
        "\n          </fieldset>"
        f'\n          <fieldset class="mb-2"><legend class="form-label fs-6 mb-1">{_("查看理由")}</legend>'
        f"\n            {reasons}"
        "\n          </fieldset>"
        f'\n          <div class="mb-2"><label class="form-label" for="id_reveal_{pk}_other">{_("其他理由")}</label>'
        f'\n            <input class="form-control form-control-sm" type="text" name="other" maxlength="200" '
        f'id="id_reveal_{pk}_other"></div>'
        f'\n          <p class="form-text">{_("查看记录（查看人、时间、内容、理由）写入安全审计和办理时间线。")}</p>'
        '\n          <button type="submit" class="btn btn-sm btn-outline-primary" data-testid="reveal-submit">'
        f"{_('查看')}</button>"
        "\n        </form>"
        "\n      </details>"
        "\n      "
    )


def parties(c: dict, csrf) -> SafeString:
    """The parties' cards, each with its reveal form for those who may change the case (``csrf``: a callable
    giving ``{% csrf_token %}``'s markup)."""
    can_change = c["can_change"]
    cards = []
    for p in c["parties"]:
        reveal = (
            _reveal_form(c, p, csrf())
            if (can_change and p.phone) or (can_change and p.id_number)
            else "\n      "
        )
        cards.append(
            f'\n  <div><div class="card h-100 mb-0" data-party="{p.pk}">'
            '\n    <div class="card-body">'
            f'\n      <h3 class="h6 card-title">{_label(p, "role")} · {_v(p.name)}</h3>'
            '\n      <dl class="party-facts small mb-2">'
            f'\n        <dt>{_("证件号码")}</dt><dd class="text-break" data-testid="masked-id">'
            f"{_v(p.masked_id_number or '—')}</dd>"
            f'\n        <dt>{_("联系电话")}</dt><dd class="text-break" data-testid="masked-phone">'
            f"{_v(p.masked_phone or '—')}</dd>"
            f'\n        <dt>{_("住址")}</dt><dd class="text-break">{_v(p.address or "—")}</dd>'
            "\n      </dl>"
            f"\n      {reveal}"
            f'\n      <div id="revealed-{p.pk}" aria-live="polite"></div>'
            "\n    </div>"
            "\n  </div></div>\n"
        )
    if not cards:
        cards.append(f'\n<p class="text-body-secondary">{_("尚未登记当事人。")}</p>')
    return mark_safe(f'\n<div class="party-cards" data-testid="parties">{"".join(cards)}\n</div>\n')


# --- The sessions, the evaluation and the follow-ups --------------------------------------------------------


def _session(c: dict, s) -> str:
    case = c["case"]
    place = f" · {_v(s.place)}" if s.place else ""
    edit = ""
    if "record_session" in c["actions"]:
        url = _url("cases:session_edit", case.pk, s.pk)
        edit = (
            f'<a class="btn btn-sm btn-outline-secondary" href="{url}" hx-get="{url}" hx-target="#form-sessions" '
            f'data-case-tab="sessions">{_("修改")}</a>'
        )
    mediators = list(s.mediators.all())
    who = "、".join(_v(p.name) for p in s.parties.all())
    if mediators:
        who += f"；{_('调解员')} " + _joined(mediators)
    if s.other_participants:
        who += f"；{_v(s.other_participants)}"
    outcome = f"<strong>{_label(s, 'outcome')}</strong> " if s.outcome else ""
    return (
        f'\n  <article class="border-top pt-2 mt-2" data-session="{s.pk}">'
        '\n    <div class="d-flex flex-wrap align-items-center gap-2 mb-1">'
        f'\n      <h3 class="h6 mb-0 me-auto">{_date(s.started_at, MINUTE)} · {_label(s, "mode")}{place}</h3>'
        f"\n      {edit}"
        "\n    </div>"
        '\n    <dl class="case-facts small mb-0">'
        f"\n      <dt>{_('参加人')}</dt><dd>{who}</dd>"
        f"\n      <dt>{_('调解经过')}</dt><dd>{_br(s.discussion)}</dd>"
        f"\n      <dt>{_('调解结果')}</dt><dd>{outcome}{_br(s.result) or '—'}</dd>"
        "\n    </dl>"
        "\n  </article>\n  "
    )


def _evaluation(c: dict) -> str:
    case, e = c["case"], c["lifecycle"].evaluation
    if not (e or case.closing_summary):
        return "\n"
    evaluation = ""
    if e:
        evaluation = (
            f'\n    <dt>{_("评估")}</dt><dd data-testid="evaluation">{_("处理结果正确")}：{_yesno(e.outcome_correct)}；'
            f"{_('文书材料齐全')}：{_yesno(e.documents_complete)}；{_('按期办结')}：{_yesno(e.on_time)}<br>"
            f'{_br(e.comment)}<br><span class="text-body-secondary">{_v(e.evaluator)} · '
            f"{_date(e.created_at, MINUTE)}</span></dd>\n    "
        )
    summary = ""
    if case.closing_summary:
        summary = (
            f"\n    <dt>{_('结案小结')}</dt><dd>{_br(case.closing_summary)}</dd>"
            f"\n    <dt>{_('协议涉及金额（元）')}</dt><dd>{_v(case.money_covered) if case.money_covered else '—'}</dd>"
            f"\n    <dt>{_('防止民转刑')}</dt><dd>{_yesno(case.prevented_criminal)}</dd>"
            f"\n    <dt>{_('防止群体访')}</dt><dd>{_yesno(case.prevented_group_petition)}</dd>\n    "
        )
    return (
        '\n<section class="card mb-3" id="evaluation"><div class="card-body">'
        f'\n  <h2 class="h5 card-title">{_("评估与结案")}</h2>'
        '\n  <dl class="case-facts small mb-0">'
        f"\n    {evaluation}"
        f"\n    {summary}"
        "\n  </dl>"
        "\n</div></section>\n"
    )


def _follow_ups(c: dict) -> str:
    visits = c["lifecycle"].follow_ups
    if not visits:
        return "\n"
    case, may_record = c["case"], "record_follow_up" in c["actions"]
    rows = []
    for v in visits:
        term = f"（{_('第 %(n)s 条') % {'n': _v(v.term.order)}}）" if v.term else ""
        overdue = f' <span class="badge text-bg-danger">{_("已逾期")}</span>' if v.is_overdue() else ""
        if v.is_done:
            notes = f"<br>{_v(v.notes)}" if v.notes else ""
            done = (
                f"{_date(v.visited_at, DAY)} · {_v(v.visitor)} · {_label(v, 'method')} · "
                f"{_label(v, 'performance')} · <strong>{_label(v, 'satisfaction')}</strong>{notes}"
            )
        else:
            done = f'<span class="text-body-secondary">{_("待回访")}</span>'
        record = ""
        if not v.is_done and may_record:
            url = _url("cases:follow_up", case.pk, v.pk)
            record = (
                f'<a class="btn btn-sm btn-primary" data-action="record_follow_up" href="{url}" hx-get="{url}" '
                f'hx-target="#form-sessions" data-case-tab="sessions">{_("登记回访")}</a>'
            )
        rows.append(
            f'\n    <div class="list-group-item px-0 d-flex flex-wrap gap-2 align-items-start" data-visit="{v.pk}">'
            '\n      <div class="me-auto">'
            f'\n        <div class="fw-semibold">{_date(v.due_on, DAY)} · {_label(v, "reason")}{term}{overdue}</div>'
            f'\n        <div class="small">{done}</div>'
            "\n      </div>"
            f"\n      {record}"
            "\n    </div>\n  "
        )
    return (
        '\n<section class="card mb-3" id="follow-ups"><div class="card-body">'
        f'\n  <h2 class="h5 card-title">{_("回访")}</h2>'
        f'\n  <div class="list-group list-group-flush">{"".join(rows)}</div>'
        "\n</div></section>\n"
    )


def sessions(c: dict) -> SafeString:
    """调解记录, then 评估与结案 and 回访 when there are any."""
    rows = "".join(_session(c, s) for s in c["lifecycle"].sessions)
    if not rows:
        rows = f'\n  <p class="text-body-secondary mb-0">{_("尚无调解记录。")}</p>'
    return mark_safe(
        '\n<section class="card mb-3" id="sessions"><div class="card-body">'
        f'\n  <h2 class="h5 card-title">{_("调解记录")}</h2>'
        f"\n  {rows}"
        "\n</div></section>\n"
        f"{_evaluation(c)}{_follow_ups(c)}"
    )


# --- The timeline ------------------------------------------------------------------------------------------


def timeline(c: dict) -> SafeString:
    """办理时间线 (beside the tabs on a desktop, a tab of its own on a phone)."""
    system = _("系统")
    rows = []
    for item in c["events"]:
        event = item["event"]
        data = event.data
        reason = data.get("reason") if isinstance(data, dict) else None
        rows.append(
            f'\n        <li data-event="{_v(event.type)}"><time datetime="{_v(item["iso"])}">{_v(item["at"])}</time> '
            f"<strong>{_v(item['label'])}</strong> · {_v(event.actor) if event.actor else system}"
            f"{' · ' + _v(reason) if reason else ''}</li>\n      "
        )
    more = (
        '<p class="mt-2 mb-0"><a href="?tab=timeline&amp;timeline=all" data-testid="timeline-all">'
        f"{_('显示全部记录')}</a></p>"
        if c["timeline_truncated"]
        else ""
    )
    active = " active" if c["active_tab"] == "timeline" else ""
    return mark_safe(
        f'<section class="card case-timeline{active}" id="tab-timeline" role="tabpanel" '
        'aria-labelledby="tab-timeline-link" tabindex="0"><div class="card-body">'
        f'\n      <h2 class="h5 card-title" id="timeline">{_("办理时间线")}</h2>'
        f'\n      <ol class="timeline small mb-0" data-testid="timeline">{"".join(rows)}</ol>'
        f"\n      {more}"
        "\n    </div></section>"
    )


def page_parts(c: dict, csrf) -> dict[str, SafeString]:
    """The parts ``detail.html`` shows as they are (``csrf``: a callable giving ``{% csrf_token %}``'s markup)."""
    return {
        "header": header(c),
        "tabs": tabs(c),
        "overview": overview(c),
        "routing": routing(c, csrf),
        "parties": parties(c, csrf),
        "identity": identity(c, csrf),
        "warnings": warnings(c),
        "sessions": sessions(c),
        "timeline": timeline(c),
    }


def written_parts(context: dict, request) -> dict:
    """What ``cases/core/detail.html`` takes written from ``case_page``'s context: ``parts`` and
    ``upload_fields``."""
    token: list[str] = []

    def csrf() -> str:  # {% csrf_token %}: one token for the page's forms, as one RequestContext gives
        if not token:
            value = get_token(request)
            token.append(
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{html.escape(value)}">'
                if value
                else ""
            )
        return token[0]

    upload_form = context["upload_form"]
    return {
        "parts": page_parts(context, csrf),
        "upload_fields": unbound_fields(upload_form) if upload_form is not None else None,
    }


# --- Routing's card (分流与承办) -------------------------------------------------------------------------------


def _grant_inline(case, fields: str, csrf: str) -> str:
    """``routing/_grant_inline.html`` for the unbound form (no errors), its fields written once."""
    url = _url("routing:grant", case.pk)
    return (
        '\n<div class="border rounded p-2 p-md-3 mt-3 bg-body-tertiary" data-action-form id="grant-inline" '
        'data-testid="grant-inline">'
        f'\n  <h3 class="h6">{_("授予个案权限")}</h3>'
        f'\n  <p class="form-text mt-0">{_("授予后，该工作人员可查看本案（勾选“可办理”时还可办理），授予和撤销都记入案件时间线。")}</p>'
        "\n  "
        f'\n  <form method="post" action="{url}" hx-post="{url}" hx-target="closest [data-action-form]" '
        f'hx-swap="outerHTML" novalidate>{csrf}'
        f"\n    {fields}"
        '\n    <div class="d-flex flex-wrap gap-2 align-items-center">'
        f'\n      <button type="submit" class="btn btn-outline-primary" data-testid="grant-submit">{_("授予")}</button>'
        f'\n      <a class="small" href="{url}" data-testid="grants-link">{_("查看或撤销现有个案权限")}</a>'
        "\n    </div>"
        "\n  </form>"
        "\n</div>\n"
    )


def _recommend_url(case) -> str:
    """``{% url 'mediators:recommend' case.pk as recommend_url %}``: "" when the app is not installed."""
    try:
        return _url("mediators:recommend", case.pk)
    except NoReverseMatch:
        return ""


def routing(c: dict, csrf) -> SafeString:
    """分流与承办 (what ``routing/case_section.html`` wrote): the route, mediators, summonses and actions."""
    case, r = c["case"], c["routing"]
    pk = case.pk
    if r.route:
        route = r.route
        overridden = (
            f"<dt>{_('调整理由')}</dt><dd>{_v(route.override_reason)}</dd>" if route.overridden else ""
        )
        decided = (
            '\n  <dl class="case-facts">'
            f'\n    <dt>{_("调解渠道")}</dt><dd data-testid="route-channel">{_v(route.channel.name)}</dd>'
            f"\n    <dt>{_('承办中心')}</dt><dd>{_v(case.center.name)}</dd>"
            f"\n    <dt>{_('匹配规则')}</dt><dd>{_v(route.rule_name) if route.rule_name else '—'}</dd>"
            f"\n    <dt>{_('分流说明')}</dt><dd>{_v(route.explanation)}</dd>"
            f"\n    {overridden}"
            "\n  </dl>\n  "
        )
    else:
        decided = f'\n  <p class="text-body-secondary">{_("尚未分流。")}</p>\n  '
    recuse = _url("routing:recuse", pk)
    if r.active:
        rows = []
        for a in r.active:
            role = _("主办") if a.is_lead else _("协办")
            reason = f" · {_v(a.reason)}" if a.reason else ""
            decide = ""
            if r.supervisor:
                link = f"{recuse}?user={_v(a.mediator_id)}"
                decide = (
                    f'<a href="{link}" hx-get="{link}" hx-target="#form-routing" data-case-tab="overview">'
                    f"{_('决定回避')}</a>"
                )
            rows.append(
                f"\n    <li>{_v(a.mediator)} · {role} · {_label(a, 'how')}{reason}\n      {decide}</li>\n  "
            )
        mediators = f'\n  <ul class="list-unstyled mb-2" data-testid="mediators">{"".join(rows)}</ul>\n  '
    else:
        mediators = (
            f'\n  <p class="text-body-secondary" data-testid="mediators">{_("暂无调解员承办。")}</p>\n  '
        )
    history = ""
    if r.history:
        items = "".join(
            f"\n    <li>{_v(a.mediator)} · {_date(a.assigned_at, MINUTE)}–{_date(a.ended_at, MINUTE)} · "
            f"{_v(a.end_reason)}</li>\n  "
            for a in r.history
        )
        history = (
            f'<details class="small mb-2"><summary>{_("历史承办")}</summary>'
            f'<ul class="list-unstyled small mb-0">{items}</ul></details>'
        )
    if r.summonses:
        rows = []
        for s in r.summonses:
            said = s.decline_reason or s.action_taken or s.note
            rows.append(
                f"\n      <tr><td>{_v(s.department.name)}</td><td>{_label(s, 'state')}</td>"
                f"<td>{_date(s.deadline, MINUTE)}</td>\n        <td>{_v(said)}</td></tr>\n    "
            )
        summonses = (
            '\n  <div class="table-responsive"><table class="table table-sm mb-2">'
            f"\n    <thead><tr><th>{_('部门')}</th><th>{_('状态')}</th><th>{_('响应期限')}</th>"
            f"<th>{_('说明')}</th></tr></thead>"
            f"\n    <tbody>{''.join(rows)}</tbody>"
            "\n  </table></div>\n  "
        )
    else:
        summonses = f'\n  <p class="text-body-secondary">{_("暂无部门协办。")}</p>\n  '
    actions = []
    if r.can_route:
        url = _url("routing:route_case", pk)
        actions.append(
            f'<a class="btn btn-primary" href="{url}" hx-get="{url}" hx-target="#form-routing" '
            f'data-case-tab="overview" data-testid="route-link">{_("分流")}</a>'
        )
    actions.append("\n    ")
    if r.can_claim:
        url = _url("routing:claim", pk)
        actions.append(
            f'<form method="post" action="{url}" hx-post="{url}" hx-target="#case-page" hx-swap="outerHTML" '
            f'class="d-inline">{csrf()}<button type="submit" class="btn btn-primary" data-testid="claim">'
            f"{_('认领')}</button></form>"
        )
    actions.append("\n    ")
    if r.can_assign:
        url = _url("routing:assign", pk)
        actions.append(
            f'<a class="btn btn-outline-secondary" href="{url}" hx-get="{url}" hx-target="#form-routing" '
            f'data-case-tab="overview" data-testid="assign-link">{_("指派/改派")}</a>'
        )
        recommend = _recommend_url(case)
        if recommend:
            actions.append(
                f'<a class="btn btn-outline-secondary" href="{recommend}" data-testid="recommend-link">'
                f"{_('推荐调解员')}</a>"
            )
    actions.append("\n    ")
    for allowed, name, testid, label in (
        (r.can_summon, "routing:summon", "summon-link", _("部门吹哨")),
        (r.can_transfer, "routing:transfer", "transfer-link", _("层级移交")),
        (r.can_recuse, "routing:recuse", "recuse-link", _("申请回避")),
    ):
        if allowed:
            url = _url(name, pk)
            actions.append(
                f'<a class="btn btn-outline-secondary" href="{url}" hx-get="{url}" hx-target="#form-routing" '
                f'data-case-tab="overview" data-testid="{testid}">{label}</a>'
            )
        actions.append("\n    ")
    grant = _grant_inline(case, grant_fields(r.grant_form), csrf()) if r.can_grant else ""
    return mark_safe(
        '\n<section class="card mb-3" id="routing" data-testid="routing-section"><div class="card-body">'
        f'\n  <h2 class="h5 card-title">{_("分流与承办")}</h2>'
        f"\n  {decided}"
        f'\n\n  <h3 class="h6 mt-3">{_("调解员")}</h3>'
        f"\n  {mediators}"
        f"\n  {history}"
        f'\n\n  <h3 class="h6 mt-3">{_("部门协办")}</h3>'
        f"\n  {summonses}"
        '\n\n  \n  <div class="d-flex flex-wrap gap-2 mt-2" data-testid="routing-actions">'
        f"\n    {''.join(actions)}"
        "\n  </div>"
        '\n  <div id="form-routing" class="mt-3" data-form-slot aria-live="polite"></div>'
        f"\n  {grant}"
        "\n</div></section>"
    )


# --- 当事人身份核验 (cases/portal) and 预警与督办 (cases/warnings) ------------------------------------------------


def identity(c: dict, csrf) -> SafeString:
    """当事人身份核验 (what ``cases/portal/staff/_case_identity.html`` wrote): the parties with an ID number."""
    case, section = c["case"], c["identity"]
    if not section.parties:
        return mark_safe("\n")
    rows = []
    for p in section.parties:
        if p.identity_verified_at:
            state = (
                f'<span class="badge text-bg-success" data-testid="identity-verified">{_("已核验")}</span> '
                f"{_label(p, 'identity_verified_how')} · <time>{_date(p.identity_verified_at, MINUTE)}</time>\n      "
            )
        elif section.may_verify:
            url = _url("portal:staff_verify_identity", case.pk, p.pk)
            state = (
                f'<form method="post" action="{url}">{csrf()}'
                f'\n        <div class="form-check mb-1"><input class="form-check-input" type="checkbox" '
                f'id="id_confirm_{p.pk}" name="confirm" value="on" required><label class="form-check-label small" '
                f'for="id_confirm_{p.pk}">{_("我已当面查验该当事人的身份证件原件，证件号码与登记一致")}</label></div>'
                f'\n        <button type="submit" class="btn btn-sm btn-outline-primary">{_("核验身份")}</button>'
                "\n      </form>\n      "
            )
        else:
            state = f'<span class="text-body-secondary">{_("未核验")}</span>'
        rows.append(
            f'<tr data-party="{p.pk}">'
            f'\n      <td data-label="{_("当事人")}">{_label(p, "role")} {_v(p.name)}</td>'
            f'<td data-label="{_("证件号码")}">{_v(p.masked_id_number)}</td>'
            f"\n      <td>{state}</td>\n    </tr>"
        )
    return mark_safe(
        '\n<section class="card mb-3" id="identity"><div class="card-body">'
        f'\n  <h2 class="h5 card-title">{_("当事人身份核验")}</h2>'
        f'\n  <p class="form-text mt-0">{_("只有工作人员当面查验过证件的当事人，才能凭证件号码在群众端关联到其他案件；热线、网格、信访系统推送和网上填写的证件号码不作为身份依据。")}</p>'
        '\n  <table class="table table-sm align-middle mb-0 cards" data-testid="identity-checks">'
        f"\n    <thead><tr><th>{_('当事人')}</th><th>{_('证件号码')}</th><th>{_('核验情况')}</th></tr></thead>"
        f"\n    <tbody>{''.join(rows)}</tbody>"
        "\n  </table>"
        "\n</div></section>\n"
    )


def _clock_marks(clock) -> str:
    provisional = f" <strong>{_('（暂定）')}</strong>" if clock.provisional else ""
    paused = f" · {_('中止计算中')}" if clock.paused_since else ""
    return provisional + paused


def warnings(c: dict) -> SafeString:
    """预警与督办 (what ``cases/warnings/_summary.html`` wrote): the deadlines and the open orders."""
    case, summary = c["case"], c["warning_summary"]
    deadlines = summary.deadlines
    headline = deadlines.headline if deadlines else None
    if headline:
        name = _v(headline.name)
        due = f"<strong>{_date(headline.due_at, MINUTE)}</strong>{_clock_marks(headline)}"
    else:
        name, due = _("办理期限"), "—"
    others = "".join(
        f'<dt>{_v(clock.name)}</dt><dd data-testid="running-clock">{_date(clock.due_at, MINUTE)}'
        f"{_clock_marks(clock)}</dd>"
        for clock in (deadlines.others if deadlines else ())
    )
    supervisor = summary.is_supervisor
    link = (
        f'<a class="btn {"btn-primary" if supervisor else "btn-outline-secondary"}" '
        f'href="{_url("cases:warnings_case", case.pk)}" data-testid="warnings-link">'
        f"{_('督办与预警处理') if supervisor else _('查看预警与督办')}</a>"
    )
    return mark_safe(
        '\n\n<section class="card mb-3" id="warnings" data-testid="warning-section"><div class="card-body">'
        f'\n  <h2 class="h5 card-title">{_("预警与督办")} <span class="badge level level-{_v(case.warning_level)}">'
        f"{_label(case, 'warning_level')}</span></h2>"
        '\n  <dl class="case-facts">'
        f"\n    <dt>{_('响应期限')}</dt><dd>{_minute_or_dash(case.response_due_at)}</dd>"
        f"\n    \n    <dt>{name}</dt>"
        f'\n    <dd data-testid="headline-deadline">{due}</dd>'
        f"\n    {others}"
        f"\n    \n    <dt>{_('未办结督办单')}</dt><dd>{len(summary.open_orders)}</dd>"
        "\n  </dl>"
        f'\n  <p class="mb-0">{link}</p>'
        "\n</div></section>\n"
    )
