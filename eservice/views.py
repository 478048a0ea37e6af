"""Staff pages of electronic service: the case page's board (loaded by htmx after the page), recording a
party's consent at the counter, serving a document electronically and recording paper service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.core.access import can_change, get_case_for_user, is_staff_user
from cases.documents.registry import Viewer, documents_for
from eservice import selectors, services
from eservice.forms import ConsentForm, PaperServiceForm, ServeForm
from mediation_center.service_calls import call_service


def _staff_case(request, pk: int, *, write: bool = False):
    if not is_staff_user(request.user):
        raise Http404
    return get_case_for_user(request.user, pk, write=write)


def _back(case):
    return redirect(reverse("cases:detail", args=[case.pk]) + "?tab=documents#e-service")


def _flash_errors(request, form) -> None:
    seen = set()
    for errors in form.errors.values():
        for error in errors:
            if error not in seen:
                seen.add(error)
                messages.error(request, error)


@login_required
@require_GET
def board(request, pk: int):
    """The service status per party per document (htmx): 404 for a case the user may not see."""
    case = _staff_case(request, pk)
    board = selectors.service_board(case, can_write=can_change(request.user, case))
    return render(
        request, "eservice/_board.html", {"case": case, "board": board, "forms": _blank_forms(board)}
    )


def _blank_forms(board):
    parties = [r.party for r in board.rows]
    return {
        "consent": ConsentForm(parties=parties),
        "serve": ServeForm(parties=parties, documents=board.documents),
        "paper": PaperServiceForm(parties=parties, documents=board.documents),
    }


def _parties_and_documents(case):
    return list(case.parties.order_by("pk")), list(documents_for(case, Viewer.PARTY).values())


@login_required
@require_POST
def consent(request, pk: int):
    """登记 / 撤回 a party's consent to electronic service (at the counter, or as given on the application)."""
    case = _staff_case(request, pk, write=True)
    parties, _documents = _parties_and_documents(case)
    form = ConsentForm(request.POST, parties=parties)
    if not form.is_valid():
        _flash_errors(request, form)
        return _back(case)
    party = form.cleaned_data["party"]
    if form.cleaned_data["action"] == "give":
        call_service(
            request,
            lambda: services.give_consent(
                case, party=party, actor=request.user, method=form.cleaned_data["method"], request=request
            ),
            success=_("已登记当事人同意电子送达。"),
        )
    else:
        call_service(
            request,
            lambda: services.withdraw_consent(case, party=party, actor=request.user, request=request),
            success=_("已登记当事人撤回电子送达同意。"),
        )
    return _back(case)


@login_required
@require_POST
def serve(request, pk: int):
    """电子送达: render the party's copy (outside the transaction), then serve it by SMS link."""
    case = _staff_case(request, pk, write=True)
    parties, documents = _parties_and_documents(case)
    form = ServeForm(request.POST, parties=parties, documents=documents)
    if not form.is_valid():
        _flash_errors(request, form)
        return _back(case)
    kind = form.cleaned_data["kind"]
    party = form.cleaned_data["party"]
    rendered = call_service(  # refused before the slow render when it would be refused anyway
        request,
        lambda: (
            services.check_servable(case, party=party, kind=kind) or services.render_for_service(case, kind)
        ),
    )
    if not rendered:
        return _back(case)
    pdf = rendered.result
    call_service(
        request,
        lambda: services.serve_electronically(
            case, party=party, kind=kind, actor=request.user, pdf=pdf, request=request
        ),
        success=_("送达短信已发送。"),
    )
    return _back(case)


@login_required
@require_POST
def paper(request, pk: int):
    """登记邮寄、直接或留置送达 with its date."""
    case = _staff_case(request, pk, write=True)
    parties, documents = _parties_and_documents(case)
    form = PaperServiceForm(request.POST, parties=parties, documents=documents)
    if not form.is_valid():
        _flash_errors(request, form)
        return _back(case)
    data = form.cleaned_data
    call_service(
        request,
        lambda: services.record_paper_service(
            case,
            party=data["party"],
            kind=data["kind"],
            method=data["method"],
            served_at=data["served_at"],
            note=data["note"],
            actor=request.user,
            request=request,
        ),
        success=_("已登记纸质送达。"),
    )
    return _back(case)
