"""Online signing: what a party's signing page and the public verification cost (see "Online signing" in
bench/README.md)."""

import os

from bench.run import Env, operation
from cases.lifecycle.models import Agreement


def _agreement(env: Env) -> Agreement:
    agreement = (
        Agreement.objects.filter(case__center__path__startswith=env.county.path).order_by("-pk").first()
        or Agreement.objects.order_by("-pk").first()
    )
    if agreement is None:
        raise SystemExit("no agreements: run `manage.py generate_data` first")
    return agreement


@operation("online.content_digest", target_ms=25)
def online_content_digest(env: Env):
    """The fingerprint read on every signing page and case page: is the signed version still current?"""
    from online.documents import content_digest

    agreement = _agreement(env)

    def digest():
        return content_digest(Agreement.objects.select_related("case__center").get(pk=agreement.pk))

    return digest


@operation("online.signing_pdf", target_ms=3000, repeat=5)
def online_signing_pdf(env: Env):
    """The exact PDF put up for signature (rendered once per version, then served from the row)."""
    from online.documents import render_signing_pdf

    agreement = _agreement(env)
    return lambda: render_signing_pdf(agreement)


@operation("online.verify_api", target_ms=50)
def online_verify_api(env: Env):
    """The public verification of a 512 KB PDF (the API takes bodies up to API_MAX_BODY_BYTES, 1 MB): hash it, find the code (index), answer."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client()
    data = b"%PDF-1.7\n" + os.urandom(512 * 1024)

    def verify():
        upload = SimpleUploadedFile("a.pdf", data, content_type="application/pdf")
        response = client.post("/api/online/verify/", {"code": "ABCDEFGHJKLM", "file": upload})
        if response.status_code != 200:
            raise AssertionError(f"online.verify_api answered {response.status_code}")
        return response

    return verify
