"""研判预警 pages: the board, a signal and its work, the click-through case lists, the Excel export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from accounts.access import centers_below
from accounts.models import User
from cases.core.access import cases_visible_to
from cases.core.models import WarningLevel
from mediation_center.db_router import reporting_reads
from mediation_center.service_calls import call_service
from risk import services
from risk.access import can_change, get_signal_for_user, is_supervisor, supervised_center_ids
from risk.exports import board_workbook
from risk.forms import AssignForm, CloseForm, ConferenceForm, TaskDoneForm, TaskForm
from risk.models import FollowUpTask
from risk.selectors import board, cases_for_cell, cases_for_respondent, signal_page, type_name

LEVEL_COLOURS = {4: "#c62828", 3: "#ef6c00", 2: "#f9a825", 1: "#1565c0"}


def _require_board(user) -> None:
    """The board is the supervisors' (as the warning board is); a signal they may not see answers 404."""
    if not is_supervisor(user):
        raise PermissionDenied


def _level(request) -> int | None:
    value = request.GET.get("level", "")
    return int(value) if value in {"1", "2", "3", "4"} else None


def _charts(figures: dict) -> dict:
    grid = figures["grid"]
    heat = {
        "towns": grid["towns"],
        "types": grid["types"],
        "data": [[c["x"], c["y"], c["rise"], c["k7"], c["baseline"]] for c in grid["cells"]],
        "links": {
            f"{c['x']},{c['y']}": reverse("risk:cases") + f"?center={c['center']}&type={c['type']}"
            for c in grid["cells"]
        },
        "max": max([2.0, *(c["rise"] for c in grid["cells"])]),
        "label_rise": gettext("升幅（倍于基线）"),
        "label_k7": gettext("近7日"),
        "label_base": gettext("基线（件/周）"),
    }
    trend = [
        {
            "type": row["type"],
            "weekly": row["weekly"],
            "baseline": row["baseline"],
            "low": row["low"],
            "high": row["high"],
            "link": reverse("risk:cases") + f"?type={row['type_id']}",
        }
        for row in figures["trends"]
    ]
    return {
        "heat": heat,
        "trend": trend,
        "weeks": figures["weeks"],
        "labels": {
            "count": gettext("新增件数"),
            "baseline": gettext("基线"),
            "band": gettext("正常波动区间"),
        },
    }


@login_required
@require_GET
def board_page(request):
    _require_board(request.user)
    level = _level(request)
    with reporting_reads():
        figures = board(request.user, level=level)
    return render(
        request,
        "risk/board.html",
        {
            "f": figures,
            "charts": _charts(figures),
            "level": level,
            "levels": [(v, label) for v, label in WarningLevel.choices if v],
            "colours": LEVEL_COLOURS,
        },
    )


@login_required
@require_GET
def board_export(request):
    _require_board(request.user)
    with reporting_reads():
        content = board_workbook(board(request.user, level=_level(request)))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="risk-signals.xlsx"'
    return response


def _staff_near(signal):
    """Staff who may be assigned or own a task: members of the signal's center, above or below it."""
    ancestors = [int(p) for p in signal.center.path.strip("/").split("/")]
    below = centers_below([signal.center]).values("pk")
    return (
        User.objects.filter(kind=User.Kind.STAFF, is_active=True)
        .filter(memberships__center_id__in=ancestors)
        .union(User.objects.filter(kind=User.Kind.STAFF, is_active=True, memberships__center_id__in=below))
    )


def _staff_qs(signal):
    ids = [u.pk for u in _staff_near(signal)]
    return User.objects.filter(pk__in=ids).order_by("username")


def _forms(signal, user, data=None, which=""):
    staff = _staff_qs(signal)
    cases = cases_visible_to(user).filter(risk_signal_links__signal=signal)
    return {
        "assign_form": AssignForm(data if which == "assign" else None, staff=staff),
        "conference_form": ConferenceForm(data if which == "conference" else None, cases=cases, staff=staff),
        "task_form": TaskForm(data if which == "task" else None, staff=staff),
        "close_form": CloseForm(data if which == "close" else None),
        "done_form": TaskDoneForm(),
    }


def _signal_response(request, signal, status=200, forms=None):
    context = signal_page(signal, request.user)
    context.update(forms or _forms(signal, request.user))
    context["writable"] = can_change(request.user, signal)
    context["colours"] = LEVEL_COLOURS
    return render(request, "risk/signal.html", context, status=status)


@login_required
@require_GET
def signal_detail(request, pk: int):
    signal = get_signal_for_user(request.user, pk)
    return _signal_response(request, signal)


def _back(signal):
    return redirect("risk:signal", pk=signal.pk)


