"""Pages of online signing: the party's signing page (reached from the SMS link), the exact PDF, the stamped
copy, the mediator's invitations and the public verification page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.citizen_auth import citizen_required
from cases.core.access import get_case_for_user
from cases.lifecycle.selectors import agreement_of
from mediation_center.service_calls import call_service
from online import selectors, services
from online.access import party_for_sign_link
from online.documents import render_signing_pdf, render_stamped_pdf
from online.forms import InviteForm, SignForm, VerifyForm
from online.models import SigningVersion


def _pdf(data: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def prepare_version(request, agreement) -> SigningVersion | None:
    """Render the current text (outside any transaction) and keep it as the version to sign (a POST)."""
    pdf, digest = render_signing_pdf(agreement)
    outcome = call_service(
        request,
        lambda: services.publish_signing_version(agreement, actor=request.user, pdf=pdf, digest=digest),
    )
    return outcome.result


def _sign_page(request, token, agreement, party, *, form=None, status=200):
    page = selectors.party_signing_page(agreement, party)
    context = {
        "token": token,
        "page": page,
        "case": party.case,
        "form": form or SignForm(),
    }
    return render(request, "online/sign.html", context, status=status)


@citizen_required
@require_http_methods(["GET", "POST"])
def sign(request, token: str):
    """The party's signing page: read the exact PDF, get a code on the phone on record, 确认并签字."""
    agreement, party = party_for_sign_link(request.user, token)
    if request.method == "GET":
        return _sign_page(request, token, agreement, party)
    if request.POST.get("action") == "prepare":  # the text changed since the invitation: put the new one up
        prepare_version(request, agreement)
        return redirect("online:sign", token=token)
    version = services.current_version(agreement)
    if version is None or str(version.pk) != request.POST.get("version"):
        messages.error(request, _("调解协议书已被修改，原有签名已作废，请阅读新的协议文本后再签署。"))
        return redirect("online:sign", token=token)
    if request.POST.get("action") == "send_code":
        if call_service(
            request,
            lambda: services.send_signing_code(version, party=party, citizen=request.user, request=request),
            success=_("验证码已发送到您登记的手机号。"),
        ):
            return redirect(reverse("online:sign", args=[token]) + "#confirm")
        return _sign_page(request, token, agreement, party, status=400)
    form = SignForm(request.POST)
    if form.is_valid() and call_service(
        request,
        lambda: services.sign_electronically(
            version, party=party, citizen=request.user, code=form.cleaned_data["code"], request=request
        ),
        form=form,
        field="code",
        success=_("签名成功。"),
    ):
        return redirect("online:sign", token=token)
    return _sign_page(request, token, agreement, party, form=form, status=400)


@citizen_required
@require_GET
def my_signing(request):
    """The citizen's agreements awaiting their signature."""
    return render(
        request, "online/my_signing.html", {"pending": selectors.pending_signings_for(request.user)}
    )


@citizen_required
@require_GET
def sign_pdf(request, token: str):
    """The exact PDF this party is asked to sign (its SHA-256 is on the signing page)."""
    agreement, party = party_for_sign_link(request.user, token)
    version = services.current_version(agreement)
    if version is None:
        raise Http404
    return _pdf(bytes(version.pdf), f"agreement-{party.case.tracking_code}-{version.sha256[:8]}.pdf")


def _stamped(request, agreement) -> HttpResponse:
    """Issue (the first time for this signature state) and hand out the signed copy: a POST, since issuing
    keeps the copy and writes its event; the same state gets the same bytes ever after."""
    version = services.current_version(agreement) or agreement.signing_versions.first()
    if version is None:
        raise Http404
    key, e_signatures, paper = services.stamped_state(agreement, version)
    copy = version.stamped_copies.filter(state_key=key).first()
    if copy is None:
        pdf = render_stamped_pdf(version, signatures=e_signatures, paper=paper, agreement=agreement)
        outcome = call_service(
            request,
            lambda: services.issue_stamped_copy(version, actor=request.user, state_key=key, pdf=pdf),
        )
        if not outcome:
            raise Http404
        copy = outcome.result
    return _pdf(bytes(copy.pdf), f"agreement-signed-{agreement.case.tracking_code}.pdf", inline=False)


@citizen_required
@require_POST
def party_stamped_pdf(request, token: str):
    agreement, _party = party_for_sign_link(request.user, token)
    return _stamped(request, agreement)


@login_required
@require_POST
def staff_stamped_pdf(request, pk: int):
    case = get_case_for_user(request.user, pk)
    agreement = agreement_of(case)
    if agreement is None:
        raise Http404
    return _stamped(request, agreement)


@login_required
@require_POST
def invite(request, pk: int):
    """The mediator texts the chosen parties their signing links."""
    case = get_case_for_user(request.user, pk, write=True)
    agreement = agreement_of(case)
    if agreement is None:
        raise Http404
    parties = list(case.parties.all())
    form = InviteForm(request.POST, parties=parties)
    if form.is_valid():
        chosen = [p for p in parties if p.pk in set(form.cleaned_data["parties"])]
        pdf, digest = render_signing_pdf(agreement)
        call_service(
            request,
            lambda: services.invite_to_sign(
                agreement, actor=request.user, parties=chosen, pdf=pdf, digest=digest
            ),
            success=_("签署短信已发送。"),
        )
    else:
        messages.error(request, _("请选择要发送签署短信的当事人。"))
    return redirect(reverse("cases:detail", args=[case.pk]) + "#e-signing")


@require_http_methods(["GET", "POST"])
def verify(request):
    """Public: anyone holding a verification code and the PDF checks that it is the one signed."""
    result = None
    form = VerifyForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = selectors.verify_document(form.cleaned_data["code"], upload.read())
        else:
            status = 400
    return render(request, "online/verify.html", {"form": form, "result": result}, status=status)
