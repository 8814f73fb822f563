"""The host stand over the API: seating, table states, clearing and bussing, closing visits, the routing
mode, the floor status and the waitlist; each with its personas, its errors in the one shape, and
nothing written when it refuses."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from floor.models import StateSource, Table, TableState, TableStateChange, Visit, WaitlistEntry, WaitlistStatus
from floor.services.seating import table_seat
from floor.tests.factories import SectionFactory, TableFactory, VisitFactory, WaitlistEntryFactory
from floor.tests.floor_setup import busy_floor, queries_to_get, server_on_floor
from restaurant.models import Restaurant, RoutingMode
from restaurant.tests.factories import MembershipFactory
from staff.models import ShiftBreak, StaffRole
from staff.tests.factories import ShiftFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(main):
    return TableFactory(section=main, label="12", min_seats=2, max_seats=4)


def seated(restaurant, table, server, party_size=3):
    return table_seat(restaurant=restaurant, table=table, party_size=party_size, server=server)


def error(response) -> dict:
    return response.json()["error"]


# --- Seating -----------------------------------------------------------------------------------------------


def test_a_host_seats_a_party_and_gets_the_visit(host_api, base, restaurant, table, ana):
    entry = WaitlistEntryFactory(restaurant=restaurant, party_size=3)

    response = host_api.post(
        f"{base}/tables/{table.pk}/seat", {"party_size": 3, "server_id": ana.pk, "waitlist_entry_id": entry.pk}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    visit = Visit.objects.get()
    assert body["id"] == visit.pk
    assert (body["table_id"], body["server_id"], body["party_size"]) == (table.pk, ana.pk, 3)
    assert (body["table_label"], body["server_name"], body["waitlist_entry_id"]) == ("12", "Ana Lopez", entry.pk)
    assert body["seated_at"] and body["closed_at"] is None
    table.refresh_from_db()
    entry.refresh_from_db()
    assert table.state == TableState.OCCUPIED
    assert entry.status == WaitlistStatus.SEATED
    assert TableStateChange.objects.get(to_state=TableState.OCCUPIED).source == StateSource.HOST


def test_seating_a_taken_table_is_a_409_and_opens_no_second_visit(host_api, base, restaurant, table, ana):
    seated(restaurant, table, ana)

    response = host_api.post(f"{base}/tables/{table.pk}/seat", {"party_size": 2, "server_id": ana.pk})

    assert response.status_code == 409
    assert error(response)["code"] == "table_taken"
    assert error(response)["details"]["current_state"] == "occupied"
    assert Visit.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"server_id": "ANA"}, "party_size"),
        ({"party_size": 0}, "party_size"),
        ({"party_size": 9}, "party_size"),  # does not fit a 2-4 table
        ({"party_size": 2, "server_id": 999999}, "server_id"),
        ({"party_size": 2, "waitlist_entry_id": 999999}, "waitlist_entry_id"),
        ({"party_size": 2, "routing_decision_id": 999999}, "routing_decision_id"),
        ({"party_size": 2, "allow_misfit": "maybe"}, "allow_misfit"),
    ],
)
def test_bad_seating_input_is_a_400_naming_the_field_and_writes_nothing(host_api, base, table, ana, body, field):
    body.setdefault("server_id", ana.pk)

    response = host_api.post(f"{base}/tables/{table.pk}/seat", body, format="json")

    assert response.status_code == 400, response.content
    assert field in error(response)["details"]
    assert Visit.objects.count() == 0
    table.refresh_from_db()
    assert table.state == TableState.AVAILABLE


def test_another_restaurants_server_is_an_unknown_id(host_api, base, other_restaurant, table):
    theirs = server_on_floor(other_restaurant)

    response = host_api.post(f"{base}/tables/{table.pk}/seat", {"party_size": 2, "server_id": theirs.pk})

    assert response.status_code == 400
    assert "server_id" in error(response)["details"]


def test_a_server_on_break_cannot_be_seated_a_party(host_api, base, restaurant, table, ana):
    ShiftBreak.objects.create(shift=ana.shifts.get())

    response = host_api.post(f"{base}/tables/{table.pk}/seat", {"party_size": 2, "server_id": ana.pk})

    assert response.status_code == 409
    assert (error(response)["code"], error(response)["details"]["reason"]) == ("server_not_on_floor", "on_break")
    assert error(response)["message"] == "Ana Lopez is on break."


def test_seating_another_restaurants_table_is_a_404(host_api, base, other_restaurant, ana):
    theirs = TableFactory(section=SectionFactory(restaurant=other_restaurant))

    response = host_api.post(f"{base}/tables/{theirs.pk}/seat", {"party_size": 2, "server_id": ana.pk})

    assert response.status_code == 404
    assert error(response)["code"] == "not_found"
    assert Visit.objects.count() == 0


def test_who_may_seat(base, restaurant, main, ana, staff_api, outsider_api, manager_api, make_key_api):
    tables = [TableFactory(section=main, max_seats=4) for _ in range(4)]

    def seat(api, table):
        return api.post(f"{base}/tables/{table.pk}/seat", {"party_size": 2, "server_id": ana.pk}).status_code

    assert seat(staff_api, tables[0]) == 403
    assert seat(outsider_api, tables[0]) == 404
    assert seat(make_key_api(restaurant, scopes=["pos"], name="POS"), tables[0]) == 403
    assert Visit.objects.count() == 0
    assert seat(manager_api, tables[1]) == 201
    assert seat(make_key_api(restaurant, scopes=["frontend"]), tables[2]) == 201


# --- Tables pushed together --------------------------------------------------------------------------------


@pytest.fixture
def window(main):
    return [TableFactory(section=main, label=f"W{n}", max_seats=4, combinable_group="window") for n in (1, 2, 3)]


def seat_together(api, base, tables, server, party_size=7, **extra):
    body = {"party_size": party_size, "server_id": server.pk, "table_ids": [t.pk for t in tables], **extra}
    return api.post(f"{base}/tables/{tables[0].pk}/seat", body, format="json")


def nothing_seated(tables) -> bool:
    states = Table.objects.filter(pk__in=[t.pk for t in tables]).values_list("state", flat=True)
    return not Visit.objects.exists() and set(states) <= {TableState.AVAILABLE, TableState.DIRTY, TableState.BLOCKED}


@pytest.mark.parametrize("listed", ["all", "others"])
def test_table_ids_may_list_the_path_table_or_only_the_others(host_api, base, window, ana, listed):
    first, second, _ = window
    table_ids = [first.pk, second.pk] if listed == "all" else [second.pk]

    response = host_api.post(
        f"{base}/tables/{first.pk}/seat",
        {"party_size": 7, "server_id": ana.pk, "table_ids": table_ids},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["table_ids"] == [first.pk, second.pk]
    assert list(Table.objects.filter(state=TableState.OCCUPIED).order_by("pk").values_list("pk", flat=True)) == [
        first.pk,
        second.pk,
    ]
    assert TableStateChange.objects.filter(to_state=TableState.OCCUPIED).count() == 2


def test_bad_table_ids_are_a_400_naming_the_field_and_seat_nobody(
    host_api, base, restaurant, other_restaurant, window, ana
):
    first, second, third = window
    theirs = TableFactory(section=SectionFactory(restaurant=other_restaurant), combinable_group="window")
    bar = TableFactory(section=first.section, label="B1", combinable_group="bar")
    across = TableFactory(section=SectionFactory(restaurant=restaurant), combinable_group="window")
    Table.objects.filter(pk=third.pk).update(state=TableState.DIRTY)
    bodies = {
        "another restaurant's": [second.pk, theirs.pk],
        "unknown": [second.pk, 999999999],
        "twice": [second.pk, second.pk],
        "not a list": "W2",
        "not ids": ["W2"],
        "another group's": [second.pk, bar.pk],
        "another section's": [across.pk],
        "dirty": [second.pk, third.pk],
    }

    for case, table_ids in bodies.items():
        response = host_api.post(
            f"{base}/tables/{first.pk}/seat",
            {"party_size": 7, "server_id": ana.pk, "table_ids": table_ids},
            format="json",
        )
        assert response.status_code == 400, (case, response.content)
        assert "table_ids" in error(response)["details"], case
    assert nothing_seated([*window, bar, across])
    assert TableStateChange.objects.count() == 0


def test_a_table_another_party_sits_at_is_a_409(host_api, base, restaurant, window, ana):
    first, second, third = window
    seated(restaurant, third, ana, party_size=2)

    response = seat_together(host_api, base, [first, second, third], ana, party_size=10)

    assert response.status_code == 409
    assert (error(response)["code"], error(response)["details"]["table_id"]) == ("table_taken", third.pk)
    assert Visit.objects.count() == 1
    assert Table.objects.filter(state=TableState.OCCUPIED).get() == third


def test_a_party_too_large_for_the_tables_together_is_a_400(host_api, base, window, ana):
    response = seat_together(host_api, base, window[:2], ana, party_size=9)

    assert response.status_code == 400
    assert error(response)["details"]["party_size"] == ["A party of 9 does not fit tables W1+W2 (1-8 seats)."]
    assert nothing_seated(window)


def test_who_may_seat_tables_pushed_together(
    base, restaurant, window, ana, staff_api, outsider_api, manager_api, make_key_api
):
    pos_key = make_key_api(restaurant, scopes=["pos"], name="POS")

    assert seat_together(staff_api, base, window[:2], ana).status_code == 403
    assert seat_together(outsider_api, base, window[:2], ana).status_code == 404
    assert seat_together(pos_key, base, window[:2], ana).status_code == 403
    assert nothing_seated(window)
    assert seat_together(make_key_api(restaurant, scopes=["frontend"]), base, window[:2], ana).status_code == 201
    assert seat_together(manager_api, base, window[2:], ana, party_size=3).status_code == 201


def test_clearing_one_table_of_a_pushed_together_party_clears_them_all(host_api, base, window, ana):
    visit_id = seat_together(host_api, base, window, ana, party_size=10).json()["id"]

    response = host_api.post(f"{base}/tables/{window[2].pk}/clear")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["table"]["state"], body["closed_visit"]["id"]) == ("dirty", visit_id)
    assert body["closed_visit"]["table_ids"] == [t.pk for t in window]
    assert set(Table.objects.filter(pk__in=[t.pk for t in window]).values_list("state", flat=True)) == {"dirty"}
    bussed = host_api.post(f"{base}/tables/{window[0].pk}/bus")
    assert bussed.json()["state"] == "available"
    assert Table.objects.get(pk=window[1].pk).state == TableState.DIRTY  # bussing stays per table


def test_the_pos_closing_a_pushed_together_partys_check_dirties_every_table(make_key_api, base, window, ana, host_api):
    visit_id = seat_together(host_api, base, window[:2], ana).json()["id"]
    pos = make_key_api(window[0].restaurant, scopes=["pos"], name="POS")

    response = pos.post(f"{base}/visits/{visit_id}/close", {"subtotal": "210.00"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["table_labels"] == ["W1", "W2"]
    changes = TableStateChange.objects.filter(to_state=TableState.DIRTY)
    assert sorted((c.table_id, c.source) for c in changes) == [(window[0].pk, "pos"), (window[1].pk, "pos")]


def test_the_floor_shows_the_party_on_every_table_pushed_together(host_api, base, window, ana):
    seat_together(host_api, base, window[:2], ana, party_size=6)

    tables = {row["label"]: row for row in host_api.get(f"{base}/floor").json()["tables"]}

    for label, other in (("W1", window[1]), ("W2", window[0])):
        row = tables[label]
        assert (row["state"], row["server_id"], row["server_initials"], row["party_size"]) == (
            "occupied",
            ana.pk,
            "AL",
            6,
        )
        assert (row["minutes_seated"], row["joined_with"]) == (0, [other.pk])
    assert (tables["W3"]["joined_with"], tables["W3"]["server_id"]) == ([], None)


# --- Table states ------------------------------------------------------------------------------------------


def test_an_illegal_state_change_is_a_409_naming_the_current_and_allowed_states(host_api, base, table):
    table.state = TableState.DIRTY
    table.save()

    response = host_api.post(f"{base}/tables/{table.pk}/state", {"state": "reserved"})

    assert response.status_code == 409
    details = error(response)["details"]
    assert details["current_state"] == "dirty"
    assert details["allowed_states"] == ["available", "blocked"]
    assert "dirty" in error(response)["message"]
    table.refresh_from_db()
    assert table.state == TableState.DIRTY


def test_a_host_reserves_a_table_and_the_change_is_recorded(host_api, base, table, host_user):
    response = host_api.post(f"{base}/tables/{table.pk}/state", {"state": "reserved", "note": "Smith 8pm"})

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "reserved"
    assert response.json()["allowed_states"] == ["available", "blocked"]
    change = TableStateChange.objects.get()
    assert (change.from_state, change.to_state, change.source, change.actor, change.note) == (
        "available",
        "reserved",
        "host",
        host_user,
        "Smith 8pm",
    )


def test_the_same_state_again_changes_nothing(host_api, base, table):
    response = host_api.post(f"{base}/tables/{table.pk}/state", {"state": "available"})

    assert response.status_code == 200
    assert TableStateChange.objects.count() == 0


def test_occupied_comes_only_from_seating(host_api, base, table):
    response = host_api.post(f"{base}/tables/{table.pk}/state", {"state": "occupied"})

    assert response.status_code == 409
    assert "seat a party" in error(response)["message"]


@pytest.mark.parametrize(
    ("body", "field"), [({}, "state"), ({"state": "on fire"}, "state"), ({"state": "dirty", "note": "x" * 201}, "note")]
)
def test_bad_state_input_is_a_400_naming_the_field(host_api, base, table, body, field):
    response = host_api.post(f"{base}/tables/{table.pk}/state", body)

    assert response.status_code == 400
    assert field in error(response)["details"]
    assert TableStateChange.objects.count() == 0


def test_only_managers_block_and_unblock_tables(host_api, manager_api, base, table, make_key_api, restaurant):
    assert host_api.post(f"{base}/tables/{table.pk}/state", {"state": "blocked"}).status_code == 403
    assert (
        make_key_api(restaurant, scopes=["pos", "frontend"])
        .post(f"{base}/tables/{table.pk}/state", {"state": "blocked"})
        .status_code
        == 403
    )
    table.refresh_from_db()
    assert table.state == TableState.AVAILABLE

    assert manager_api.post(f"{base}/tables/{table.pk}/state", {"state": "blocked"}).status_code == 200
    assert host_api.post(f"{base}/tables/{table.pk}/state", {"state": "available"}).status_code == 403
    assert manager_api.post(f"{base}/tables/{table.pk}/state", {"state": "available"}).status_code == 200


def test_a_pos_key_marks_a_table_dirty_and_the_history_says_pos(make_key_api, base, restaurant, table, ana):
    visit = seated(restaurant, table, ana)
    pos = make_key_api(restaurant, scopes=["pos"], name="POS")

    response = pos.post(f"{base}/tables/{table.pk}/state", {"state": "dirty"})

    assert response.status_code == 200
    visit.refresh_from_db()
    assert visit.closed_at is not None
    change = TableStateChange.objects.filter(to_state=TableState.DIRTY).get()
    assert (change.source, change.actor) == (StateSource.POS, None)


def test_staff_and_keys_without_a_write_scope_may_not_change_states(staff_api, make_key_api, base, restaurant, table):
    camera = make_key_api(restaurant, scopes=["camera"], name="Cameras")
    assert staff_api.post(f"{base}/tables/{table.pk}/state", {"state": "reserved"}).status_code == 403
    assert camera.post(f"{base}/tables/{table.pk}/state", {"state": "reserved"}).status_code == 403
    assert TableStateChange.objects.count() == 0


# --- Clearing, bussing, closing ----------------------------------------------------------------------------


def test_clearing_closes_the_visit_and_leaves_the_table_dirty_then_bussing_frees_it(
    host_api, base, restaurant, table, ana
):
    visit = seated(restaurant, table, ana)

    cleared = host_api.post(f"{base}/tables/{table.pk}/clear")

    assert cleared.status_code == 200, cleared.content
    assert cleared.json()["table"]["state"] == "dirty"
    assert cleared.json()["closed_visit"]["id"] == visit.pk
    assert cleared.json()["closed_visit"]["closed_at"] is not None

    again = host_api.post(f"{base}/tables/{table.pk}/clear")
    assert again.status_code == 200
    assert again.json()["closed_visit"] is None

    bussed = host_api.post(f"{base}/tables/{table.pk}/bus")
    assert bussed.status_code == 200
    assert bussed.json()["state"] == "available"
    assert host_api.post(f"{base}/tables/{table.pk}/bus").status_code == 200  # already available: no change
    assert TableStateChange.objects.filter(to_state=TableState.AVAILABLE).count() == 1


def test_clearing_a_table_nobody_sits_at_is_a_409(host_api, base, table):
    response = host_api.post(f"{base}/tables/{table.pk}/clear")

    assert response.status_code == 409
    assert error(response)["details"]["current_state"] == "available"
    assert TableStateChange.objects.count() == 0


def test_who_may_clear_and_bus(base, restaurant, table, ana, staff_api, outsider_api, make_key_api):
    visit = seated(restaurant, table, ana)
    pos = make_key_api(restaurant, scopes=["pos"], name="POS")
    camera = make_key_api(restaurant, scopes=["camera"], name="Cameras")

    assert staff_api.post(f"{base}/tables/{table.pk}/clear").status_code == 403
    assert camera.post(f"{base}/tables/{table.pk}/clear").status_code == 403
    assert outsider_api.post(f"{base}/tables/{table.pk}/clear").status_code == 404
    visit.refresh_from_db()
    assert visit.closed_at is None

    assert pos.post(f"{base}/tables/{table.pk}/clear").status_code == 200
    assert staff_api.post(f"{base}/tables/{table.pk}/bus").status_code == 403
    assert pos.post(f"{base}/tables/{table.pk}/bus").status_code == 200
    assert [c.source for c in TableStateChange.objects.order_by("at", "id")] == ["host", "pos", "pos"]


def test_bussing_a_reserved_table_is_a_409(host_api, base, table):
    table.state = TableState.RESERVED
    table.save()

    response = host_api.post(f"{base}/tables/{table.pk}/bus")

    assert response.status_code == 409
    assert error(response)["details"]["current_state"] == "reserved"


def test_the_pos_closes_a_visit_with_its_totals_once(make_key_api, base, restaurant, table, ana):
    visit = seated(restaurant, table, ana)
    pos = make_key_api(restaurant, scopes=["pos"], name="POS")
    totals = {"subtotal": "84.00", "tax": "7.35", "tip": "16.80", "discount": "0"}

    response = pos.post(f"{base}/visits/{visit.pk}/close", totals)
    retry = pos.post(f"{base}/visits/{visit.pk}/close", {**totals, "tip": "99.00"})

    assert response.status_code == 200, response.content
    assert (response.json()["subtotal"], response.json()["tip"]) == ("84.00", "16.80")
    assert retry.status_code == 200
    assert retry.json()["tip"] == "16.80"  # the first close stands
    visit.refresh_from_db()
    table.refresh_from_db()
    assert visit.tip == Decimal("16.80")
    assert table.state == TableState.DIRTY


@pytest.mark.parametrize(
    "body",
    [{"subtotal": "-1"}, {"tip": "1.234"}, {"tax": "abc"}, {"discount": "100000000"}, {"closed_at": "yesterday"}],
)
def test_bad_totals_are_a_400_naming_the_field_and_leave_the_visit_open(host_api, base, restaurant, table, ana, body):
    visit = seated(restaurant, table, ana)

    response = host_api.post(f"{base}/visits/{visit.pk}/close", body)

    assert response.status_code == 400
    (field,) = body  # the one field sent, wrong
    assert field in error(response)["details"]
    visit.refresh_from_db()
    assert visit.closed_at is None


def test_a_close_stamped_before_the_seating_closes_the_visit_at_its_seating(host_api, base, restaurant, table, ana):
    visit = seated(restaurant, table, ana)
    before = (visit.seated_at - timedelta(hours=1)).isoformat()

    response = host_api.post(f"{base}/visits/{visit.pk}/close", {"closed_at": before, "tip": "4.00"})

    assert response.status_code == 200
    visit.refresh_from_db()
    assert (visit.closed_at, visit.tip) == (visit.seated_at, Decimal("4.00"))


def test_staff_and_camera_keys_may_not_close_a_visit(staff_api, make_key_api, base, restaurant, table, ana):
    visit = seated(restaurant, table, ana)
    camera = make_key_api(restaurant, scopes=["camera"], name="Cameras")

    assert staff_api.post(f"{base}/visits/{visit.pk}/close").status_code == 403
    assert camera.post(f"{base}/visits/{visit.pk}/close").status_code == 403
    visit.refresh_from_db()
    assert visit.closed_at is None


def test_another_restaurants_visit_is_a_404(host_api, base, other_restaurant):
    theirs = VisitFactory(table=TableFactory(section=SectionFactory(restaurant=other_restaurant)))

    assert host_api.post(f"{base}/visits/{theirs.pk}/close").status_code == 404
    theirs.refresh_from_db()
    assert theirs.closed_at is None


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
    from rest_framework import serializers

    from floor.api import host_stand_serializers
    from floor.selectors import floor_board

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
