"""Warning pages: the supervisor dashboard, a case's warnings and supervision, notifications."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_GET, require_POST

from accounts.access import roles_of
from accounts.models import Membership
from cases.core.access import can_change, get_case_for_user, supervises
from cases.core.workcalendar import provisional_years
from cases.warnings import notifications as warnings_notifications
from cases.warnings import services
from cases.warnings.exports import dashboard_workbook
from cases.warnings.forms import (
    ConferenceForm,
    ExtendForm,
    PauseForm,
    PeriodForm,
    RaiseLevelForm,
    ReportForm,
    SupervisionOrderForm,
)
from cases.warnings.models import CaseClock, SupervisionOrder
from cases.warnings.selectors import (
    Period,
    case_warning_panel,
    dashboard_figures,
    default_period,
    may_answer_order,
    notifications_for,
)
from mediation_center.db_router import reporting_reads
from mediation_center.service_calls import Outcome, call_service

Role = Membership.Role


def _require_dashboard(user) -> None:
    if not roles_of(user).has(Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied


def _period(request) -> tuple[PeriodForm, Period]:
    form = PeriodForm(request.GET or None)
    period = default_period()
    if form.is_bound and form.is_valid():
        period = Period(form.cleaned_data["start"] or period.start, form.cleaned_data["end"] or period.end)
    return form, period


def _case_links(figures: dict) -> None:
    """Each listed row's case link, from one ``reverse()``: the lists show up to 300 links and
    ``{% url %}`` resolves the pattern again for each (~30 µs a link, a tenth of the page)."""
    sentinel = 987654321
    pattern = reverse("cases:detail", args=[sentinel])

    def link(pk: int) -> str:
        return pattern.replace(str(sentinel), str(pk))

    for case in (*figures["red_orange"], *figures["overdue_cases"]):
        case.url = link(case.pk)
    for row in (*figures["overdue_visits"], *figures["overdue_summonses"], *figures["newly_escalated"]):
        row.case_url = link(row.case_id)


LEVEL_COLOURS = {4: "#dc3545", 3: "#fd7e14", 2: "#ffc107", 1: "#0d6efd", 0: "#adb5bd"}


def _linked(figures: dict) -> dict:
    """Where each chart, tile and center row leads (the case list's link filters,
    ``cases.core.selectors.LINK_FILTERS``), and the charts' data for ``static/js/dashboard.js``."""
    base = reverse("cases:list")
    period = figures["period"]
    concluded = f"{base}?concluded_from={period.start}&concluded_to={period.end}"
    registered = f"{base}?registered_from={period.start}&registered_to={period.end}"
    previous = figures.get("previous_measures", {})
    for m in figures["measures"]:
        m["url"] = registered if m["key"] == "resolution_rate" else concluded
        m["previous"] = previous.get(m["key"])
    top = max([row["total"] for row in figures["by_center"]] or [1])
    for row in figures["by_center"]:
        row["url"] = f"{base}?center={row['center_id']}&open=1"
        row["load"] = round(row["total"] / top, 2)
    by_channel = figures["by_channel"]
    return {
        "list": base,
        "channels": by_channel["columns"],
        "channel_keys": by_channel["keys"],
        "levels": [
            {
                "level": row["level"],
                "label": row["label"],
                "colour": LEVEL_COLOURS[row["level"]],
                "cells": row["cells"],
            }
            for row in by_channel["rows"]
        ],
        "dates": [str(d["day"]) for d in figures["series"]],
        "days": [f"{d['day']:%m-%d}" for d in figures["series"]],
        "registered": [d["registered"] for d in figures["series"]],
        "resolved": [d["resolved"] for d in figures["series"]],
        "labels": {"registered": _t("登记"), "resolved": _t("化解/终结")},
    }


def _dashboard_context(request) -> dict:
    _require_dashboard(request.user)
    form, period = _period(request)
    with reporting_reads():  # the replica, when REPLICA_DATABASE_URL is set
        figures = dashboard_figures(request.user, period)
    _case_links(figures)
    chart_data = _linked(figures)
    return {
        "form": form,
        "f": figures,
        "chart_data": chart_data,
        "money_url": figures["measures"][0]["url"] if figures["measures"] else chart_data["list"],
        "refresh": getattr(settings, "DASHBOARD_REFRESH_SECONDS", 60),  # seconds between refreshes
        "query": request.GET.urlencode(),
    }


def _dashboard_panels(user) -> list[dict]:
    """The panels of apps built on cases (settings.DASHBOARD_PANELS), in that order."""
    found = (import_string(path)(user) for path in getattr(settings, "DASHBOARD_PANELS", []))
    return [panel for panel in found if panel is not None]


@login_required
@require_GET
def dashboard(request):
    context = _dashboard_context(request)
    return render(
        request,
        "cases/warnings/dashboard.html",
        {**context, "provisional_years": provisional_years(), "panels": _dashboard_panels(request.user)},
    )


@login_required
@require_GET
def dashboard_live(request):
    """The dashboard's figures alone, for its own refresh every minute (htmx). Rendered without the request:
    the fragment shows nothing of the shell, so the context processors (the sidebar's work counts, the
    navigation) would be read for nothing on every refresh."""
    context = _dashboard_context(request)
    return HttpResponse(get_template("cases/warnings/_dashboard_live.html").render(context))


@login_required
@require_GET
def dashboard_export(request):
    _require_dashboard(request.user)
    _form, period = _period(request)
    with reporting_reads():
        content = dashboard_workbook(dashboard_figures(request.user, period))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="warnings-{period.start}-{period.end}.xlsx"'
    return response


