"""Pages of grassroots: the phone form, my entries, latent risks, screening rounds, where disputes end."""

from io import BytesIO
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import centers_supervised_by
from mediation_center.service_calls import call_service

from . import selectors, services
from .access import (
    get_risk_for_user,
    may_handle_risks,
    may_report_task,
    may_schedule_rounds,
    recording_centers,
    rounds_visible_to,
    supervises_center,
    tasks_visible_to,
)
from .events import RISK_EVENT_LABELS
from .forms import CloseRiskForm, EntryForm, PeriodForm, RiskLevelForm, RoundForm, ScreeningReportForm
from .models import LatentRisk


def _recording_center(request):
    centers = recording_centers(request.user)
    if not centers:
        raise PermissionDenied(_("随手录只对村（社区）、镇（街道）的网格员和调解员开放。"))
    wanted = request.POST.get("center") or request.GET.get("center")
    return next((c for c in centers if str(c.pk) == wanted), centers[0]), centers


@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request):
    center, centers = _recording_center(request)
    form = EntryForm(request.POST or None, center=center)
    photos = request.FILES.getlist("photos")
    if request.method == "POST" and form.is_valid():
        what = form.cleaned_data["what"]
        token = form.cleaned_data.get("client_token") or None
        if what == "quick_record":
            service = lambda: services.record_quick(  # noqa: E731
                actor=request.user,
                center=center,
                data=form.case_data(),
                agreement=form.cleaned_data["agreement"],
                photos=photos,
                client_token=token,
            )
        elif what == "report":
            service = lambda: services.report_dispute(  # noqa: E731
                actor=request.user,
                center=center,
                to_center=form.cleaned_data.get("to_center") or center,
                data=form.case_data(),
                photos=photos,
                client_token=token,
            )
        else:
            service = lambda: services.report_risk(  # noqa: E731
                actor=request.user, center=center, data=form.risk_data(), photos=photos, client_token=token
            )
        outcome = call_service(request, service, form=form)
        if outcome:
            if what == "risk":
                messages.success(request, _("隐患已上报，督办人员将跟踪处置。"))
                return redirect("grassroots:risk_detail", outcome.result.pk)
            case = outcome.result.case
            if what == "quick_record":
                messages.success(
                    request, _("已登记并办结：%(number)s，系统已安排回访。") % {"number": case.number}
                )
            else:
                messages.success(
                    request,
                    _("已上报：%(number)s，等待%(center)s受理。")
                    % {"number": case.number, "center": case.center},
                )
            return redirect("grassroots:mine")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "grassroots/entry_form.html",
        {"form": form, "center": center, "centers": centers},
        status=status,
    )


