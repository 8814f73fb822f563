"""GET .../floor/fairness and GET/POST .../routing-settings over real HTTP with real authentication:
who may read and change them, the figures, bad input refused with nothing written."""

import pytest

from floor.exceptions import ManagerOnly
from floor.services.routing import routing_settings_set

pytestmark = pytest.mark.django_db


def fairness_url(restaurant):
    return f"/api/v1/restaurants/{restaurant.pk}/floor/fairness"


def settings_url(restaurant):
    return f"/api/v1/restaurants/{restaurant.pk}/routing-settings"


def test_a_host_reads_tonights_fairness_most_behind_first(
    host_api, restaurant, fairness_night, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = host_api.get(fairness_url(restaurant))
    assert response.status_code == 200
    body = response.json()
    assert [(s["name"], s["covers"], s["double_seats"]) for s in body["servers"]] == [
        ("Ben Ng", 2, 0),
        ("Ana Lopez", 8, 1),
    ]
    assert body["servers"][0]["behind_covers"] == pytest.approx(3.0, abs=0.1)
    assert body["gini"] == pytest.approx(0.3, abs=0.01)
    assert body["double_seats"] == 1


def test_another_restaurants_user_gets_404(outsider_api, restaurant, fairness_night):
    assert outsider_api.get(fairness_url(restaurant)).status_code == 404
    assert outsider_api.get(settings_url(restaurant)).status_code == 404


def test_a_manager_sets_the_pacing_interval_the_rotation_basis_and_lending(manager_api, restaurant):
    assert manager_api.get(settings_url(restaurant)).json() == {
        "mode": "rotation",
        "pacing_minutes": 5,
        "rotation_basis": "covers",
        "borrow_tables": True,
    }
    response = manager_api.post(
        settings_url(restaurant),
        {"pacing_minutes": 8, "rotation_basis": "turns", "borrow_tables": False},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "mode": "rotation",
        "pacing_minutes": 8,
        "rotation_basis": "turns",
        "borrow_tables": False,
    }
    restaurant.refresh_from_db()
    assert restaurant.routing_config["pacing_minutes"] == 8
    assert restaurant.routing_config["rotation_basis"] == "turns"
    assert restaurant.routing_config["borrow_tables"] is False


@pytest.mark.parametrize("persona", ["host_api", "staff_api"])
def test_only_owners_and_managers_change_the_routing_settings(request, persona, restaurant):
    client = request.getfixturevalue(persona)
    response = client.post(settings_url(restaurant), {"pacing_minutes": 9}, format="json")
    assert response.status_code == 403
    restaurant.refresh_from_db()
    assert restaurant.routing_config["pacing_minutes"] == 5


@pytest.mark.parametrize(
    "body, field",
    [
        ({"pacing_minutes": 31}, "pacing_minutes"),
        ({"pacing_minutes": -1}, "pacing_minutes"),
        ({"rotation_basis": "tips"}, "rotation_basis"),
        ({"borrow_tables": "sometimes"}, "borrow_tables"),
    ],
)
def test_bad_settings_are_a_400_naming_the_field_and_nothing_is_written(manager_api, restaurant, body, field):
    response = manager_api.post(settings_url(restaurant), body, format="json")
    assert response.status_code == 400
    assert field in str(response.json()["error"])
    restaurant.refresh_from_db()
    assert restaurant.routing_settings in ({}, None) or restaurant.routing_config["pacing_minutes"] == 5


def test_the_service_refuses_a_host_even_without_the_api(restaurant):
    with pytest.raises(ManagerOnly):
        routing_settings_set(restaurant=restaurant, role="host", changes={"pacing_minutes": 3})
