"""The routing mode, `GET .../floor` and the waitlist over the API: who may switch the mode, what the
floor answers and in how many queries, and the waitlist's personas and errors."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from floor.api import host_stand_serializers
from floor.models import WaitlistEntry, WaitlistStatus
from floor.selectors import floor_board
from floor.services.seating import table_seat
from floor.tests.factories import WaitlistEntryFactory
from floor.tests.floor_setup import busy_floor, error, queries_to_get, seated, server_on_floor
from restaurant.models import Restaurant, RoutingMode
from restaurant.tests.factories import MembershipFactory
from staff.models import StaffRole
from staff.tests.factories import ShiftFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


# --- Mode --------------------------------------------------------------------------------------------------


def test_a_manager_switches_the_routing_mode(manager_api, base, restaurant):
    response = manager_api.post(f"{base}/mode", {"mode": "balanced"})

    assert response.status_code == 200
    assert response.json() == {"mode": "balanced"}
    restaurant.refresh_from_db()
    assert restaurant.routing_mode == RoutingMode.BALANCED


def test_only_owners_and_managers_switch_the_mode(base, restaurant, host_api, staff_api, outsider_api, key_api):
    for api, expected in ((host_api, 403), (staff_api, 403), (outsider_api, 404), (key_api, 403)):
        assert api.post(f"{base}/mode", {"mode": "performance"}).status_code == expected
    restaurant.refresh_from_db()
    assert restaurant.routing_mode == RoutingMode.ROTATION


def test_an_unknown_mode_is_a_400_naming_the_field(manager_api, base):
    response = manager_api.post(f"{base}/mode", {"mode": "random"})

    assert response.status_code == 400
    assert "mode" in error(response)["details"]
    assert Restaurant.objects.get().routing_mode == RoutingMode.ROTATION


# --- Floor status ------------------------------------------------------------------------------------------


def test_the_floor_shows_tables_servers_in_rotation_order_and_the_waitlist(
    host_api, base, restaurant, main, table, ana
):
    ben = StaffMemberFactory(restaurant=restaurant, name="Ben Okafor")
    ShiftFactory(staff=ben, section=main, clock_in=timezone.now() - timedelta(hours=2))
    cara = server_on_floor(restaurant, on_break=True)
    idle = StaffMemberFactory(restaurant=restaurant, name="Dee Idle")
    host = StaffMemberFactory(restaurant=restaurant, name="Hal Host", role=StaffRole.HOST)
    ShiftFactory(staff=host)
    seated(restaurant, table, ana, party_size=3)
    WaitlistEntryFactory(restaurant=restaurant, party_name="Smith", party_size=2)
    WaitlistEntryFactory(restaurant=restaurant, party_name="Jones", party_size=4)

    response = host_api.get(f"{base}/floor")

    assert response.status_code == 200, response.content
    body = response.json()
    (row,) = body["tables"]
    assert {"id", "label", "state", "server_id", "party_size", "minutes_seated"} <= set(row)
    assert (row["id"], row["label"], row["state"], row["server_id"], row["party_size"]) == (
        table.pk,
        "12",
        "occupied",
        ana.pk,
        3,
    )
    assert (row["server_initials"], row["minutes_seated"], row["allowed_states"]) == ("AL", 0, ["dirty"])
    # Ben was never seated this shift: he is next; Ana was just seated; Cara is on break.
    assert [(s["id"], s["rotation_position"]) for s in body["servers"]] == [(ben.pk, 1), (ana.pk, 2), (cara.pk, None)]
    assert body["servers"][1]["active_covers"] == 3
    assert body["servers"][1]["last_seated_at"] is not None
    assert body["servers"][2]["on_break"] is True
    assert [s["id"] for s in body["off_floor"]] == [idle.pk]
    assert body["support_staff"] == [{"id": host.pk, "name": "Hal Host", "role": "host", "on_break": False}]
    assert [(w["party_name"], w["position"]) for w in body["waitlist"]] == [("Smith", 1), ("Jones", 2)]
    assert body["waitlist"][0]["live_wait_minutes"] is not None
    assert body["waitlist_summary"]["covers_waiting"] == 6
    assert body["sections"] == [{"id": main.pk, "name": "Main", "color": "#336699"}]
    assert body["mode"] == "rotation"


def test_staff_and_keys_read_the_floor_outsiders_get_a_404(
    base, table, staff_api, outsider_api, make_key_api, restaurant
):
    assert staff_api.get(f"{base}/floor").status_code == 200
    assert make_key_api(restaurant, scopes=["camera"], name="Cameras").get(f"{base}/floor").status_code == 200
    assert outsider_api.get(f"{base}/floor").status_code == 404


def test_the_floor_costs_the_same_queries_for_10_or_60_tables(host_api, host_user, restaurant, other_restaurant):
    MembershipFactory(user=host_user, restaurant=other_restaurant, role="host")
    busy_floor(restaurant, tables=10, servers=3)
    busy_floor(other_restaurant, tables=60, servers=15)

    small = queries_to_get(host_api, f"/api/v1/restaurants/{restaurant.pk}/floor")
    large = queries_to_get(host_api, f"/api/v1/restaurants/{other_restaurant.pk}/floor")

    assert small == large
    assert small <= 25


# --- Waitlist ----------------------------------------------------------------------------------------------


def test_a_host_adds_a_party_and_gets_its_position_and_quote(host_api, base, restaurant, table, ana):
    WaitlistEntryFactory(restaurant=restaurant, party_name="Ahead", party_size=2)

    response = host_api.post(
        f"{base}/waitlist",
        {"party_name": "Garcia", "party_size": 4, "phone": "+1 555 0100", "preferences": {"feature": "booth"}},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["party_name"], body["party_size"], body["position"], body["status"]) == ("Garcia", 4, 2, "waiting")
    assert body["quoted_wait_minutes"] is not None and body["quoted_wait_minutes"] >= 0
    assert body["preferences"] == {"feature": "booth"}
    assert WaitlistEntry.objects.get(pk=body["id"]).quoted_wait_minutes == body["quoted_wait_minutes"]


def test_adding_the_same_party_twice_gives_back_the_first_entry(host_api, base, table):
    party = {"party_name": "Garcia", "party_size": 4}

    first = host_api.post(f"{base}/waitlist", party)
    again = host_api.post(f"{base}/waitlist", party)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert WaitlistEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"party_size": 2}, "party_name"),
        ({"party_name": "  ", "party_size": 2}, "party_name"),
        ({"party_name": "A", "party_size": 0}, "party_size"),
        ({"party_name": "A", "party_size": 2, "phone": "call me"}, "phone"),
        ({"party_name": "A", "party_size": 2, "preferences": {"feature": "hot tub"}}, "preferences.feature"),
        ({"party_name": "A", "party_size": 40}, "party_size"),  # no table or group seats 40
    ],
)
def test_bad_waitlist_input_is_a_400_naming_the_field_and_adds_nothing(host_api, base, table, body, field):
    response = host_api.post(f"{base}/waitlist", body, format="json")

    assert response.status_code == 400, response.content
    assert field in error(response)["details"]
    assert WaitlistEntry.objects.count() == 0


def test_the_waitlist_lists_open_parties_in_order_with_positions(host_api, staff_api, base, restaurant, table):
    now = timezone.now()
    later = WaitlistEntryFactory(restaurant=restaurant, party_name="Later", added_at=now - timedelta(minutes=5))
    first = WaitlistEntryFactory(restaurant=restaurant, party_name="First", added_at=now - timedelta(minutes=20))
    WaitlistEntryFactory(restaurant=restaurant, party_name="Gone", status=WaitlistStatus.CANCELLED)

    response = host_api.get(f"{base}/waitlist")

    assert response.status_code == 200
    assert [(row["id"], row["position"], row["minutes_waiting"]) for row in response.json()] == [
        (first.pk, 1, 20),
        (later.pk, 2, 5),
    ]
    assert staff_api.get(f"{base}/waitlist").status_code == 200


def test_notify_cancel_and_no_show_follow_the_status_rules(host_api, base, restaurant):
    entry = WaitlistEntryFactory(restaurant=restaurant)
    url = f"{base}/waitlist/{entry.pk}"

    notified = host_api.post(f"{url}/notify")
    assert notified.status_code == 200
    assert notified.json()["status"] == "notified" and notified.json()["notified_at"]
    assert host_api.post(f"{url}/notify").status_code == 200  # again: no change

    assert host_api.post(f"{url}/no-show").json()["status"] == "no_show"
    cancelled = host_api.post(f"{url}/cancel")
    assert cancelled.status_code == 409
    assert cancelled.json()["error"]["code"] == "waitlist_entry_closed"
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.NO_SHOW


def test_waitlist_changes_for_other_restaurants_and_read_only_roles_are_refused(
    base, restaurant, other_restaurant, host_api, staff_api, outsider_api
):
    mine = WaitlistEntryFactory(restaurant=restaurant)
    theirs = WaitlistEntryFactory(restaurant=other_restaurant)

    assert host_api.post(f"{base}/waitlist/{theirs.pk}/cancel").status_code == 404
    assert outsider_api.post(f"{base}/waitlist/{mine.pk}/cancel").status_code == 404
    assert staff_api.post(f"{base}/waitlist/{mine.pk}/cancel").status_code == 403
    assert staff_api.post(f"{base}/waitlist", {"party_name": "A", "party_size": 2}).status_code == 403
    assert WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING).count() == 2


def test_the_floor_rows_serialize_exactly_as_drf_would(restaurant, main, ana, table, window, monkeypatch):
    # RowSerializer skips DRF's per-field lookups for the board's long lists; whatever fields are added to
    # them, the payload must stay what DRF's own to_representation gives.
    seated(restaurant, table, ana)
    seat_together_service = table_seat(
        restaurant=restaurant, table=window[0], joined_tables=window[1:], party_size=10, server=ana
    )
    WaitlistEntryFactory(restaurant=restaurant, party_size=2, preferences={"feature": "booth"})
    ShiftFactory(staff=StaffMemberFactory(restaurant=restaurant, role=StaffRole.HOST), role=StaffRole.HOST)
    board = floor_board(restaurant=restaurant)

    fast = host_stand_serializers.FloorSerializer(board).data
    monkeypatch.setattr(
        host_stand_serializers.RowSerializer, "to_representation", serializers.Serializer.to_representation
    )
    drf = host_stand_serializers.FloorSerializer(board).data

    assert seat_together_service.pk and fast["support_staff"] and fast["waitlist"]
    assert fast == drf
