from accounts.demo import build_demo_org
from accounts.models import Center
from cases.demo import build_demo_cases
from cases.models import Case, FollowUpVisit, Status


def test_demo_data_has_a_closed_case_with_visits_and_one_in_mediation(db):
    build_demo_cases(build_demo_org())
    closed = Case.objects.get(status=Status.CLOSED, center__level=Center.Level.COUNTY)
    assert closed.outcome == "written_agreement" and closed.events.filter(type="closed").exists()
    assert FollowUpVisit.objects.filter(case=closed).count() == 3
    ongoing = Case.objects.get(summary="装修公司拖欠 3 名工人工资。")
    assert ongoing.status == Status.IN_MEDIATION and ongoing.sessions.exists()


def test_overdue_follow_ups_in_the_navigation_of_mediators_and_supervisors(
    login, mediator, supervisor, clerk
):
    for user, shown in ((mediator, True), (supervisor, True), (clerk, False)):
        html = login(user).get("/accounts/").content.decode()
        assert ('data-nav="cases:overdue_follow_ups"' in html) is shown
