from accounts.demo import build_demo_org
from cases.demo import build_demo_cases
from cases.models import Case, FollowUpVisit, Status


def test_demo_data_has_a_closed_case_with_visits_and_one_in_mediation(db):
    build_demo_cases(build_demo_org())
    closed = Case.objects.get(status=Status.CLOSED)
    assert closed.outcome == "written_agreement" and closed.events.filter(type="closed").exists()
    assert FollowUpVisit.objects.filter(case=closed).count() == 3
    assert Case.objects.filter(status=Status.IN_MEDIATION).count() == 1


def test_overdue_follow_ups_in_the_navigation_of_mediators_and_supervisors(
    login, mediator, supervisor, clerk
):
    for user, shown in ((mediator, True), (supervisor, True), (clerk, False)):
        html = login(user).get("/accounts/").content.decode()
        assert ('data-nav="cases:overdue_follow_ups"' in html) is shown
