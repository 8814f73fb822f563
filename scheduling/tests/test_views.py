"""The schedule pages: who may open them, what they show, and their query counts."""

import pytest
from django.test import Client

from scheduling.services import SchedulingEngine, schedule_publish
from scheduling.tests.week_setup import WEEK, small_week
from staff.models import StaffMember

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def draft(restaurant):
    small_week(restaurant)
    return SchedulingEngine(restaurant, engine="greedy").generate(WEEK).schedule


def test_manager_sees_the_week_grid_fairness_and_check_in_a_fixed_number_of_queries(
    restaurant, manager_user, draft, django_assert_max_num_queries
):
    client = logged_in(manager_user)
    with django_assert_max_num_queries(30):
        page = client.get("/schedule/", {"week": "2026-12-09"})  # any day: the page shows its Monday's week
    assert page.status_code == 200
    assert page.context["week_start"] == WEEK
    assert page.context["schedule"] == draft
    html = page.content.decode()
    assert html.count('class="chip') == draft.items.count()
    assert "Gini of hours" in html and "No rule broken" in html
    assert 'id="sched-config"' in html and "<script>" not in html  # data as json_script, code in static files


def test_dashboard_queries_do_not_grow_with_the_team_or_the_shifts(restaurant, manager_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from staff.tests.factories import StaffMemberFactory

    small_week(restaurant)
    SchedulingEngine(restaurant, engine="greedy").generate(WEEK)
    client = logged_in(manager_user)
    client.get("/schedule/", {"week": "2026-12-07"})  # session and caches warm
    with CaptureQueriesContext(connection) as small:
        client.get("/schedule/", {"week": "2026-12-07"})
    for _ in range(15):
        StaffMemberFactory(restaurant=restaurant)
    SchedulingEngine(restaurant, engine="greedy").generate(WEEK)
    with CaptureQueriesContext(connection) as large:
        client.get("/schedule/", {"week": "2026-12-07"})
    assert len(large) == len(small)


@pytest.mark.parametrize("persona", ["host_user", "staff_user"])
def test_hosts_and_staff_may_not_open_the_schedule_dashboard(persona, request):
    assert logged_in(request.getfixturevalue(persona)).get("/schedule/").status_code == 403


def test_another_restaurants_id_is_404_and_anonymous_goes_to_login(restaurant, other_restaurant, manager_user):
    assert logged_in(manager_user).get("/schedule/", {"restaurant": other_restaurant.pk}).status_code == 404
    assert Client().get("/schedule/").status_code == 302


def test_staff_member_sees_only_their_published_shifts(restaurant, staff_user, draft):
    sam = StaffMember.objects.get(user=staff_user)  # on the team, so the engine gave Sam shifts too
    mine = set(draft.items.filter(staff=sam).values_list("pk", flat=True))
    assert mine
    client = logged_in(staff_user)
    assert list(client.get("/schedule/mine/").context["shifts"]) == []  # a draft is not shown
    schedule_publish(schedule=draft, force_check=False)
    page = client.get("/schedule/mine/")
    assert {item.pk for item in page.context["shifts"]} == mine
    assert page.content.decode().count("<tr>") == len(mine) + 1
