import re

import pytest
from django.test import Client

from cases.models import Source
from cases.portal.selectors import cases_for_citizen
from tests.conftest import make_case_data


def as_user(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.django_db
def test_citizen_sees_cases_by_phone_and_counter_verified_id(citizen, make_case, world):
    from cases.intake.services import PartyData
    from cases.models import Party

    by_phone = make_case()
    # registered at the counter for the same ID number but a different phone (an old number)
    by_id = make_case(
        parties=[
            PartyData(
                role=Party.Role.APPLICANT,
                name="张三",
                id_type="resident_id",
                id_number="11010519491231002X",
                phone="13011112222",
            ),
        ]
    )
    # an online form typed with someone's ID number proves nothing
    from cases.intake.services import register_case

    register_case(
        center=world.county,
        actor=None,
        data=make_case_data(
            source=Source.ONLINE,
            parties=[
                PartyData(
                    role=Party.Role.APPLICANT,
                    name="冒用",
                    id_number="110105194912310021",
                    phone="13800138000",
                )
            ],
        ),
    )
    elsewhere = make_case(parties=[PartyData(role=Party.Role.APPLICANT, name="别人", phone="13099998888")])
    visible = set(cases_for_citizen(citizen))
    assert by_phone in visible and by_id in visible and elsewhere not in visible
    body = as_user(citizen).get("/portal/me/").content.decode()
    assert by_id.tracking_code in body and elsewhere.tracking_code not in body


@pytest.mark.django_db
def test_my_cases_page_queries_do_not_grow(citizen, make_case, django_assert_max_num_queries):
    make_case()
    client = as_user(citizen)
    with django_assert_max_num_queries(15) as few:
        client.get("/portal/me/")
    for _ in range(5):
        make_case()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/portal/me/").status_code == 200


@pytest.mark.django_db
def test_portal_pages_render_for_anonymous_visitors(client):
    for url in ("/portal/", "/portal/status/", "/portal/sign-in/"):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert 'name="viewport"' in body and "css/portal.css" in body
        assert not re.search(r'(src|href)="(https?:)?//', body)  # no external resources


def test_the_site_root_takes_a_signed_in_citizen_to_my_cases_and_staff_to_the_workbench(
    client, citizen, clerk
):
    client.force_login(citizen)
    assert client.get("/")["Location"] == "/portal/me/"
    client.force_login(clerk)
    assert client.get("/")["Location"] == "/accounts/"
