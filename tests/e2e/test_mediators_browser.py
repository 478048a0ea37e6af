"""The mediator library in a browser: a supervisor gives a case to a studio from its recommendations, reads
the measures and the library on a phone; a citizen reads the public directory on a phone."""

import pytest

from mediators.models import GroupAssignment
from tests.mediators import conftest as library

# The library's fixtures, shared with tests/mediators/.
expert, make_profile, mediator2 = library.expert, library.make_profile, library.mediator2
routed_case, studio = library.routed_case, library.studio

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = "test-output"


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_supervisor_assigns_a_studio_and_reads_measures(
    page,
    phone_page,
    live_server,
    sign_in,
    routed_case,
    supervisor,
    mediator,
    studio,
):
    mediator.mediator_profile.specialties.set(studio.specialties.all())
    case = routed_case()
    sign_in(page, "supervisor")
    page.goto(f"{live_server.url}/mediators/cases/{case.pk}/recommend/")
    first = page.locator("[data-testid=recommended-mediators] li").first
    assert "擅长劳动争议" in first.inner_text()
    page.screenshot(path=f"{OUT}/mediators-recommend-1366.png", full_page=True)
    page.select_option("#id_lead", str(mediator.pk))
    page.fill("#id_reason", "工作室承办")
    page.click("[data-testid=assign-group] button")
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/")
    assert GroupAssignment.objects.get(case=case).lead == mediator

    sign_in(phone_page, "supervisor")
    for name, path in [
        ("measures", "/mediators/measures/"),
        ("library", "/mediators/"),
        ("recommend", f"/mediators/cases/{case.pk}/recommend/"),
    ]:
        phone_page.goto(f"{live_server.url}{path}")
        phone_page.screenshot(path=f"{OUT}/mediators-{name}-375.png", full_page=True)
        _no_horizontal_scroll(phone_page)


def test_citizen_reads_the_public_directory_on_a_phone(phone_page, page, live_server, studio):
    phone_page.goto(f"{live_server.url}/mediators/directory/")
    assert "言和调解工作室" in phone_page.locator("[data-testid=public-group]").first.inner_text()
    phone_page.screenshot(path=f"{OUT}/mediators-directory-375.png", full_page=True)
    _no_horizontal_scroll(phone_page)
    page.goto(f"{live_server.url}/mediators/directory/")
    page.screenshot(path=f"{OUT}/mediators-directory-1366.png", full_page=True)


def test_citizen_chooses_a_studio_while_applying_on_a_phone(phone_page, live_server, world, studio, settings):
    """The choice list follows the center chosen on the form (htmx), the preview shows it, and the
    application arrives with the party's request for the studio."""
    import re

    from accounts import sms
    from cases.models import Case
    from mediators.models import MediatorRequest

    settings.SMS_BACKEND = "accounts.sms.LocMemSMSBackend"
    sms.outbox.clear()
    page, base = phone_page, live_server.url
    page.goto(f"{base}/portal/apply/")
    page.fill("#id_phone", "13655556666")
    page.click("[data-testid=send-code]")
    page.wait_for_selector("#id_code")
    page.fill("#id_code", re.search(r"验证码为 (\d{6})", sms.outbox[-1].text).group(1))
    page.click("[data-testid=verify]")
    page.wait_for_url(f"{base}/portal/apply/")
    assert page.locator("#id_preferred").is_disabled()  # no center chosen yet
    page.select_option("#id_center", label="测试县矛调中心")
    page.wait_for_selector(f"#id_preferred option[value='g{studio.pk}']", state="attached")
    page.select_option("#id_preferred", f"g{studio.pk}")
    page.fill("#id_preferred_reason", "工作室调解过我们村的工资纠纷")
    page.select_option("#id_dispute_type", label="劳动争议")
    page.fill("#id_applicant_name", "王小明")
    page.fill("#id_respondent_name", "某建筑公司")
    page.fill("#id_summary", "公司拖欠三个月工资。")
    page.fill("#id_claims", "支付工资 12000 元")
    page.check("[data-testid=privacy-consent]")
    page.locator("[data-testid=preference]").screenshot(path=f"{OUT}/mediators-apply-choice-375.png")
    _no_horizontal_scroll(page)
    page.click("[data-testid=preview-application]")
    page.wait_for_url(f"{base}/portal/apply/preview/")
    assert "言和调解工作室" in page.locator("[data-testid=preview-preferred]").inner_text()
    page.click("[data-testid=submit-application]")
    page.wait_for_selector("[data-testid=tracking-code]")
    case = Case.objects.get(tracking_code=page.locator("[data-testid=tracking-code]").inner_text().strip())
    request = MediatorRequest.objects.get(case=case)
    assert request.group == studio and request.reason == "工作室调解过我们村的工资纠纷"
