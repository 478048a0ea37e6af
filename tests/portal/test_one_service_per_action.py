"""The citizen's and the counter's halves of the same action call one service, and the actor decides the
rule: who wrote a case message, who may cancel or record a visit."""

from datetime import date

import pytest
import time_machine
from django.utils import timezone

from cases.models import Appointment, CaseMessage, HomeVisitRequest, TimelineEvent
from cases.portal.services import (
    book_appointment,
    ensure_slots,
    post_case_message,
    request_home_visit,
    update_appointment,
    update_home_visit,
)
from mediation_center.errors import DomainError, NotAllowed

MONDAY = date(2026, 12, 7)
NOW = timezone.make_aware(timezone.datetime(2026, 12, 7, 8, 0))


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def appointment(world, citizen):
    slot = ensure_slots(world.county, MONDAY)[0]
    return book_appointment(slot, citizen=citizen, name="张三", phone=citizen.phone, purpose="咨询欠薪")


@pytest.fixture
def visit(world, citizen):
    return request_home_visit(
        citizen=citizen,
        center=world.county,
        name="王奶奶",
        phone=citizen.phone,
        address="测试村 3 组",
        preferred_date=MONDAY,
        reason="行动不便",
    )


@pytest.mark.django_db
def test_the_author_says_which_side_a_message_came_from(make_case, citizen, mediator):
    case = make_case()
    post_case_message(case, actor=citizen, body="我周三下午有空。")
    post_case_message(case, actor=mediator, body="好的。")
    assert list(CaseMessage.objects.order_by("pk").values_list("author__username", "from_staff")) == [
        (citizen.username, False),
        (mediator.username, True),
    ]
    events = TimelineEvent.objects.filter(case=case, type="portal_message").order_by("pk")
    assert [e.data["from_staff"] for e in events] == [False, True]


@pytest.mark.django_db
def test_a_citizen_may_cancel_their_own_booking_only(appointment, other_citizen, citizen):
    with pytest.raises(NotAllowed):
        update_appointment(appointment, actor=other_citizen, state=Appointment.State.CANCELLED)
    with pytest.raises(NotAllowed):
        update_appointment(appointment, actor=citizen, state=Appointment.State.ATTENDED)
    appointment.refresh_from_db()
    assert appointment.state == Appointment.State.BOOKED and appointment.slot.booked == 1

    update_appointment(appointment, actor=citizen, state=Appointment.State.CANCELLED)
    appointment.refresh_from_db()
    appointment.slot.refresh_from_db()
    assert appointment.state == Appointment.State.CANCELLED and appointment.cancelled_at == NOW
    assert appointment.slot.booked == 0
    with pytest.raises(DomainError, match="该预约已取消或已到访，不能取消。"):
        update_appointment(appointment, actor=citizen, state=Appointment.State.CANCELLED)


@pytest.mark.django_db
def test_the_counter_records_the_visit_or_cancels_through_the_same_service(
    appointment, clerk, world, citizen
):
    update_appointment(appointment, actor=clerk, state=Appointment.State.ATTENDED)
    appointment.refresh_from_db()
    assert appointment.state == Appointment.State.ATTENDED and appointment.attended_by == clerk
    assert appointment.slot.booked == 1  # the place was used, not given back
    with pytest.raises(DomainError, match="只有待到访的预约可以标记为已到访。"):
        update_appointment(appointment, actor=clerk, state=Appointment.State.ATTENDED)
    with pytest.raises(DomainError, match="当前状态下不能进行此操作。"):
        update_appointment(appointment, actor=clerk, state=Appointment.State.BOOKED)

    second = book_appointment(
        ensure_slots(world.county, MONDAY)[1], citizen=citizen, name="张三", phone=citizen.phone, purpose="x"
    )
    update_appointment(second, actor=clerk, state=Appointment.State.CANCELLED)
    second.refresh_from_db()
    second.slot.refresh_from_db()
    assert second.state == Appointment.State.CANCELLED and second.slot.booked == 0


@pytest.mark.django_db
def test_a_citizen_may_only_cancel_their_own_home_visit(visit, citizen, other_citizen, clerk):
    with pytest.raises(NotAllowed):
        update_home_visit(visit, actor=other_citizen, state=HomeVisitRequest.State.CANCELLED)
    with pytest.raises(NotAllowed):
        update_home_visit(visit, actor=citizen, state=HomeVisitRequest.State.SCHEDULED)
    visit.refresh_from_db()
    assert visit.state == HomeVisitRequest.State.REQUESTED

    update_home_visit(visit, actor=clerk, state=HomeVisitRequest.State.SCHEDULED)
    update_home_visit(visit, actor=citizen, state=HomeVisitRequest.State.CANCELLED)
    visit.refresh_from_db()
    assert visit.state == HomeVisitRequest.State.CANCELLED and visit.handled_by == citizen
