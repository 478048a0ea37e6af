"""Per-case exceptions: django-guardian grants, made by a service and shown on the timeline."""

import pytest
from django.urls import reverse

from cases.core.access import can_change, cases_visible_to
from mediation_center.errors import NotAllowed
from routing import services


def test_grant_read_then_write_then_revoke(login, supervisor, outsider, assigned_case, world):
    detail = reverse("cases:detail", args=[assigned_case.pk])
    transfer = reverse("routing:transfer", args=[assigned_case.pk])
    client = login(outsider)
    assert client.get(detail).status_code == 404

    response = login(supervisor).post(
        reverse("routing:grant", args=[assigned_case.pk]),
        {"username": "outsider", "reason": "外聘律师调解员参与"},
    )
    assert response.status_code == 302
    event = assigned_case.events.get(type="access_granted")
    assert event.actor == supervisor and event.data == {
        "user": "outsider",
        "user_id": outsider.pk,
        "write": False,
        "reason": "外聘律师调解员参与",
    }
    client = login(outsider)
    assert client.get(detail).status_code == 200
    assert client.get(transfer).status_code == 403
    assert list(cases_visible_to(outsider)) == [assigned_case]

    services.grant_case_access(assigned_case, actor=supervisor, user=outsider, write=True, reason="担任协办")
    assert can_change(outsider, assigned_case)
    assert login(outsider).get(transfer).status_code == 200

    services.revoke_case_access(assigned_case, actor=supervisor, user=outsider, reason="调解结束")
    assert login(outsider).get(detail).status_code == 404
    assert assigned_case.events.filter(type="access_revoked").count() == 1
    page = login(supervisor).get(detail).content.decode()
    assert "授予个案权限" in page and "外聘律师调解员参与" in page


def test_only_supervisors_grant(mediator, outsider, assigned_case):
    with pytest.raises(NotAllowed):
        services.grant_case_access(assigned_case, actor=mediator, user=outsider, write=False, reason="x")
    assert not assigned_case.events.filter(type="access_granted").exists()


def test_grant_form_rejects_unknown_user(login, supervisor, assigned_case):
    response = login(supervisor).post(
        reverse("routing:grant", args=[assigned_case.pk]), {"username": "nobody", "reason": "x"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "找不到该工作人员。" in html and 'value="nobody"' in html


def test_grants_page_lists_and_revokes_with_reason(login, supervisor, outsider, assigned_case):
    services.grant_case_access(assigned_case, actor=supervisor, user=outsider, write=True, reason="外聘专家")
    grant_url = reverse("routing:grant", args=[assigned_case.pk])
    revoke_url = reverse("routing:revoke_grant", args=[assigned_case.pk, outsider.pk])
    client = login(supervisor)
    page = client.get(grant_url).content.decode()
    assert "outsider" in page and "可办理" in page and revoke_url in page

    # no reason: refused with a message, the grant stays
    response = client.post(revoke_url, {"reason": "  "}, follow=True)
    assert "撤销个案权限必须填写理由。" in response.content.decode()
    assert can_change(outsider, assigned_case)
    assert not assigned_case.events.filter(type="access_revoked").exists()

    response = client.post(revoke_url, {"reason": "专家意见已提交"}, follow=True)
    html = response.content.decode()
    assert "已撤销个案权限。" in html and "本案暂无个案权限。" in html
    event = assigned_case.events.get(type="access_revoked")
    assert event.actor == supervisor and event.data["reason"] == "专家意见已提交"
    assert login(outsider).get(reverse("cases:detail", args=[assigned_case.pk])).status_code == 404
    # nothing left to revoke for that person
    assert login(supervisor).post(revoke_url, {"reason": "再次撤销"}).status_code == 404


def test_revoke_page_access(login, supervisor, mediator, outsider, foreign_supervisor, assigned_case):
    services.grant_case_access(assigned_case, actor=supervisor, user=outsider, write=False, reason="旁听")
    revoke_url = reverse("routing:revoke_grant", args=[assigned_case.pk, outsider.pk])
    assert (
        login(mediator).post(revoke_url, {"reason": "x"}).status_code == 403
    )  # works the case, not a supervisor
    assert login(foreign_supervisor).post(revoke_url, {"reason": "x"}).status_code == 404
    assert login(outsider).post(revoke_url, {"reason": "x"}).status_code == 403  # may read, not change
    assert login(supervisor).get(revoke_url).status_code == 405
    assert not assigned_case.events.filter(type="access_revoked").exists()


def test_revoke_service_requires_reason(supervisor, outsider, assigned_case):
    from routing.errors import RoutingError

    services.grant_case_access(assigned_case, actor=supervisor, user=outsider, write=False, reason="旁听")
    with pytest.raises(RoutingError):
        services.revoke_case_access(assigned_case, actor=supervisor, user=outsider, reason=" ")
    assert cases_visible_to(outsider).filter(pk=assigned_case.pk).exists()
