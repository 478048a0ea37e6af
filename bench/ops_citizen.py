"""Operations of the citizen's side (issue 16): the portal home, the privacy notice API, the application's
preview page and the sending of an online application with its privacy consent (bench/README.md, "Citizen")."""

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from bench.run import Env, operation, page
from cases.core.models import DisputeType, Party, Source

BENCH_PHONE = "13900009999"

page("citizen.portal_home", None, lambda env: reverse("portal:index"), target_ms=20)
page("citizen.privacy_notice_api", None, lambda env: reverse("api-portal-privacy-notice"), target_ms=20)


def _citizen() -> User:
    user, _created = User.objects.get_or_create(
        username="bench_citizen", defaults={"kind": User.Kind.CITIZEN, "phone": BENCH_PHONE}
    )
    return user


def _application(env: Env):
    from cases.intake.services import CaseData, PartyData

    return CaseData(
        dispute_type=DisputeType.objects.get(code="neighbour"),
        summary="楼上邻居夜间施工，多次沟通无果。",
        claims="停止夜间施工",
        source=Source.ONLINE,
        people_count=2,
        parties=[
            PartyData(role=Party.Role.APPLICANT, name="基准群众", phone=BENCH_PHONE),
            PartyData(role=Party.Role.RESPONDENT, name="基准邻居"),
        ],
    )


@operation("citizen.submit_online_application", target_ms=30, writes=True)
def submit_online_application(env: Env):
    """The service the preview's 确认提交 calls: the registration plus the consent row, no files."""
    from cases.portal import privacy
    from cases.portal.services import submit_online_application

    citizen = _citizen()
    data = _application(env)
    consent = privacy.Consent(
        version=privacy.NOTICE_VERSION, sha256=privacy.notice_sha256(), consented_at=timezone.now()
    )
    return lambda: submit_online_application(citizen=citizen, center=env.county, data=data, consent=consent)


@operation("citizen.application_preview_page", target_ms=40)
def application_preview_page(env: Env):
    """GET /portal/apply/preview/ with a filled-in draft in the session (the form re-validated, then shown)."""
    client = Client()
    client.force_login(_citizen())
    data = _application(env)
    response = client.post(
        reverse("portal:apply"),
        {
            "center": env.county.pk,
            "dispute_type": data.dispute_type.pk,
            "applicant_name": "基准群众",
            "respondent_kind": Party.Kind.PERSON,
            "respondent_name": "基准邻居",
            "summary": data.summary,
            "claims": data.claims,
            "privacy_consent": "on",
        },
    )
    if response.status_code != 302:
        raise AssertionError(f"the draft was not accepted: {response.status_code}")
    url = reverse("portal:apply_preview")

    def preview():
        answered = client.get(url)
        if answered.status_code != 200:
            raise AssertionError(f"preview answered {answered.status_code}")
        return answered

    return preview
