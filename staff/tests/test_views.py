"""The staff pages without a browser: who may open which, the home page's card, and pinned query counts."""

import json

import pytest

from staff.models import StaffMember, StaffRole
from staff.services.jobs import tiers_recalculate
from staff.services.llm import LLMScorer
from staff.services.metrics import period_end_for
from staff.tests.performance_setup import synthetic_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(restaurant):
    synthetic_team(restaurant, servers=8, days=20, end=period_end_for(restaurant))
    tiers_recalculate(restaurant=restaurant, period_end=period_end_for(restaurant), scorer=LLMScorer(api_key=""))


def test_the_home_page_links_the_staff_dashboard(client, manager_user):
    client.force_login(manager_user)
    html = client.get("/").content.decode()
    assert html.count('href="/staff/"') == 2  # the nav link and the home card


def test_the_team_page_lists_every_server_with_tier_reason_and_embeds_its_config(
    client, manager_user, restaurant, scored, django_assert_max_num_queries
):
    client.force_login(manager_user)
    with django_assert_max_num_queries(12):
        response = client.get("/staff/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("data-staff-id=") == 8 and "over 1" in html  # reasons: "... over 10 shifts"
    config = json.loads(html.split('id="staff-team-config" type="application/json">')[1].split("</script>")[0])
    assert config["apiBase"] == f"/api/v1/restaurants/{restaurant.pk}"
    assert sum(tier["count"] for tier in config["tiers"]) == 8
    assert "<script>" not in html  # no inline script: data travels in json_script only


def test_a_member_page_opens_for_a_manager_in_a_pinned_number_of_queries(
    client, manager_user, restaurant, scored, django_assert_max_num_queries
):
    member = StaffMember.objects.filter(restaurant=restaurant).first()
    client.force_login(manager_user)
    with django_assert_max_num_queries(16):
        response = client.get(f"/staff/{member.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rule-based: no LLM configured" in html and 'id="staff-trends"' in html


def test_staff_go_to_their_own_page_and_cannot_open_a_colleagues(client, staff_user, restaurant):
    own = StaffMember.objects.get(user=staff_user)
    colleague = StaffMember.objects.create(restaurant=restaurant, name="Colleague", role=StaffRole.SERVER)
    client.force_login(staff_user)
    response = client.get("/staff/")
    assert response.status_code == 302 and response.url == f"/staff/{own.pk}/"
    assert client.get(f"/staff/{own.pk}/").status_code == 200
    assert client.get(f"/staff/{colleague.pk}/").status_code == 403


def test_hosts_have_no_team_page_and_outsiders_see_nothing_of_ours(
    client, host_user, outsider_user, restaurant, other_restaurant
):
    member = StaffMember.objects.create(restaurant=restaurant, name="Ours", role=StaffRole.SERVER)
    client.force_login(host_user)
    assert client.get("/staff/").status_code == 403
    assert client.get(f"/staff/{member.pk}/").status_code == 403
    client.force_login(outsider_user)
    assert client.get(f"/staff/{member.pk}/").status_code == 404
    assert client.get(f"/staff/?restaurant={restaurant.pk}").status_code == 404
    assert client.get("/staff/").status_code == 200  # their own restaurant's team


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/staff/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
