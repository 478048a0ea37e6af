"""Pages of the mediator library: the staff library, a case's recommendations, the parties' requests, the fair
measures (and their Excel export), an outside expert's or team member's cases, and the public directory."""

import re
from datetime import date, timedelta
from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.citizen_auth import citizen_required
from accounts.models import Center, User
from cases.core.access import get_case_for_user, supervises
from cases.core.models import Case
from cases.portal.selectors import get_case_for_citizen
from mediation_center.service_calls import call_service

from . import application, ranking, selectors, services
from . import measures as measures_mod
from .access import (
    get_group_for_user,
    get_profile_for_user,
    get_request_for_user,
    public_groups,
    public_profiles,
    reads_library,
)
from .forms import (
    DecisionForm,
    DirectoryFilterForm,
    GroupAssignForm,
    LibraryFilterForm,
    PeriodForm,
    RequestForm,
)
from .models import MediatorRequest

DIRECTORY_PAGE = 24
CHOICES_MAX = 200  # a party chooses among those serving the case's center and the centers above it


def _library_reader(request) -> None:
    if not reads_library(request.user):
        raise Http404


@login_required
@require_GET
def library(request):
    _library_reader(request)
    form = LibraryFilterForm(request.GET or None)
    kind, specialty = "", None
    if form.is_valid():
        kind, specialty = form.cleaned_data["kind"], form.cleaned_data["specialty"]
    rows = selectors.library_profiles(request.user, kind=kind, specialty=specialty.pk if specialty else None)
    return render(
        request,
        "mediators/library.html",
        {
            "form": form,
            "rows": rows,
            "groups": selectors.library_groups(request.user),
            "flags": selectors.credential_flags(request.user),
        },
    )


@login_required
@require_GET
def profile_detail(request, pk: int):
    profile = get_profile_for_user(request.user, pk)
    credentials = list(profile.credentials.all())
    return render(
        request,
        "mediators/profile.html",
        {
            "profile": profile,
            "credentials": credentials,
            "state": selectors.credential_state(credentials, timezone.localdate()),
            "groups": [m.group for m in profile.group_memberships.select_related("group")],
        },
    )


@login_required
@require_GET
def group_detail(request, pk: int):
    group = get_group_for_user(request.user, pk)
    return render(request, "mediators/group.html", {"group": group, "members": ranking.group_members(group)})


def _case_for_supervisor(request, pk: int):
    # the center, type and channel come with the case: the access check and the ranking read them
    case = get_case_for_user(
        request.user,
        pk,
        write=True,
        queryset=Case.objects.select_related("center", "dispute_type", "channel"),
    )
    if not supervises(request.user, case.center):
        raise PermissionDenied(_("只有该案件承办中心的督办人员可以进行此操作。"))
    return case


