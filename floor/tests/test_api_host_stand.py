"""The host stand over the API: seating, table states, clearing and bussing, closing visits, the routing
mode, the floor status and the waitlist; each with its personas, its errors in the one shape, and
nothing written when it refuses."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from floor.models import StateSource, TableState, TableStateChange, Visit, WaitlistEntry, WaitlistStatus
from floor.services.seating import table_seat
from floor.tests.factories import SectionFactory, TableFactory, VisitFactory, WaitlistEntryFactory
from floor.tests.floor_setup import server_on_floor
from restaurant.models import Restaurant, RoutingMode
from restaurant.tests.factories import MembershipFactory
from staff.models import ShiftBreak, StaffRole
from staff.tests.factories import ShiftFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(restaurant) -> str:
    return f"/api/v1/restaurants/{restaurant.pk}"


@pytest.fixture
def main(restaurant):
    return SectionFactory(restaurant=restaurant, name="Main", color="#336699")


@pytest.fixture
def ana(restaurant, main):
    staff = StaffMemberFactory(restaurant=restaurant, name="Ana Lopez")
    ShiftFactory(staff=staff, section=main)
    return staff


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
    ("body", "field"),
    [
        ({"subtotal": "-1"}, "subtotal"),
        ({"tip": "1.234"}, "tip"),
        ({"tax": "abc"}, "tax"),
        ({"discount": "100000000"}, "discount"),
        ({"closed_at": "yesterday"}, "closed_at"),
    ],
)
def test_bad_totals_are_a_400_naming_the_field_and_leave_the_visit_open(
    host_api, base, restaurant, table, ana, body, field
):
    visit = seated(restaurant, table, ana)

    response = host_api.post(f"{base}/visits/{visit.pk}/close", body)

    assert response.status_code == 400
    assert field in error(response)["details"]
    visit.refresh_from_db()
    assert visit.closed_at is None


def test_a_visit_cannot_close_before_it_was_seated(host_api, base, restaurant, table, ana):
    visit = seated(restaurant, table, ana)
    before = (visit.seated_at - timedelta(hours=1)).isoformat()

    response = host_api.post(f"{base}/visits/{visit.pk}/close", {"closed_at": before})

    assert response.status_code == 400
    assert "closed_at" in error(response)["details"]


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


def _floor_queries(api, restaurant) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"/api/v1/restaurants/{restaurant.pk}/floor")
    assert response.status_code == 200
    return len(queries)


def test_the_floor_costs_the_same_queries_for_10_or_60_tables(host_api, host_user, restaurant, other_restaurant):
    MembershipFactory(user=host_user, restaurant=other_restaurant, role="host")
    for place, n_tables, n_servers in ((restaurant, 10, 3), (other_restaurant, 60, 15)):
        section = SectionFactory(restaurant=place)
        servers = [server_on_floor(place, section=section) for _ in range(n_servers)]
        for i in range(n_tables):
            table = TableFactory(section=section, max_seats=4)
            if i % 2:
                seated(place, table, servers[i % n_servers], party_size=2)
        for _ in range(n_tables // 5):
            WaitlistEntryFactory(restaurant=place, party_size=2)

    small = _floor_queries(host_api, restaurant)
    large = _floor_queries(host_api, other_restaurant)

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
