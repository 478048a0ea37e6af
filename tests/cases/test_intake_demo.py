from django.urls import reverse

from accounts.demo import build_demo_org
from cases.demo import build_demo_cases
from cases.models import Case, Status


def test_demo_data_has_an_application_waiting_a_push_and_a_repeat_visit(db, login):
    org = build_demo_org()
    build_demo_cases(org)
    waiting = Case.objects.get(status=Status.SUBMITTED)
    assert Case.objects.filter(external_id="12345-DEMO-0001", source="hotline_12345").exists()
    repeat = Case.objects.get(repeat_of__isnull=False)
    assert repeat.repeat_of.repeat_count == 1
    html = login(org["users"]["clerk"]).get(reverse("cases:intake-list")).content.decode()
    assert waiting.number in html and repeat.number in html
