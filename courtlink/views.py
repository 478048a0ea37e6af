"""Pages of the court hand-off: the case page's card (htmx), preparing a package, recording the court's
answers, the package's zip and manifest, the staff list, and the citizen's own page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.citizen_auth import citizen_required
from cases.core.access import get_case_for_user, is_staff_user
from cases.core.models import Case, Party
from cases.documents.pdf import DocumentRenderFailed
from cases.documents.registry import DocumentNotAvailable
from cases.portal.selectors import citizen_party_q
from courtlink import selectors, services
from courtlink.forms import PrepareForm, ProgressForm
from courtlink.models import Handoff
from courtlink.package import assemble, manifest_bytes, package_zip
from mediation_center.service_calls import call_service


def _staff_case(request, pk: int, *, write: bool = False) -> Case:
    if not is_staff_user(request.user):
        raise Http404
    return get_case_for_user(
        request.user, pk, write=write, queryset=Case.objects.select_related("center", "dispute_type")
    )


def _handoff(case: Case, handoff_pk: int) -> Handoff:
    handoff = Handoff.objects.filter(pk=handoff_pk, case=case).first()
    if handoff is None:
        raise Http404
    handoff.case = case
    return handoff


def _back(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk]) + "?tab=documents#court-handoff"


@login_required
@require_GET
def section(request, pk: int):
    """The case page's 司法确认与诉调对接 card (htmx): 404 for a case the user may not see."""
    case = _staff_case(request, pk)
    card = selectors.handoff_card(case, request.user)
    return render(
        request,
        "courtlink/_card.html",
        {"case": case, "card": card, "prepare_form": PrepareForm(), "progress_form": ProgressForm()},
    )


def _prepare(request, case: Case, form: PrepareForm) -> Handoff | None:
    data = form.cleaned_data
    kind = data["kind"]
    route = (
        Handoff.Route.JUDICIAL_CONFIRMATION if kind == Handoff.Kind.CONFIRMATION else data.get("route") or ""
    )
    if kind == Handoff.Kind.LITIGATION and not route:
        messages.error(request, _("请选择移送的去向：转人民法院诉前调解，或引导当事人起诉。"))
        return None
    try:  # rendered before the service's transaction opens
        assembled = assemble(case, kind=kind, route=route, court_name=data.get("court_name", ""))
    except (DocumentNotAvailable, DocumentRenderFailed) as exc:
        messages.error(request, str(exc.message))
        return None
    outcome = call_service(
        request,
        lambda: services.prepare_handoff(
            case,
            actor=request.user,
            assembled=assembled,
            court_name=data.get("court_name", ""),
            request=request,
        ),
        success=_("材料已准备，可下载后提交法院。"),
    )
    return outcome.result


@login_required
@require_POST
def prepare(request, pk: int):
    case = _staff_case(request, pk, write=True)
    form = PrepareForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(_back(case))
    _prepare(request, case, form)
    return redirect(_back(case))


@login_required
@require_POST
def progress(request, pk: int, handoff_pk: int):
    """Staff record the court's answer (or the submission) on the hand-off."""
    case = _staff_case(request, pk, write=True)
    handoff = _handoff(case, handoff_pk)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(_back(case))
    data = form.cleaned_data
    call_service(
        request,
        lambda: services.record_court_progress(
            handoff,
            actor=request.user,
            to=data["to"],
            on=data.get("on"),
            court_reference=data.get("court_reference", ""),
            note=data.get("note", ""),
        ),
        success=_("已登记。"),
    )
    return redirect(_back(case))


@login_required
@require_GET
def download(request, pk: int, handoff_pk: int):
    """The package as one zip (manifest.json, package.pdf, the parts): staff who may change the case (it
    carries full identity); read-only staff get 403."""
    case = _staff_case(request, pk, write=True)
    handoff = _handoff(case, handoff_pk)
    response = HttpResponse(package_zip(handoff), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="court-package-{handoff.reference}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def manifest(request, pk: int, handoff_pk: int):
    case = _staff_case(request, pk, write=True)
    handoff = _handoff(case, handoff_pk)
    response = HttpResponse(manifest_bytes(handoff.manifest), content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def work_list(request):
    """The mediator's and supervisor's list: windows about to close, and the hand-offs under way."""
    if not selectors.may_see_work(request.user):
        raise Http404
    return render(
        request,
        "courtlink/list.html",
        {"windows": selectors.windows_list(request.user), "handoffs": selectors.handoffs_list(request.user)},
    )


@citizen_required
@require_GET
def mine(request):
    """The citizen's page: the judicial-confirmation window and each hand-off's status, what happens next."""
    return render(request, "courtlink/mine.html", {"items": selectors.citizen_cases(request.user)})


@citizen_required
@require_POST
def citizen_prepare(request, tracking_code: str):
    """A party asks for the joint application: the package is assembled for staff to check and submit."""
    party = (
        Party.objects.filter(
            citizen_party_q(request.user), case__tracking_code=str(tracking_code)[:16].replace("\x00", "")
        )
        .select_related("case")
        .first()
    )
    if party is None:
        raise Http404
    case = party.case
    form = PrepareForm({"kind": Handoff.Kind.CONFIRMATION})
    form.is_valid()
    _prepare(request, case, form)
    return redirect("courtlink:mine")
