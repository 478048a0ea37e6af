import re

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET, require_POST

from cases import page_html
from cases.core.access import get_case_for_user, may_review_reveals
from cases.core.forms import RevealFilterForm, RevealForm
from cases.core.models import TimelineEvent, WarningLevel
from cases.core.selectors import case_list_page, reveals_visible_to
from cases.core.services import reveal_party_contact
from cases.core.states import Status
from cases.page import case_page, case_page_queryset
from mediation_center.service_calls import call_service
from mediation_center.statements import ByPk

# The case row of every case page, compiled once (mediation_center/statements.py).
CASE_PAGE_ROW = ByPk(case_page_queryset)


@login_required
@require_GET
def case_list(request):
    try:  # filters and the dashboard's links (cases/core/selectors.py), keyset pages (cases/core/keyset.py)
        page, filters = case_list_page(request.user, request.GET)
    except ValueError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    return render(
        request,
        "cases/core/list.html",
        {
            "linked": filters.linked,
            "page": page,
            "statuses": Status.choices,
            "levels": WarningLevel.choices,
            **filters.shown,
        },
    )


@login_required
@require_GET
def case_detail(request, pk: int):
    """Everything about a case on one screen; the actions shown are exactly those the user may take."""
    case = get_case_for_user(request.user, pk, queryset=CASE_PAGE_ROW)
    context = case_page(
        case,
        request.user,
        full_timeline=request.GET.get("timeline") == "all",
        tab=request.GET.get("tab", ""),
    )
    # The page's own stylesheet and script (named here: the case page's templates load no tag library).
    context["assets"] = {"css": static("css/case_page.css"), "js": static("js/case_page.js")}
    context |= page_html.written_parts(context, request)
    if not _is_htmx(request):
        return render(request, "cases/core/detail.html", {**context, "page_base": "base.html"})
    # A lifecycle form saved in place (htmx follows its redirect here): the page's workbench, with the flash
    # message, replaces the one on screen, and the address keeps the tab.
    response = render(
        request,
        "cases/core/detail.html",
        {**context, "page_base": "cases/core/_in_place.html", "in_place": True},
    )
    response["HX-Retarget"] = "#case-page"
    response["HX-Reswap"] = "outerHTML"
    response["HX-Replace-Url"] = request.get_full_path()
    return response


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@require_POST
def reveal_contact(request, pk: int, party_pk: int):
    """查看完整电话/证件号: POST a field and a reason; the answer shows the full value (and a tel: link for a
    phone) in place of the masked one (htmx), or on a page of its own without JavaScript."""
    case = get_case_for_user(request.user, pk, write=True)
    party = case.parties.filter(pk=party_pk).first()
    if party is None:
        raise Http404
    form = RevealForm(request.POST, party_pk=party.pk)
    value = ""
    status = 200
    if form.is_valid():
        outcome = call_service(
            request,
            lambda: reveal_party_contact(
                party,
                actor=request.user,
                field=form.cleaned_data["field"],
                reason=form.reason_text(),
                request=request,
            ),
            form=form,
        )
        if outcome:
            value = outcome.result
        else:
            status = outcome.error.http_status
    else:
        status = 400
    context = {
        "case": case,
        "party": party,
        "form": form,
        "field": form.cleaned_data.get("field", "") if form.is_valid() else "",
        "value": value,
        # What a tel: link may hold: digits and a leading plus (a phone may be written with spaces or dashes).
        "tel": re.sub(r"[^\d+]", "", value),
    }
    template = "cases/core/_revealed.html" if _is_htmx(request) else "cases/core/revealed.html"
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "private, no-store"  # a full number must not linger in a cache
    return response


@login_required
@require_GET
def reveals(request):
    """Supervisors and admins: who saw which party's full phone or ID number, when and why (404 for others)."""
    if not may_review_reveals(request.user):
        raise Http404
    form = RevealFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    status = 400 if form.is_bound and form.errors else 200
    events = reveals_visible_to(request.user, **filters) if status == 200 else TimelineEvent.objects.none()
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "cases/core/reveals.html", {"form": form, "page": page}, status=status)
