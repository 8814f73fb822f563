"""The host stand over the API: seating, table states, clearing and bussing, closing visits; each with its
personas, its errors in the one shape, and nothing written when it refuses (tables pushed together:
test_api_seat_joined.py; the mode, the floor and the waitlist: test_api_floor_status.py)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from floor.models import StateSource, TableState, TableStateChange, Visit, WaitlistStatus
from floor.tests.factories import SectionFactory, TableFactory, VisitFactory, WaitlistEntryFactory
from floor.tests.floor_setup import error, seated, server_on_floor
from staff.models import ShiftBreak

pytestmark = pytest.mark.django_db


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
