import pytest
from django.test import Client

from cases.models import Party, Rating, TimelineEvent
from cases.portal.selectors import ratings_for_supervisor, satisfaction_summary
from tests.factories import UserFactory


def as_user(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def rate(client, case, score, comment=""):
    return client.post(f"/portal/cases/{case.tracking_code}/rating/", {"score": score, "comment": comment})


@pytest.mark.django_db
def test_each_party_rates_once_after_closing(citizen, make_case, close):
    case = make_case()
    party = as_user(citizen)
    assert "服务评价" not in party.get(f"/portal/cases/{case.tracking_code}/").content.decode()
    response = rate(party, case, 5)
    assert response.status_code == 400 and "案件结案后才能评价" in response.content.decode()
    close(case)
    assert "非常满意" in party.get(f"/portal/cases/{case.tracking_code}/").content.decode()
    assert rate(party, case, 4, "调解员很耐心").status_code == 302
    rating = Rating.objects.get()
    assert rating.score == 4 and rating.party.role == Party.Role.APPLICANT and not rating.flagged
    assert "您已评价" in party.get(f"/portal/cases/{case.tracking_code}/").content.decode()
    again = rate(party, case, 1)
    assert again.status_code == 400 and "只能评价一次" in again.content.decode()
    assert Rating.objects.count() == 1
    event = TimelineEvent.objects.get(case=case, type="portal_rated")
    assert event.actor == citizen and event.data["score"] == 4 and not event.is_public

    # the other party rates separately
    respondent = UserFactory(kind="citizen", phone="13912345678")
    assert rate(as_user(respondent), case, 3).status_code == 302
    assert Rating.objects.count() == 2


@pytest.mark.django_db
def test_bad_rating_is_flagged_to_the_supervisor(citizen, supervisor, clerk, foreign_clerk, make_case, close):
    case = close(make_case())
    rate(as_user(citizen), case, 2, "拖了太久")
    rating = Rating.objects.get()
    assert rating.flagged
    staff = as_user(supervisor)
    page = staff.get("/portal/staff/ratings/").content.decode()
    assert case.number in page and "不满意" in page and "拖了太久" in page
    assert as_user(clerk).get("/portal/staff/ratings/").status_code == 403
    url = f"/portal/staff/ratings/{rating.pk}/follow-up/"
    assert as_user(foreign_clerk).post(url, {"note": "x"}).status_code == 404
    assert staff.get(url).status_code == 405
    assert staff.post(url, {"note": "已电话回访，当事人表示理解。"}).status_code == 302
    rating.refresh_from_db()
    assert rating.followed_up_by == supervisor and rating.followed_up_at
    assert case.number not in staff.get("/portal/staff/ratings/").content.decode()
    assert case.number in staff.get("/portal/staff/ratings/?show=all").content.decode()


@pytest.mark.django_db
def test_scores_feed_the_satisfaction_rate(citizen, supervisor, make_case, close):
    for score, phone in [(5, "13800138000"), (3, "13912345678")]:
        case = close(make_case())
        user = citizen if phone == citizen.phone else UserFactory(kind="citizen", phone=phone)
        rate(as_user(user), case, score)
    case = close(make_case())
    rate(as_user(citizen), case, 1)
    summary = satisfaction_summary(ratings_for_supervisor(supervisor))
    assert summary == {"total": 3, "satisfied": 2, "rate": 66.7, "average": 3.0}
    assert "66.7%" in as_user(supervisor).get("/portal/staff/ratings/").content.decode()


@pytest.mark.django_db
def test_outsiders_cannot_rate(other_citizen, make_case, close):
    case = close(make_case())
    assert rate(as_user(other_citizen), case, 1).status_code == 404
    assert rate(Client(), case, 1).status_code == 302
    assert not Rating.objects.exists()