@login_required
def recommend(request, pk: int):
    """A case's recommended mediators and studios, each with its reasons; give it to a studio or team."""
    case = _case_for_supervisor(request, pk)
    form = GroupAssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        lead = User.objects.filter(pk=form.cleaned_data["lead"]).first()
        if lead is None:
            form.add_error("lead", _("请选择主办人。"))
        else:
            outcome = call_service(
                request,
                lambda: services.assign_case_to_group(
                    case,
                    actor=request.user,
                    group=form.cleaned_data["group"],
                    lead=lead,
                    reason=form.cleaned_data["reason"],
                ),
                form=form,
                success=_("已指派工作室/团队。"),
            )
            if outcome:
                return redirect("cases:detail", case.pk)
    elif request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    groups = ranking.recommend_groups(case)
    return render(
        request,
        "mediators/recommend.html",
        {
            "case": case,
            "mediators": ranking.recommend_mediators(case),
            "groups": groups,
            "members": ranking.members_of_groups([c.group for c in groups]),
            "current": ranking.active_group_assignment(case),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def requests_queue(request):
    if not (reads_library(request.user) and selectors.requests_visible_to_anyone(request.user)):
        raise PermissionDenied(_("指定调解员申请由督办人员和受理员答复：您的账号没有这些角色。"))
    rows = list(selectors.pending_requests(request.user)[:200])
    pending = sum(1 for r in rows if r.state == MediatorRequest.State.PENDING)
    return render(
        request, "mediators/requests.html", {"rows": rows, "pending": pending, "form": DecisionForm()}
    )


@login_required
@require_POST
def decide(request, pk: int):
    mediator_request = get_request_for_user(request.user, pk, write=True)
    form = DecisionForm(request.POST)
    if form.is_valid():
        call_service(
            request,
            lambda: services.decide_request(
                mediator_request,
                actor=request.user,
                accept=form.cleaned_data["accept"],
                reason=form.cleaned_data["reason"],
            ),
            success=_("已答复申请。"),
        )
    else:
        from django.contrib import messages

        messages.error(request, _("请选择同意或不同意，并填写答复理由。"))
    return redirect("mediators:requests")


def _period(request) -> tuple[PeriodForm, date, date]:
    form = PeriodForm(request.GET or None)
    today = timezone.localdate()
    start, end = today - timedelta(days=364), today
    if form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
    return form, start, end


@login_required
@require_GET
def measures(request):
    if not reads_library(request.user):
        raise Http404
    form, start, end = _period(request)
    figures = measures_mod.measures_for(request.user, start, end)
    return render(
        request,
        "mediators/measures.html",
        {"form": form, "m": figures, "own_only": measures_mod.scope_center_ids(request.user) is None},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def measures_export(request):
    if not reads_library(request.user):
        raise Http404
    form, start, end = _period(request)
    if form.errors:
        return HttpResponse(str(form.errors), status=400, content_type="text/plain; charset=utf-8")
    from openpyxl import Workbook

    figures = measures_mod.measures_for(request.user, start, end)
    book = Workbook()
    sheet = book.active
    sheet.title = _("调解考核")
    sheet.append([_("统计期间"), f"{start.isoformat()} — {end.isoformat()}"])
    sheet.append(
        [
            _("类别"),
            _("名称"),
            _("办结件数"),
            _("化解率（%）"),
            _("按期率（%）"),
            _("满意度（5分制）"),
            _("评价数"),
            _("回访数"),
            _("平均办理天数"),
            _("难度加权件数"),
        ]
    )
    labels = {"mediator": _("调解员"), "group": _("工作室/团队")}
    for row in measures_mod.export_rows(figures):
        sheet.append([labels[row[0]], *row[1:]])
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return FileResponse(
        out, as_attachment=True, filename=f"measures-{start.isoformat()}-{end.isoformat()}.xlsx"
    )


@login_required
@require_GET
def my_cases(request):
    """The cases an outside expert is granted, or a team member reaches through their studio or team."""
    cases = list(selectors.group_cases_for(request.user)[:200])
    return render(request, "mediators/my_cases.html", {"cases": cases})


# --- The public directory and the parties' requests (portal) --------------------------


@require_GET
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    specialty = level = None
    if form.is_valid():
        specialty = form.cleaned_data["specialty"]
        level = form.cleaned_data["level"]
    profiles, groups = selectors.public_directory(specialty=specialty.pk if specialty else None, level=level)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("gpage", None)
    return render(
        request,
        "mediators/directory.html",
        {
            "form": form,
            "profiles": Paginator(profiles, DIRECTORY_PAGE).get_page(request.GET.get("page")),
            "groups": Paginator(groups, DIRECTORY_PAGE).get_page(request.GET.get("gpage")),
            "query": query.urlencode(),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def application_choices(request):
    """The online application's list of public mediators and studios for the center chosen on the form
    (an htmx partial; public data only, like the directory). A bad or unknown center lists nothing."""
    raw = request.GET.get("center", "")
    center = Center.objects.filter(pk=int(raw)).first() if re.fullmatch(r"[0-9]{1,9}", raw) else None
    profiles, groups = application.choices(center) if center else ([], [])
    selected = request.GET.get("preferred", "")[:12]
    return render(
        request,
        "mediators/_application_choices.html",
        {"preference": {"center": center, "profiles": profiles, "groups": groups, "selected": selected}},
    )


@require_GET
def public_profile(request, pk: int):
    profile = public_profiles().select_related("user").filter(pk=pk).first()
    if profile is None:
        raise Http404
    return render(request, "mediators/public_profile.html", {"profile": profile})


@require_GET
def public_photo(request, pk: int):
    profile = public_profiles().filter(pk=pk).exclude(photo="").first()
    if profile is None:
        raise Http404
    return FileResponse(profile.photo.open("rb"))


@require_GET
def public_group(request, pk: int):
    group = public_groups().select_related("center").filter(pk=pk).first()
    if group is None:
        raise Http404
    members = [m for m in ranking.group_members(group) if m.profile.is_public]
    return render(request, "mediators/public_group.html", {"group": group, "members": members})


@citizen_required
def party_request(request, tracking_code: str):
    """A party of a case not yet in mediation asks for a specific mediator or studio, with a reason."""
    case = get_case_for_citizen(request.user, tracking_code)
    profiles, groups = selectors.public_directory(center_ids=ranking.chain_ids(case.center))
    profiles, groups = list(profiles[:CHOICES_MAX]), list(groups[:CHOICES_MAX])
    form = RequestForm(request.POST or None, profiles=profiles, groups=groups)
    if request.method == "POST" and form.is_valid():
        profile, group = form.chosen()
        outcome = call_service(
            request,
            lambda: services.request_mediator(
                case, actor=request.user, profile=profile, group=group, reason=form.cleaned_data["reason"]
            ),
            form=form,
            success=_("申请已提交，中心答复后您可以在此页看到。"),
        )
        if outcome:
            return redirect("mediators:party_request", tracking_code)
    elif request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    return render(
        request,
        "mediators/party_request.html",
        {
            "case": case,
            "form": form,
            "profiles": profiles,
            "groups": groups,
            "history": list(case.mediator_requests.select_related("profile__user", "group")),
            "open": case.status in services.REQUEST_STATUSES,
        },
        status=400 if form.errors else 200,
    )
