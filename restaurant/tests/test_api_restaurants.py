"""/api/v1/restaurants/: the caller's restaurants, and settings changes by their managers."""

import pytest

from floor.engine.floor import RoutingConfig
from restaurant.api.serializers import RoutingSettingsSerializer
from restaurant.models import default_routing_settings
from restaurant.tests.factories import MembershipFactory, RestaurantFactory


def detail(restaurant) -> str:
    return f"/api/v1/restaurants/{restaurant.pk}/"


@pytest.mark.django_db
def test_a_user_lists_every_restaurant_they_belong_to_and_no_other(manager_user, manager_api, restaurant):
    second = RestaurantFactory(name="Annex")
    MembershipFactory(user=manager_user, restaurant=second, role="host")
    RestaurantFactory(name="Unrelated")
    rows = manager_api.get("/api/v1/restaurants/").json()["results"]
    assert [row["name"] for row in rows] == ["Annex", "Home Bistro"]


@pytest.mark.django_db
def test_a_manager_changes_settings_and_clean_normalises_them(manager_api, restaurant):
    response = manager_api.patch(
        detail(restaurant),
        {
            "name": "Home Bistro & Bar",
            "timezone": "Europe/Paris",
            "currency": "eur",
            "opening_hours": {"mon": None, "tue": {"open": "10:00", "close": "22:00"}},
            "day_parts": [{"key": "brunch", "name": "Brunch", "start": "10:00", "end": "14:00"}],
            "routing_settings": {
                "double_seat_window_minutes": 10,
                "tables_by_tier": {"strong": 6},
                "borrow_tables": False,
            },
        },
    )
    assert response.status_code == 200, response.content
    restaurant.refresh_from_db()
    assert restaurant.currency == "EUR"
    assert restaurant.timezone == "Europe/Paris"
    assert restaurant.opening_hours == {"mon": None, "tue": {"open": "10:00", "close": "22:00"}}
    assert restaurant.day_part_keys() == ["brunch"]
    assert restaurant.routing_config["double_seat_window_minutes"] == 10
    assert restaurant.routing_config["borrow_tables"] is False
    assert RoutingConfig.from_settings(restaurant.routing_config).table_capacity("strong") == 6
    assert RoutingConfig.from_settings(restaurant.routing_config).table_capacity("standard") == 4
    assert response.json()["currency"] == "EUR"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("timezone", "Mars/Olympus"),
        ("currency", "EURO"),
        ("opening_hours", {"someday": {"open": "10:00", "close": "12:00"}}),
        ("opening_hours", {"mon": {"open": "25:99", "close": "12:00"}}),
        ("opening_hours", {"mon": "all day"}),
        ("day_parts", [{"key": "late", "start": "23:00", "end": "22:00"}]),
        ("day_parts", [{"key": "a", "start": "10:00", "end": "11:00"}, {"key": "a", "start": "12:00", "end": "13:00"}]),
        ("day_parts", 5),
        ("routing_settings", {"bogus": 1}),
        ("routing_settings", {"large_party_size": 0}),
        ("routing_settings", "fast"),
        ("routing_settings", {"tables_by_tier": {"legendary": 9}}),
        ("routing_settings", {"tables_by_tier": {"strong": 0}}),
        ("routing_settings", {"borrow_penalty": -5}),
        ("name", ""),
    ],
)
def test_invalid_settings_are_a_400_naming_the_field_and_change_nothing(manager_api, restaurant, field, value):
    before = manager_api.get(detail(restaurant)).json()
    response = manager_api.patch(detail(restaurant), {field: value})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["details"]
    assert error["message"].startswith(f"{field}:")
    assert manager_api.get(detail(restaurant)).json() == before


@pytest.mark.django_db
def test_routing_mode_is_read_only_here(manager_api, restaurant):
    response = manager_api.patch(detail(restaurant), {"routing_mode": "performance"})
    assert response.status_code == 200
    restaurant.refresh_from_db()
    assert restaurant.routing_mode == "rotation"


@pytest.mark.django_db
@pytest.mark.parametrize("caller", ["host_api", "staff_api", "key_api"])
def test_hosts_staff_and_keys_cannot_change_settings(request, caller, restaurant):
    client = request.getfixturevalue(caller)
    assert client.get(detail(restaurant)).status_code == 200
    response = client.patch(detail(restaurant), {"name": "Hijacked"})
    assert response.status_code == 403
    restaurant.refresh_from_db()
    assert restaurant.name == "Home Bistro"


@pytest.mark.django_db
def test_restaurants_are_neither_created_nor_deleted_nor_replaced_through_the_api(manager_api, restaurant):
    assert manager_api.post("/api/v1/restaurants/", {"name": "New"}).status_code == 405
    assert manager_api.delete(detail(restaurant)).status_code == 405
    response = manager_api.put(detail(restaurant), {"name": "Replaced"})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_routing_settings_input_covers_every_known_setting():
    # A new routing setting in the model must be accepted by the API too.
    assert set(RoutingSettingsSerializer().fields) == set(default_routing_settings())


@pytest.mark.django_db
def test_listing_restaurants_costs_a_fixed_number_of_queries(manager_user, manager_api, django_assert_max_num_queries):
    for index in range(5):
        MembershipFactory(user=manager_user, restaurant=RestaurantFactory(name=f"R{index}"))
    with django_assert_max_num_queries(4):  # session, user, count, page
        response = manager_api.get("/api/v1/restaurants/")
    assert response.json()["count"] == 6
