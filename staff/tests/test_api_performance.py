"""The performance endpoints over real HTTP authentication, persona by persona: the waiter dashboard paths,
recalculate-tiers and its job, the team, the tier lock. Another restaurant's objects are 404s."""

from datetime import timedelta

import pytest

from staff.models import StaffMember, StaffRole, Tier, TierHistory, TierJob
from staff.services.jobs import tiers_recalculate
from staff.services.llm import LLMScorer
from staff.services.metrics import period_end_for
from staff.tests.performance_setup import Floor, synthetic_team

pytestmark = pytest.mark.django_db

WAITER_PARTS = ["stats", "trends", "insights", "shifts", "dashboard"]


@pytest.fixture
def sam(staff_user):
    return StaffMember.objects.get(user=staff_user)


@pytest.fixture
def colleague(restaurant):
    return StaffMember.objects.create(restaurant=restaurant, name="Cole League", role=StaffRole.SERVER)


@pytest.fixture
def rival_waiter(other_restaurant):
    return StaffMember.objects.create(restaurant=other_restaurant, name="Rival", role=StaffRole.SERVER)


@pytest.fixture
def scored(restaurant, sam):
    """A month of work for Sam and a synthetic team, tiers computed (rules)."""
    end = period_end_for(restaurant)
    synthetic_team(restaurant, servers=5, days=30, end=end)
    floor = Floor(restaurant)
    for day in range(1, 20, 3):
        start = end - timedelta(days=day, hours=-17)
        floor.shift(sam, start, 5)
        floor.visit(sam, start, party=2, minutes=60, subtotal="90", tip="17", items=[("alcohol", 2, 10)])
    tiers_recalculate(restaurant=restaurant, period_end=end, scorer=LLMScorer(api_key=""))
    return sam


@pytest.mark.parametrize("part", WAITER_PARTS)
def test_managers_owners_and_keys_read_any_waiter(part, scored, manager_api, owner_api, key_api):
    for client in (manager_api, owner_api, key_api):
        response = client.get(f"/api/v1/waiters/{scored.pk}/{part}")
        assert response.status_code == 200, (part, response.content)


@pytest.mark.parametrize("part", WAITER_PARTS)
def test_a_staff_member_reads_their_own_waiter_pages_only(part, scored, staff_api, colleague):
    assert staff_api.get(f"/api/v1/waiters/{scored.pk}/{part}").status_code == 200
    response = staff_api.get(f"/api/v1/waiters/{colleague.pk}/{part}")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("part", WAITER_PARTS)
def test_hosts_get_403_other_restaurants_404_and_strangers_401(
    part, sam, host_api, outsider_api, api_client, rival_waiter, manager_api
):
    assert host_api.get(f"/api/v1/waiters/{sam.pk}/{part}").status_code == 403
    assert outsider_api.get(f"/api/v1/waiters/{sam.pk}/{part}").status_code == 404
    assert manager_api.get(f"/api/v1/waiters/{rival_waiter.pk}/{part}").status_code == 404
    assert manager_api.get(f"/api/v1/waiters/999999/{part}").status_code == 404
    assert api_client.get(f"/api/v1/waiters/{sam.pk}/{part}").status_code == 401


