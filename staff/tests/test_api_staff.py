"""Staff over the API: roles, filters, read-only tiers, pay rates for managers only, history-safe deletes."""

from decimal import Decimal

import pytest

from staff.models import StaffMember, Tier
from staff.tests.factories import ShiftFactory, StaffMemberFactory


@pytest.fixture
def base(restaurant) -> str:
    return f"/api/v1/restaurants/{restaurant.pk}/staff"


@pytest.mark.django_db
def test_a_manager_adds_a_staff_member_and_sees_the_pay_rate(manager_api, base, restaurant):
    response = manager_api.post(base + "/", {"name": "Ana Lopez", "role": "bartender", "hourly_rate": "17.25"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["role"] == "bartender"
    assert body["hourly_rate"] == "17.25"
    assert body["tier"] == "standard"
    assert body["is_performance_tracked"] is True
    assert StaffMember.objects.get(pk=body["id"]).restaurant == restaurant


@pytest.mark.django_db
def test_tiers_are_read_only_through_a_plain_edit(manager_api, base, restaurant):
    member = StaffMemberFactory(restaurant=restaurant)
    response = manager_api.patch(f"{base}/{member.pk}/", {"tier": "strong", "tier_score": 3.0, "name": "New Name"})
    assert response.status_code == 200
    member.refresh_from_db()
    assert (member.tier, member.tier_score, member.name) == (Tier.STANDARD, None, "New Name")


@pytest.mark.django_db
@pytest.mark.parametrize("caller", ["host_api", "staff_api"])
def test_colleagues_read_staff_without_pay_rates(request, caller, base, restaurant):
    StaffMemberFactory(restaurant=restaurant, name="Ana", hourly_rate=Decimal("22.00"))
    rows = request.getfixturevalue(caller).get(base + "/").json()["results"]
    assert rows and all("hourly_rate" not in row for row in rows)
    assert {"id", "name", "role", "active", "tier"} <= set(rows[0])


@pytest.mark.django_db
def test_staff_filter_by_role_and_active(manager_api, base, restaurant):
    StaffMemberFactory(restaurant=restaurant, name="Ben", role="server")
    StaffMemberFactory(restaurant=restaurant, name="Cal", role="busser")
    StaffMemberFactory(restaurant=restaurant, name="Dee", role="server", active=False)
    names = [row["name"] for row in manager_api.get(base + "/?role=server&active=true").json()["results"]]
    assert names == ["Ben"]
    bad = manager_api.get(base + "/?role=chef")
    assert bad.status_code == 400 and "role" in bad.json()["error"]["details"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [({"role": "chef"}, "role"), ({"hourly_rate": "-3"}, "hourly_rate"), ({"email": "nope"}, "email")],
)
def test_invalid_staff_input_is_a_400_naming_the_field(manager_api, base, payload, field):
    response = manager_api.post(base + "/", {"name": "X", **payload})
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    assert not StaffMember.objects.exists()


@pytest.mark.django_db
def test_a_staff_member_with_worked_shifts_is_deactivated_not_deleted(manager_api, base, restaurant):
    worked = StaffMemberFactory(restaurant=restaurant)
    ShiftFactory(staff=worked)
    response = manager_api.delete(f"{base}/{worked.pk}/")
    assert response.status_code == 409
    assert "deactivate" in response.json()["error"]["message"]
    assert StaffMember.objects.filter(pk=worked.pk).exists()
    fresh = StaffMemberFactory(restaurant=restaurant)
    assert manager_api.delete(f"{base}/{fresh.pk}/").status_code == 204


@pytest.mark.django_db
def test_listing_staff_costs_the_same_queries_for_many_members(
    manager_api, base, restaurant, django_assert_max_num_queries
):
    for index in range(25):
        StaffMemberFactory(restaurant=restaurant, name=f"Person {index}")
    with django_assert_max_num_queries(6):  # session, user, restaurant, membership, count, page
        response = manager_api.get(base + "/")
    assert response.json()["count"] == 25