def _case_page(request, case, status: int = 200, **forms):
    supervisor = supervises(request.user, case.center)
    panel = case_warning_panel(case)
    for order in panel["orders"]:
        order.may_answer = order.is_open and may_answer_order(request.user, order)
    context = {
        "case": case,
        "panel": panel,
        "is_supervisor": supervisor,
        "can_change": can_change(request.user, case),
        "order_form": forms.get("order_form") or SupervisionOrderForm(case=case),
        "conference_form": forms.get("conference_form") or ConferenceForm(),
        "raise_form": forms.get("raise_form") or RaiseLevelForm(),
        "pause_form": PauseForm(),
        "extend_form": ExtendForm(),
        "report_form": forms.get("report_form") or ReportForm(),
        "now": timezone.now(),
    }
    return render(request, "cases/warnings/case.html", context, status=status)


def _load_case(request, pk: int, *, write: bool):
    return get_case_for_user(request.user, pk, write=write, queryset=_case_qs())


def _case_qs():
    from cases.core.models import Case

    return Case.objects.select_related("center", "channel", "dispute_type")


@login_required
@require_GET
def case_warnings(request, pk: int):
    return _case_page(request, _load_case(request, pk, write=False))


def _back_to_case(request, case, done: Outcome, **forms) -> HttpResponse:
    """After a service call: the case's warnings page; a refusal shows it again with the refusal's status."""
    if done:
        return redirect("cases:warnings_case", pk=case.pk)
    return _case_page(request, case, status=done.error.http_status, **forms)


@login_required
@require_POST
def issue_order(request, pk: int):
    case = _load_case(request, pk, write=True)
    form = SupervisionOrderForm(request.POST, case=case)
    if not form.is_valid():
        return _case_page(request, case, status=400, order_form=form)
    data = form.cleaned_data
    done = call_service(
        request,
        lambda: services.issue_supervision_order(
            case,
            actor=request.user,
            instructions=data["instructions"],
            deadline=data["deadline"],
            recipient=data["recipient"],
            channel=data["channel"],
        ),
        success=_t("督办单已签发。"),
    )
    return _back_to_case(request, case, done, order_form=form)


@login_required
@require_POST
def record_conference(request, pk: int):
    case = _load_case(request, pk, write=True)
    form = ConferenceForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, conference_form=form)
    done = call_service(
        request,
        lambda: services.record_case_conference(case, actor=request.user, **form.cleaned_data),
        success=_t("会商研判已记录。"),
    )
    return _back_to_case(request, case, done, conference_form=form)


@login_required
@require_POST
def raise_level(request, pk: int):
    case = _load_case(request, pk, write=True)
    form = RaiseLevelForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400, raise_form=form)
    done = call_service(
        request,
        lambda: services.raise_warning_level(case, actor=request.user, **form.cleaned_data),
        success=_t("预警等级已调高。"),
    )
    return _back_to_case(request, case, done, raise_form=form)


def _clock(request, pk: int, clock_pk: int):
    case = _load_case(request, pk, write=True)
    return case, get_object_or_404(CaseClock, pk=clock_pk, case=case)


@login_required
@require_POST
def pause_clock(request, pk: int, clock_pk: int):
    case, clock = _clock(request, pk, clock_pk)
    form = PauseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _t("请填写中止原因。"))
        return redirect("cases:warnings_case", pk=case.pk)
    action = lambda: services.pause_clock(clock, actor=request.user, reason=form.cleaned_data["reason"])  # noqa: E731
    return _back_to_case(request, case, call_service(request, action, success=_t("期限已中止计算。")))


@login_required
@require_POST
def resume_clock(request, pk: int, clock_pk: int):
    case, clock = _clock(request, pk, clock_pk)
    action = lambda: services.resume_clock(clock, actor=request.user)  # noqa: E731
    return _back_to_case(request, case, call_service(request, action, success=_t("期限已恢复计算。")))


@login_required
@require_POST
def extend_clock(request, pk: int, clock_pk: int):
    case, clock = _clock(request, pk, clock_pk)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _t("请填写延长长度和理由。"))
        return redirect("cases:warnings_case", pk=case.pk)
    action = lambda: services.extend_clock(clock, actor=request.user, **form.cleaned_data)  # noqa: E731
    return _back_to_case(request, case, call_service(request, action, success=_t("期限已延长。")))


def _order(request, order_pk: int) -> SupervisionOrder:
    order = get_object_or_404(SupervisionOrder.objects.select_related("case"), pk=order_pk)
    get_case_for_user(request.user, order.case_id)  # 404 unless the case is visible
    return order


@login_required
@require_POST
def acknowledge_order(request, order_pk: int):
    order = _order(request, order_pk)
    if not may_answer_order(request.user, order):
        raise PermissionDenied
    action = lambda: services.acknowledge_supervision_order(order, actor=request.user)  # noqa: E731
    return _back_to_case(request, order.case, call_service(request, action, success=_t("督办单已签收。")))


@login_required
@require_POST
def report_order(request, order_pk: int):
    order = _order(request, order_pk)
    if not may_answer_order(request.user, order):
        raise PermissionDenied
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _case_page(request, order.case, status=400, report_form=form)

    def action():
        return services.report_supervision_order(
            order, actor=request.user, report=form.cleaned_data["report"]
        )  # noqa: E731

    return _back_to_case(request, order.case, call_service(request, action, success=_t("督办单已反馈。")))


@login_required
@require_GET
def notifications(request):
    return render(request, "cases/warnings/notifications.html", {"items": notifications_for(request.user)})


@login_required
@require_POST
def notifications_read(request):
    warnings_notifications.mark_notifications_read(request.user)
    return redirect("cases:warnings_notifications")