def test_the_dashboard_answers_everything_in_one_call_in_a_pinned_number_of_queries(
    scored, manager_api, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        response = manager_api.get(f"/api/v1/waiters/{scored.pk}/dashboard")
    data = response.json()
    assert {"stats", "trends", "insights", "shifts", "tier", "waiter"} <= set(data)
    assert len(data["trends"]) == 6 and data["trends"][-1]["month"] == data["stats"]["period_start"][:7]
    assert sum(point["covers"] for point in data["trends"]) >= 12
    assert data["insights"]["source"] == "rules" and data["insights"]["fallback_reason"].startswith("no LLM")
    assert data["shifts"][0]["covers"] == 2 and data["shifts"][0]["tables"] == 1
    assert data["tier"]["tier"] in Tier.values and data["tier"]["reason"] and data["tier"]["history"]


def test_insights_before_the_first_job_are_204(sam, manager_api):
    assert manager_api.get(f"/api/v1/waiters/{sam.pk}/insights").status_code == 204


def test_recalculate_tiers_is_202_with_the_job_and_a_second_call_answers_the_same_job(
    restaurant, manager_api, owner_api, make_key_api
):
    url = f"/api/v1/restaurants/{restaurant.pk}/recalculate-tiers"
    first = manager_api.post(url)
    assert first.status_code == 202
    job = first.json()
    assert job["status"] == "pending" and job["trigger"] == "manual" and job["percent"] == 0
    second = owner_api.post(url)
    assert second.status_code == 202 and second.json()["id"] == job["id"]
    assert make_key_api(restaurant, scopes=["frontend"]).post(url).json()["id"] == job["id"]
    assert TierJob.objects.count() == 1
    polled = manager_api.get(f"/api/v1/restaurants/{restaurant.pk}/tier-jobs/{job['id']}")
    assert polled.status_code == 200 and polled.json()["id"] == job["id"]


def test_recalculate_tiers_is_refused_to_hosts_staff_pos_keys_and_other_restaurants(
    restaurant, host_api, staff_api, outsider_api, make_key_api, api_client
):
    url = f"/api/v1/restaurants/{restaurant.pk}/recalculate-tiers"
    assert host_api.post(url).status_code == 403
    assert staff_api.post(url).status_code == 403
    assert make_key_api(restaurant, scopes=["pos"]).post(url).status_code == 403
    assert outsider_api.post(url).status_code == 404
    assert api_client.post(url).status_code == 401
    assert not TierJob.objects.exists()


def test_another_restaurants_job_is_a_404(restaurant, other_restaurant, manager_api, outsider_api):
    job = TierJob.objects.create(restaurant=other_restaurant, period_end=period_end_for(other_restaurant))
    assert manager_api.get(f"/api/v1/restaurants/{restaurant.pk}/tier-jobs/{job.pk}").status_code == 404
    assert outsider_api.get(f"/api/v1/restaurants/{other_restaurant.pk}/tier-jobs/{job.pk}").status_code == 200
    assert outsider_api.get(f"/api/v1/restaurants/{restaurant.pk}/tier-jobs/{job.pk}").status_code == 404


def test_the_team_is_for_managers_and_keys_with_a_pinned_query_count(
    restaurant, scored, manager_api, key_api, host_api, staff_api, outsider_api, django_assert_max_num_queries
):
    url = f"/api/v1/restaurants/{restaurant.pk}/team-performance"
    with django_assert_max_num_queries(10):
        response = manager_api.get(url)
    data = response.json()
    assert len(data["members"]) == 6 and sum(data["tiers"].values()) == 6
    assert data["latest_job"] is None and data["period_end"]
    row = next(member for member in data["members"] if member["id"] == scored.pk)
    assert row["covers"] == 14 and row["tier_reason"]
    assert key_api.get(url).status_code == 200
    assert host_api.get(url).status_code == 403 and staff_api.get(url).status_code == 403
    assert outsider_api.get(url).status_code == 404


def test_a_manager_locks_and_unlocks_a_tier_with_history(restaurant, sam, manager_api, manager_user):
    url = f"/api/v1/restaurants/{restaurant.pk}/staff/{sam.pk}/tier"
    response = manager_api.post(url, {"tier": "strong"})
    assert response.status_code == 200 and response.json()["tier"] == "strong" and response.json()["tier_locked"]
    assert manager_api.post(url, {"tier": "strong"}).status_code == 200  # the same again: no second history row
    assert TierHistory.objects.filter(staff=sam).count() == 1
    assert TierHistory.objects.get(staff=sam).changed_by == manager_user
    unlocked = manager_api.post(url, {"tier": "strong", "locked": False}).json()
    assert unlocked["tier_locked"] is False and TierHistory.objects.filter(staff=sam).count() == 2


def test_a_bad_tier_is_a_400_naming_the_field_and_writes_nothing(restaurant, sam, manager_api):
    url = f"/api/v1/restaurants/{restaurant.pk}/staff/{sam.pk}/tier"
    response = manager_api.post(url, {"tier": "legendary"})
    assert response.status_code == 400 and "tier" in response.json()["error"]["details"]
    busser = StaffMember.objects.create(restaurant=restaurant, name="Bo", role=StaffRole.BUSSER)
    response = manager_api.post(f"/api/v1/restaurants/{restaurant.pk}/staff/{busser.pk}/tier", {"tier": "strong"})
    assert response.status_code == 400 and response.json()["error"]["details"]["field"] == "tier"
    sam.refresh_from_db()
    assert (sam.tier, sam.tier_locked) == (Tier.STANDARD, False) and not TierHistory.objects.exists()


def test_the_tier_lock_is_refused_to_hosts_staff_keys_and_other_restaurants(
    restaurant, sam, rival_waiter, host_api, staff_api, key_api, manager_api, outsider_api
):
    url = f"/api/v1/restaurants/{restaurant.pk}/staff/{sam.pk}/tier"
    for client in (host_api, staff_api, key_api):
        assert client.post(url, {"tier": "strong"}).status_code == 403
    assert outsider_api.post(url, {"tier": "strong"}).status_code == 404
    rival = f"/api/v1/restaurants/{restaurant.pk}/staff/{rival_waiter.pk}/tier"
    assert manager_api.post(rival, {"tier": "strong"}).status_code == 404
    assert not TierHistory.objects.exists()
