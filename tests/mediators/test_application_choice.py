"""A citizen applying online may choose a public mediator or studio with a reason (issue 18 item 4): the form
lists the center's public choices, the preview shows the choice, the submission files the party's request on
the new case in the same transaction, and the clerk or supervisor answers it as any other request."""

import pytest
from django.urls import reverse

from cases.models import Case, Status
from mediators.models import MediatorRequest
from tests.portal.test_online_application import PREVIEW, URL, form_data


@pytest.fixture
def public_mediator(mediator, make_profile):
    return make_profile(
        mediator, types=["labour"], is_public=True, intro="十二年人民调解经验", expires_in=300
    )


@pytest.fixture
def hidden_mediator(mediator2, make_profile):
    return make_profile(mediator2, types=["labour"], is_public=False)


def test_the_form_lists_the_centers_public_choices_and_reloads_them_for_another_center(
    client, citizen, world, public_mediator, hidden_mediator, studio
):
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    assert 'data-testid="preference"' in html and "先在上方选择申请调解的中心" in html
    choices = client.get(
        reverse("mediators:application_choices"), {"center": world.county.pk}
    ).content.decode()
    assert f'value="p{public_mediator.pk}"' in choices and f'value="p{hidden_mediator.pk}"' not in choices
    assert f'value="g{studio.pk}"' in choices and "言和调解工作室" in choices
    for bad in ("", "abc", "99999999999999999999", "0"):  # nothing listed, never an error
        answer = client.get(reverse("mediators:application_choices"), {"center": bad})
        assert answer.status_code == 200 and 'value="p' not in answer.content.decode()


def test_the_choice_is_previewed_and_becomes_the_applicants_request(
    client, citizen, world, public_mediator, supervisor
):
    client.force_login(citizen)
    data = form_data(world, preferred=f"p{public_mediator.pk}", preferred_reason="她调解过我们村的工资纠纷")
    assert client.post(URL, data)["Location"] == PREVIEW
    preview = client.get(PREVIEW).content.decode()
    assert "她调解过我们村的工资纠纷" in preview and public_mediator.user.display_name in preview
    client.post(PREVIEW)
    case = Case.objects.get(status=Status.SUBMITTED, parties__name="王小明")
    request = MediatorRequest.objects.get(case=case)
    assert request.profile == public_mediator and request.requested_by == citizen
    assert request.reason == "她调解过我们村的工资纠纷" and request.state == "pending"
    assert case.events.filter(type="mediator_requested", actor=citizen).count() == 1
    client.force_login(supervisor)
    assert case.number in client.get(reverse("mediators:requests")).content.decode()


def test_no_choice_files_no_request(client, citizen, world, public_mediator):
    client.force_login(citizen)
    client.post(URL, form_data(world))
    assert "不指定，由中心安排" in client.get(PREVIEW).content.decode()
    client.post(PREVIEW)
    case = Case.objects.get(status=Status.SUBMITTED, parties__name="王小明")
    assert not MediatorRequest.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("preferred", "reason", "message"),
    [
        ("p{hidden}", "理由", "不在该中心的公开名录中"),
        ("p9999999999", "理由", "请从公开名录中选择"),
        ("p999999999999999", "理由", "12"),
        ("x1", "理由", "请从公开名录中选择"),
        ("p{public}", "", "请写一句理由"),
        ("", "只有理由", "请同时选择调解员或工作室"),
    ],
)
def test_a_bad_choice_is_named_and_nothing_is_lost(
    client, citizen, world, public_mediator, hidden_mediator, preferred, reason, message
):
    client.force_login(citizen)
    value = preferred.format(hidden=hidden_mediator.pk, public=public_mediator.pk)
    answer = client.post(URL, form_data(world, preferred=value, preferred_reason=reason))
    html = answer.content.decode()
    assert answer.status_code == 200 and message in html
    assert "公司拖欠三个月工资共 1.2 万元。" in html  # what was typed is still there
    assert not Case.objects.filter(parties__name="王小明").exists()


def test_a_choice_that_left_the_directory_before_sending_is_refused_with_the_application_kept(
    client, citizen, world, public_mediator
):
    client.force_login(citizen)
    client.post(URL, form_data(world, preferred=f"p{public_mediator.pk}", preferred_reason="熟人推荐"))
    public_mediator.is_public = False
    public_mediator.save(update_fields=["is_public"])
    answer = client.post(PREVIEW)
    assert answer.status_code == 200 and "不在该中心的公开名录中" in answer.content.decode()
    assert not Case.objects.filter(parties__name="王小明").exists()
