"""The queue page as rendered: filter controls keep the user's choices; the "mine" tab pages by ids."""

from django.urls import reverse

from cases.models import Status, WarningLevel
from routing import services


def test_filter_controls_show_the_chosen_values(login, mediator, routed_case):
    routed_case()
    html = (
        login(mediator)
        .get(reverse("routing:queue") + "?warning_level=4&status=routed&overdue=on")
        .content.decode()
    )
    assert '<select name="warning_level" id="id_warning_level">' in html
    assert '<option value="4" selected>' in html
    assert '<option value="routed" selected>' in html
    assert '<option value="" selected>' in html  # dispute type: all
    assert '<input type="checkbox" name="overdue" id="id_overdue" checked>' in html


def test_unfiltered_controls_select_nothing(login, mediator, routed_case):
    html = login(mediator).get(reverse("routing:queue")).content.decode()
    assert html.count(" selected>") == 3  # the "all" option of each select
    assert '<input type="checkbox" name="overdue" id="id_overdue">' in html


def test_rows_show_translated_status_and_level(login, mediator, routed_case):
    case = routed_case()
    services.claim_case(case, actor=mediator)
    case.refresh_from_db()
    html = login(mediator).get(reverse("routing:queue")).content.decode()
    row = html[html.index(f'data-case="{case.pk}"') :]
    row = row[: row.index("</tr>")]
    assert str(Status(case.status).label) in row
    assert str(WarningLevel(case.warning_level).label) in row


def test_my_cases_pages_keep_order_and_count(login, mediator, routed_case):
    from routing import views

    cases = [routed_case() for _ in range(3)]
    for case in cases:
        services.claim_case(case, actor=mediator)
    client = login(mediator)
    old, views.PAGE_SIZE = views.PAGE_SIZE, 2
    try:
        first = client.get(reverse("routing:queue")).content.decode()
        second = client.get(reverse("routing:queue") + "?page=2").content.decode()
        beyond = client.get(reverse("routing:queue") + "?page=9").content.decode()
    finally:
        views.PAGE_SIZE = old
    shown = [c.number for c in cases if c.number in first] + [c.number for c in cases if c.number in second]
    assert sorted(shown) == sorted(c.number for c in cases) and len(shown) == 3
    assert "第 1 / 2 页" in first and "第 2 / 2 页" in second
    assert "第 2 / 2 页" in beyond  # past the end: the last page, as Paginator.get_page does
