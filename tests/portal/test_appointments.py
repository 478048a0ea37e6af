import threading
from datetime import date, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import User
from cases.models import Appointment, AppointmentSchedule, AppointmentSlot
from cases.portal.services import SlotFull, book_appointment, ensure_slots
from tests.factories import UserFactory

# A Monday at 08:00 Shanghai time, before every default slot.
MONDAY = date(2026, 12, 7)
NOW = timezone.make_aware(timezone.datetime(2026, 12, 7, 8, 0))


def as_user(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.django_db
def test_slots_come_from_settings_with_extended_hours(world, citizen, settings):
    settings.PORTAL_APPOINTMENT_SLOTS = ["09:00-10:00=2", "+18:00-19:30=1"]
    page = as_user(citizen).get(
        "/portal/appointments/", {"center": world.county.pk, "date": MONDAY.isoformat()}
    )
    body = page.content.decode()
    assert "09:00-10:00" in body and "18:00-19:30" in body and "延时服务" in body and "余 2 个" in body
    assert ensure_slots(world.county, MONDAY + timedelta(days=5)) == []  # Saturday: none by default


@pytest.mark.django_db
def test_per_center_schedule_overrides_settings(world):
    AppointmentSchedule.objects.create(
        center=world.town, start=time(19, 0), end=time(21, 0), capacity=3, weekdays="0"
    )
    slots = ensure_slots(world.town, MONDAY)
    assert [(s.start, s.capacity) for s in slots] == [(time(19, 0), 3)]
    assert ensure_slots(world.town, MONDAY + timedelta(days=1)) == []
    assert len(ensure_slots(world.county, MONDAY)) == 5  # the settings' default


@pytest.mark.django_db
def test_book_fill_cancel_and_rebook(world, citizen, other_citizen, settings):
    settings.PORTAL_APPOINTMENT_SLOTS = ["09:00-10:00=1"]
    slot = ensure_slots(world.county, MONDAY)[0]
    first = as_user(citizen)
    response = first.post(
        "/portal/appointments/book/", {"slot": slot.token, "name": "张三", "purpose": "咨询欠薪"}
    )
    assert response.status_code == 302
    assert "预约成功" in first.get("/portal/appointments/").content.decode()
    second = as_user(other_citizen)
    second.post("/portal/appointments/book/", {"slot": slot.token, "name": "李四", "purpose": "物业"})
    assert "该时段已约满" in second.get("/portal/appointments/").content.decode()
    appointment = Appointment.objects.get()
    assert second.post(f"/portal/appointments/{appointment.token}/cancel/").status_code == 404  # not theirs
    first.post(f"/portal/appointments/{appointment.token}/cancel/")
    slot.refresh_from_db()
    assert slot.booked == 0
    second.post("/portal/appointments/book/", {"slot": slot.token, "name": "李四", "purpose": "物业"})
    assert Appointment.objects.filter(state="booked").get().citizen == other_citizen


@pytest.mark.django_db
def test_past_slot_cannot_be_booked(world, citizen, settings):
    settings.PORTAL_APPOINTMENT_SLOTS = ["07:00-07:30=5"]
    slot = ensure_slots(world.county, MONDAY)[0]
    as_user(citizen).post("/portal/appointments/book/", {"slot": slot.token, "name": "张三", "purpose": "x"})
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_counter_sees_the_days_appointments_and_marks_attended(
    world, citizen, clerk, mediator, outsider, foreign_clerk
):
    slot = ensure_slots(world.county, MONDAY)[0]
    appointment = book_appointment(
        slot, citizen=citizen, name="张三", phone=citizen.phone, purpose="咨询欠薪"
    )
    page = as_user(clerk).get("/portal/staff/counter/", {"date": MONDAY.isoformat()}).content.decode()
    assert "张三" in page and "咨询欠薪" in page and "已到访" in page
    assert "张三" not in as_user(clerk).get("/portal/staff/counter/", {"date": "2026-12-08"}).content.decode()
    assert (
        "张三"
        not in as_user(foreign_clerk)
        .get("/portal/staff/counter/", {"date": MONDAY.isoformat()})
        .content.decode()
    )

    url = f"/portal/staff/appointments/{appointment.token}/attended/"
    assert as_user(mediator).post(url).status_code == 403
    assert as_user(foreign_clerk).post(url).status_code == 404
    assert as_user(outsider).post(url).status_code == 404
    assert as_user(outsider).get("/portal/staff/counter/").status_code == 403
    assert as_user(clerk).get(url).status_code == 405
    assert as_user(clerk).post(url).status_code == 302
    appointment.refresh_from_db()
    assert appointment.state == "attended" and appointment.attended_by == clerk


@pytest.mark.django_db
def test_home_visit_request_reaches_the_counter(world, citizen, clerk):
    response = as_user(citizen).post(
        "/portal/home-visit/",
        {
            "center": world.county.pk,
            "name": "王奶奶",
            "address": "测试村 3 组",
            "preferred_date": "2026-12-09",
            "reason": "行动不便",
        },
    )
    assert response.status_code == 302
    staff = as_user(clerk)
    assert "王奶奶" in staff.get("/portal/staff/counter/").content.decode()
    from cases.models import HomeVisitRequest

    visit = HomeVisitRequest.objects.get()
    staff.post(f"/portal/staff/home-visits/{visit.token}/", {"state": "scheduled"})
    visit.refresh_from_db()
    assert visit.state == "scheduled" and visit.handled_by == clerk


@pytest.mark.django_db
def test_counter_query_count_does_not_grow(world, clerk, django_assert_max_num_queries):
    slot = ensure_slots(world.county, MONDAY)[0]
    for n in range(4):
        user = UserFactory(kind=User.Kind.CITIZEN, phone=f"1360000{n:04d}")
        book_appointment(slot, citizen=user, name=f"来访人{n}", phone=user.phone, purpose="咨询")
    staff = as_user(clerk)
    with django_assert_max_num_queries(13) as few:  # 12 + the mediator requests' badge of a clerk
        staff.get("/portal/staff/counter/", {"date": MONDAY.isoformat()})
    for n in range(4, 8):
        user = UserFactory(kind=User.Kind.CITIZEN, phone=f"1360000{n:04d}")
        book_appointment(
            ensure_slots(world.county, MONDAY)[1],
            citizen=user,
            name=f"来访人{n}",
            phone=user.phone,
            purpose="咨询",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff.get("/portal/staff/counter/", {"date": MONDAY.isoformat()})


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_never_overbook(world, settings):
    settings.PORTAL_APPOINTMENT_SLOTS = ["09:00-10:00=3"]
    slot = ensure_slots(world.county, MONDAY)[0]
    citizens = [UserFactory(kind=User.Kind.CITIZEN, phone=f"1350000{n:04d}") for n in range(10)]
    barrier = threading.Barrier(len(citizens))
    results = []

    def attempt(user):
        try:
            barrier.wait()
            book_appointment(slot, citizen=user, name=user.username, phone=user.phone, purpose="并发")
            results.append("ok")
        except SlotFull:
            results.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in citizens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    slot.refresh_from_db()
    assert sorted(results) == ["full"] * 7 + ["ok"] * 3
    assert slot.booked == 3 and Appointment.objects.filter(slot=slot, state="booked").count() == 3
    assert AppointmentSlot.objects.count() == 1


@pytest.mark.django_db
def test_home_visit_endpoint_access(world, citizen, clerk, mediator, outsider, foreign_clerk):
    from cases.models import HomeVisitRequest
    from cases.portal.services import request_home_visit

    visit = request_home_visit(
        citizen=citizen,
        center=world.county,
        name="王奶奶",
        phone=citizen.phone,
        address="测试村 3 组",
        preferred_date=MONDAY,
        reason="行动不便",
    )
    url = f"/portal/staff/home-visits/{visit.token}/"
    assert as_user(mediator).post(url, {"state": "scheduled"}).status_code == 403
    assert as_user(foreign_clerk).post(url, {"state": "scheduled"}).status_code == 404
    assert as_user(outsider).post(url, {"state": "scheduled"}).status_code == 404
    assert as_user(citizen).post(url, {"state": "scheduled"}).status_code == 404
    assert as_user(clerk).get(url).status_code == 405
    visit.refresh_from_db()
    assert visit.state == HomeVisitRequest.State.REQUESTED
    as_user(clerk).post(url, {"state": "done"})  # must be scheduled first
    visit.refresh_from_db()
    assert visit.state == HomeVisitRequest.State.REQUESTED


@pytest.mark.django_db
def test_citizen_cancels_own_home_visit_request(world, citizen, other_citizen, clerk):
    from cases.models import HomeVisitRequest
    from cases.portal.services import request_home_visit

    visit = request_home_visit(
        citizen=citizen,
        center=world.county,
        name="王奶奶",
        phone=citizen.phone,
        address="测试村 3 组",
        preferred_date=MONDAY,
        reason="行动不便",
    )
    url = f"/portal/home-visit/{visit.token}/cancel/"
    page = as_user(citizen).get("/portal/me/").content.decode()
    assert url in page and "取消申请" in page
    # someone else's request: not found, nothing changes; GET is not allowed
    assert as_user(other_citizen).post(url).status_code == 404
    assert as_user(citizen).get(url).status_code == 405
    visit.refresh_from_db()
    assert visit.state == HomeVisitRequest.State.REQUESTED

    response = as_user(citizen).post(url, follow=True)
    html = response.content.decode()
    assert "上门服务申请已取消。" in html and "已取消" in html and url not in html
    visit.refresh_from_db()
    assert visit.state == HomeVisitRequest.State.CANCELLED and visit.handled_by == citizen
    # the counter can no longer schedule it, and cancelling twice says why
    as_user(clerk).post(f"/portal/staff/home-visits/{visit.token}/", {"state": "scheduled"})
    visit.refresh_from_db()
    assert visit.state == HomeVisitRequest.State.CANCELLED
    assert "当前状态下不能进行此操作。" in as_user(citizen).post(url, follow=True).content.decode()
