"""Level transfers keep the case's identity and land it in the receiving center's queue."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import Membership
from cases.models import Attachment, DisputeType, Status
from routing import services
from routing.errors import RoutingError
from routing.models import CaseAssignment
from tests.conftest import _persona


@pytest.fixture
def town_mediator(world):
    return _persona(
        world,
        "town_mediator",
        Membership.Role.MEDIATOR,
        center=world.town,
        channel=world.channels["specialist"],
    )


def test_hand_down_keeps_identity_history_and_lands_in_town_queue(
    login, supervisor, assigned_case, world, town_mediator, mediator, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    Attachment.objects.create(
        case=assigned_case, token="t1", file=ContentFile(b"x", name="a.txt"), original_name="a.txt", size=1
    )
    number, code, origin = assigned_case.number, assigned_case.tracking_code, assigned_case.origin_center
    events_before = assigned_case.events.count()
    response = login(supervisor).post(
        reverse("routing:transfer", args=[assigned_case.pk]),
        {"to_center": world.town.pk, "reason": "属镇级调处范围"},
    )
    assert response.status_code == 302
    assigned_case.refresh_from_db()
    assert assigned_case.center == world.town
    assert (assigned_case.number, assigned_case.tracking_code, assigned_case.origin_center) == (
        number,
        code,
        origin,
    )
    assert assigned_case.status == Status.ROUTED
    assert assigned_case.events.count() == events_before + 1
    assert assigned_case.attachments.count() == 1
    event = assigned_case.events.get(type="transferred")
    assert event.data["direction"] == "down" and event.data["reason"] == "属镇级调处范围"
    assert not CaseAssignment.objects.filter(case=assigned_case, ended_at__isnull=True).exists()
    # the town's mediator sees it in their channel queue; the county mediator no longer does
    town_queue = login(town_mediator).get(reverse("routing:queue") + "?tab=channel").content.decode()
    assert number in town_queue
    assert login(mediator).get(reverse("cases:detail", args=[assigned_case.pk])).status_code == 404


def test_escalate_to_parent(make_case, clerk, world, town_supervisor, supervisor):
    case = services.route_case(make_case(center=world.town), actor=clerk)
    assert case.center == world.town
    services.transfer_case(case, actor=town_supervisor, to_center=world.county, reason="涉及跨镇企业")
    case.refresh_from_db()
    assert case.center == world.county
    assert case.events.get(type="transferred").data["direction"] == "up"


def test_transfer_only_one_level_and_with_reason(make_case, clerk, world, supervisor):
    family = DisputeType.objects.get(code="family")
    case = services.route_case(make_case(center=world.village, dispute_type=family), actor=clerk)
    with pytest.raises(RoutingError):
        services.transfer_case(case, actor=supervisor, to_center=world.county, reason="跳级")
    with pytest.raises(RoutingError):
        services.transfer_case(case, actor=supervisor, to_center=world.town, reason="")
    with pytest.raises(RoutingError):
        services.transfer_case(case, actor=supervisor, to_center=world.other_county, reason="外县")


def test_transfer_over_api(login, supervisor, assigned_case, world):
    response = login(supervisor).post(
        reverse("api-case-transfer", args=[assigned_case.pk]),
        {"to_center": world.town.pk, "reason": "下沉"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["center"] == world.town.name
