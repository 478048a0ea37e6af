"""The party's pages of electronic service: the SMS link (sign in as the party, then one button whose POST
is the first opening, the moment of service; GETs change nothing), the served PDF, and their consents."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.citizen_auth import citizen_required
from cases.portal.selectors import citizen_parties, get_case_for_citizen
from eservice import selectors, services
from eservice.access import LinkRefused, service_for_link
from eservice.models import ServiceConsent
from mediation_center.service_calls import call_service

REFUSALS = {
    404: (
        gettext_lazy("链接无效"),
        gettext_lazy(
            "这个送达链接不存在，或不是发给您的：每个送达链接只能由受送达的当事人本人登录后打开。"
            "请确认登录的手机号是您在本案登记的手机号，或联系承办中心。"
        ),
    ),
    410: (
        gettext_lazy("链接已过期"),
        gettext_lazy(
            "这个送达链接已超过有效期。请联系承办中心重新送达，或到“我的送达”查看已送达给您的文书。"
        ),
    ),
}


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _refused(request, refusal: LinkRefused) -> HttpResponse:
    services.record_refused_link(request=request, user=request.user, reason=refusal.reason)
    title, text = REFUSALS[refusal.status]
    return _no_store(
        render(
            request,
            "eservice/link_refused.html",
            {"title": title, "text": text},
            status=refusal.status,
        )
    )


def _open_page(request, service, token: str) -> HttpResponse:
    if service.opened_at is None:  # not yet served: say what opening means, open on the button (a POST)
        return _no_store(
            render(request, "eservice/confirm.html", {"service": service, "case": service.case, "token": token})
        )
    services.record_view(service, citizen=request.user, request=request, what="page")
    return _no_store(
        render(request, "eservice/open.html", {"service": service, "case": service.case, "token": token})
    )


@citizen_required
@require_http_methods(["GET", "HEAD", "POST"])
def open_document(request, token: str):
    """The SMS link. A GET changes nothing (SMS apps prefetch links): before the first opening it names the
    document, the case and the sender with one button; its POST records the first opening (the moment of
    service) and redirects back here, which then shows the document with when it was served."""
    try:
        service = service_for_link(request.user, token)
    except LinkRefused as refusal:
        return _refused(request, refusal)
    if request.method != "POST":
        return _open_page(request, service, token)
    outcome = call_service(
        request, lambda: services.record_opening(service, citizen=request.user, request=request)
    )
    if not outcome:
        return _refused(request, LinkRefused(404, "not_yours"))
    if outcome.result[1]:
        messages.success(request, _("文书已送达，送达时间已记录。"))
    return redirect("eservice_portal:open", token=token)


@citizen_required
@require_GET
def document_pdf(request, token: str):
    """The exact PDF served (its SHA-256 is on the page and in the service record), once the party has
    opened the service; before that, the open page (a GET never records the moment of service)."""
    try:
        service = service_for_link(request.user, token)
    except LinkRefused as refusal:
        return _refused(request, refusal)
    if service.opened_at is None:
        return redirect("eservice_portal:open", token=token)
    services.record_view(service, citizen=request.user, request=request, what="pdf")
    response = HttpResponse(bytes(service.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{service.document_kind}-{service.case.tracking_code}.pdf"'
    )
    return _no_store(response)


@citizen_required
@require_GET
def my_services(request):
    """The citizen's consents to electronic service and the documents served to them."""
    return _no_store(
        render(
            request,
            "eservice/mine.html",
            {"rows": selectors.services_for_citizen(request.user), "statement": services.statement_text()},
        )
    )


@citizen_required
@require_POST
def consent(request, tracking_code: str):
    """The party gives or withdraws their consent for their own case (404 for any other case)."""
    case = get_case_for_citizen(request.user, tracking_code)
    give = request.POST.get("action") == "give"
    for party in citizen_parties(request.user, case):
        if give:
            call_service(
                request,
                lambda party=party: services.give_consent(
                    case,
                    party=party,
                    actor=request.user,
                    method=ServiceConsent.Method.PORTAL,
                    request=request,
                ),
                success=_("您已同意电子送达。"),
            )
        else:
            call_service(
                request,
                lambda party=party: services.withdraw_consent(
                    case, party=party, actor=request.user, request=request
                ),
                success=_("您已撤回电子送达同意，此后的文书将以纸质方式送达。"),
            )
    return redirect("eservice_portal:mine")