@login_required
@require_POST
def acknowledge(request, pk: int):
    signal = get_signal_for_user(request.user, pk, write=True)
    call_service(
        request, lambda: services.acknowledge_signal(signal, actor=request.user), success=gettext("已签收。")
    )
    return _back(signal)


@login_required
@require_POST
def assign(request, pk: int):
    signal = get_signal_for_user(request.user, pk, write=True)
    forms = _forms(signal, request.user, request.POST, "assign")
    form = forms["assign_form"]
    if form.is_valid():
        done = call_service(
            request,
            lambda: services.assign_signal(
                signal,
                actor=request.user,
                assignee=form.cleaned_data["assignee"],
                note=form.cleaned_data["note"],
            ),
            form=form,
            success=gettext("已指派承办人。"),
        )
        if done:
            return _back(signal)
    return _signal_response(request, signal, status=400, forms=forms)


@login_required
@require_POST
def conference(request, pk: int):
    signal = get_signal_for_user(request.user, pk, write=True)
    forms = _forms(signal, request.user, request.POST, "conference")
    form = forms["conference_form"]
    if form.is_valid():
        data = form.cleaned_data
        tasks = []
        if data["task_title"]:
            tasks = [
                services.TaskData(title=data["task_title"], owner=data["task_owner"], due_at=data["task_due"])
            ]
        done = call_service(
            request,
            lambda: services.link_conference(
                signal,
                actor=request.user,
                case=data["case"],
                held_at=data["held_at"],
                participants=data["participants"],
                decisions=data["decisions"],
                tasks=tasks,
            ),
            form=form,
            success=gettext("会商研判已记录。"),
        )
        if done:
            return _back(signal)
    return _signal_response(request, signal, status=400, forms=forms)


@login_required
@require_POST
def add_task(request, pk: int):
    signal = get_signal_for_user(request.user, pk, write=True)
    forms = _forms(signal, request.user, request.POST, "task")
    form = forms["task_form"]
    if form.is_valid():
        task = services.TaskData(**form.cleaned_data)
        done = call_service(
            request,
            lambda: services.add_follow_up_task(signal, actor=request.user, task=task),
            form=form,
            success=gettext("后续任务已布置。"),
        )
        if done:
            return _back(signal)
    return _signal_response(request, signal, status=400, forms=forms)


@login_required
@require_POST
def task_done(request, pk: int, task_pk: int):
    signal = get_signal_for_user(request.user, pk)
    task = FollowUpTask.objects.filter(signal=signal, pk=task_pk).first()
    if task is None:
        raise Http404
    if task.owner_id != request.user.pk and not can_change(request.user, signal):
        raise PermissionDenied
    form = TaskDoneForm(request.POST)
    if form.is_valid():
        done = call_service(
            request,
            lambda: services.complete_follow_up_task(
                task, actor=request.user, result=form.cleaned_data["result"]
            ),
            success=gettext("任务已完成。"),
        )
        if done:
            return _back(signal)
    forms = _forms(signal, request.user)
    forms["done_form"] = form
    return _signal_response(request, signal, status=400, forms=forms)


@login_required
@require_POST
def close(request, pk: int):
    signal = get_signal_for_user(request.user, pk, write=True)
    forms = _forms(signal, request.user, request.POST, "close")
    form = forms["close_form"]
    if form.is_valid():
        done = call_service(
            request,
            lambda: services.close_signal(
                signal, actor=request.user, conclusion=form.cleaned_data["conclusion"]
            ),
            form=form,
            success=gettext("风险信号已办结。"),
        )
        if done:
            return _back(signal)
    return _signal_response(request, signal, status=400, forms=forms)


def _int(value: str) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


@login_required
@require_GET
def cases(request):
    """The click-through: a heat-grid cell (center + type), a trend (type) or a respondent (key)."""
    _require_board(request.user)
    key = request.GET.get("respondent", "")
    heading = ""
    if key:
        snap, qs = cases_for_respondent(request.user, key)
        if snap is None:
            raise Http404
        heading = gettext("被申请人“%(name)s”在办案件") % {"name": snap.name}
    else:
        center_id, type_id = _int(request.GET.get("center", "")), _int(request.GET.get("type", ""))
        if request.GET.get("center") and center_id is None or request.GET.get("type") and type_id is None:
            return HttpResponse(gettext("参数有误：center 和 type 须为数字。"), status=400)
        ids = supervised_center_ids(request.user)
        if center_id is not None and ids is not None and center_id not in ids:
            raise Http404
        qs = cases_for_cell(request.user, center_id=center_id, dispute_type_id=type_id)
        heading = gettext("近30日 %(type)s 案件") % {
            "type": type_name(type_id) if type_id else gettext("全部类型")
        }
    qs = qs.select_related("center", "dispute_type").order_by("-created_at")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request, "risk/cases.html", {"page": page, "heading": heading, "query": request.GET.urlencode()}
    )