@login_required
@require_GET
def mine(request):
    if not recording_centers(request.user):
        raise PermissionDenied(_("随手录只对村（社区）、镇（街道）的网格员和调解员开放。"))
    page = Paginator(selectors.my_entries(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "grassroots/mine.html", {"page": page, "entries": page.object_list})


@login_required
@require_GET
def risk_list(request):
    status = request.GET.get("status") or LatentRisk.Status.OPEN
    if status not in LatentRisk.Status.values:
        status = LatentRisk.Status.OPEN
    qs = selectors.risk_list(request.user, status=status)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "grassroots/risk_list.html",
        {"page": page, "risks": page.object_list, "status": status, "statuses": LatentRisk.Status.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_detail(request, pk):
    risk = get_risk_for_user(request.user, pk)
    changing = request.method == "POST" and request.POST.get("action") == "level"
    form = CloseRiskForm(request.POST if request.method == "POST" and not changing else None)
    level_form = RiskLevelForm(request.POST if changing else None, initial={"level": risk.level})
    may_close = may_handle_risks(request.user) and supervises_center(request.user, risk.center)
    if request.method == "POST" and not may_close:
        raise PermissionDenied(_("只有本级或上级督办人员可以处置隐患。"))
    if changing:
        if level_form.is_valid():
            outcome = call_service(
                request,
                lambda: services.change_risk_level(
                    risk,
                    actor=request.user,
                    level=level_form.cleaned_data["level"],
                    reason=level_form.cleaned_data["reason"],
                ),
                form=level_form,
                success=_("隐患等级已调整。"),
            )
            if outcome:
                return redirect("grassroots:risk_detail", risk.pk)
    elif request.method == "POST":
        if form.is_valid():
            outcome = call_service(
                request,
                lambda: services.close_risk(
                    risk, actor=request.user, conclusion=form.cleaned_data["conclusion"]
                ),
                form=form,
                success=_("隐患已销号。"),
            )
            if outcome:
                return redirect("grassroots:risk_detail", risk.pk)
    events = [(e, RISK_EVENT_LABELS.get(e.type, e.type)) for e in risk.events.select_related("actor")]
    return render(
        request,
        "grassroots/risk_detail.html",
        {
            "risk": risk,
            "form": form,
            "level_form": level_form,
            "may_close": may_close,
            "events": events,
            "photos": list(risk.photos.all()),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def risk_photo(request, pk, token):
    from django.http import FileResponse

    risk = get_risk_for_user(request.user, pk)
    photo = risk.photos.filter(token=token).first()
    if photo is None:
        raise Http404
    return FileResponse(
        photo.file.open("rb"), filename=photo.original_name, content_type=photo.content_type or None
    )


@login_required
@require_GET
def round_list(request):
    rounds = list(selectors.round_list(request.user)[:100])
    return render(
        request,
        "grassroots/round_list.html",
        {"rounds": rounds, "may_schedule": may_schedule_rounds(request.user)},
    )


def _organising_center(request):
    centers = list(centers_supervised_by(request.user).exclude(level=3).order_by("path")[:50])
    if not may_schedule_rounds(request.user) or not centers:
        raise PermissionDenied(_("只有督办人员可以安排排查任务。"))
    wanted = request.POST.get("center") or request.GET.get("center")
    return next((c for c in centers if str(c.pk) == wanted), centers[0])


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request):
    center = _organising_center(request)
    form = RoundForm(request.POST or None, center=center)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        outcome = call_service(
            request,
            lambda: services.schedule_round(
                actor=request.user,
                center=center,
                title=c["title"],
                kind=c["kind"],
                due_on=c["due_on"],
                checklist=c["checklist"],
                reference_list=c["reference_list"],
                assignees=list(c["assignees"]),
                departments=list(c["departments"]),
            ),
            form=form,
            success=_("排查任务已下发。"),
        )
        if outcome:
            return redirect("grassroots:round_detail", outcome.result.pk)
    return render(
        request,
        "grassroots/round_form.html",
        {"form": form, "center": center},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_detail(request, pk):
    round_ = rounds_visible_to(request.user).select_related("center", "reference_list").filter(pk=pk).first()
    if round_ is None:
        raise Http404
    tasks = list(
        tasks_visible_to(request.user)
        .filter(round=round_)
        .select_related("center", "department", "reported_by")
    )
    form = ScreeningReportForm(request.POST or None)
    if request.method == "POST":
        task = next((t for t in tasks if str(t.pk) == request.POST.get("task")), None)
        if task is None:
            raise Http404
        if not may_report_task(request.user, task):
            raise PermissionDenied(_("只有排查单位的工作人员可以反馈排查结果。"))
        if form.is_valid():
            outcome = call_service(
                request,
                lambda: services.report_screening(
                    task, actor=request.user, findings=form.finding_lines(), note=form.cleaned_data["note"]
                ),
                form=form,
                success=_("排查结果已反馈。"),
            )
            if outcome:
                return redirect("grassroots:round_detail", round_.pk)
    rows = [(t, may_report_task(request.user, t) and t.status == "pending") for t in tasks]
    return render(
        request,
        "grassroots/round_detail.html",
        {"round": round_, "rows": rows, "form": form, "checklist": round_.checklist_lines()},
        status=400 if request.method == "POST" else 200,
    )


# --- where disputes end -----------------------------------------------------------------------------


def _period(request):
    if not may_handle_risks(request.user):
        raise PermissionDenied(_("纠纷化解层级统计只对督办人员开放。"))
    centers = centers_supervised_by(request.user).order_by("path")
    form = PeriodForm(request.GET or None, centers=centers)
    if request.GET and not form.is_valid():
        return form, None
    data = form.cleaned_data if request.GET else form.clean_defaults()
    center = data.get("center") or centers.first()
    if center is None:
        raise PermissionDenied(_("纠纷化解层级统计只对督办人员开放。"))
    return form, (center, data["start"], data["end"])


@login_required
@require_GET
def resolution(request):
    form, chosen = _period(request)
    if chosen is None:
        return render(request, "grassroots/resolution.html", {"form": form}, status=400)
    center, start, end = chosen
    figures = selectors.resolution_figures(center, start, end)
    query = {"center": center.pk, "start": start.isoformat(), "end": end.isoformat()}
    links = {
        key: reverse("grassroots:resolution_cases") + "?" + urlencode({**query, "bucket": key})
        for key in selectors.BUCKETS
    }
    overdue = selectors.overdue_tasks(request.user).count()
    return render(
        request,
        "grassroots/resolution.html",
        {
            "form": form,
            "figures": figures,
            "rows": [(key, label, count, links[key]) for key, label, count in figures.rows()],
            "export_url": reverse("grassroots:resolution_export") + "?" + urlencode(query),
            "overdue_tasks": overdue,
        },
    )


@login_required
@require_GET
def resolution_cases(request):
    form, chosen = _period(request)
    bucket = request.GET.get("bucket", "total")
    if chosen is None or bucket not in selectors.BUCKETS:
        return render(request, "grassroots/resolution.html", {"form": form, "bad_bucket": True}, status=400)
    center, start, end = chosen
    qs = selectors.resolution_cases(request.user, center, start, end, bucket)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "grassroots/resolution_cases.html",
        {
            "page": page,
            "cases": page.object_list,
            "label": selectors.BUCKETS[bucket],
            "center": center,
            "start": start,
            "end": end,
        },
    )


@login_required
@require_GET
def resolution_export(request):
    from openpyxl import Workbook

    form, chosen = _period(request)
    if chosen is None:
        return render(request, "grassroots/resolution.html", {"form": form}, status=400)
    center, start, end = chosen
    figures = selectors.resolution_figures(center, start, end)
    book = Workbook()
    sheet = book.active
    sheet.title = _("纠纷化解层级")
    sheet.append([_("中心"), center.name])
    sheet.append([_("期间"), f"{start.isoformat()} — {end.isoformat()}"])
    sheet.append([])
    sheet.append([_("项目"), _("件数")])
    for _key, label, count in figures.rows():
        sheet.append([str(label), count])
    sheet.append([])
    sheet.append([_("比率"), "%"])
    for label, value in (
        (_("小事不出村"), figures.village_rate),
        (_("大事不出镇"), figures.town_rate),
        (_("矛盾不上交"), figures.kept_rate),
        (_("现场化解占比"), figures.on_spot_share),
    ):
        sheet.append([label, value if value is not None else "—"])
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="resolution-{start.isoformat()}-{end.isoformat()}.xlsx"'
    )
    return response
