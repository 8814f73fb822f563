"""The POS's events on the floor (floor/services/pos.py), delivered signed over HTTP: checks seat parties
through the seating service or join the party the host seated, close visits with their totals, items
land with their category, voids, tables cleared, the time clock and the menu."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from floor.engine.pos import MENU_CATEGORIES, STAFF_ROLES
from floor.models import MenuCategory, MenuItem, StateSource, Table, TableState, TableStateChange, Visit, VisitItem
from floor.services.seating import table_clear, table_seat
from floor.tests.factories import MenuItemFactory, SectionFactory, TableFactory
from restaurant.models import ApiScope, InboxEvent, InboxStatus
from restaurant.services import api_client_create
from restaurant.tests.webhook_sender import PosSender
from staff.models import Shift, StaffRole
from staff.services.time_clock import shift_clock_in
from staff.tests.factories import StaffMemberFactory

AT = datetime(2026, 3, 6, 18, 0, tzinfo=UTC)
TOTALS = {"subtotal": "42.00", "tax": "3.57", "tip": "8.00", "discounts": "2.00"}


@pytest.fixture
def pos(restaurant):
    return PosSender(api_client_create(restaurant=restaurant, name="POS", scopes=[ApiScope.POS]))


@pytest.fixture
def floor(restaurant, pos):
    section = SectionFactory(restaurant=restaurant)
    table = TableFactory(section=section, label="T1", min_seats=1, max_seats=4)
    server = StaffMemberFactory(restaurant=restaurant, pos_id="EMP-1", name="Ana")
    assert pos.send("staff.clock_in", {"staff_id": "EMP-1"}, at=AT - timedelta(hours=1)).status_code == 200
    return {"section": section, "table": table, "server": server}


def opened(check="C1", table="T1", server="EMP-1", party_size=2):
    return {"check_id": check, "table_label": table, "server_id": server, "party_size": party_size}


def accepted(response, status="processed"):
    assert response.status_code in (200, 202), response.content
    assert response.json()["status"] == status, response.json()
    return response.json()


def test_the_engine_names_the_models_categories_and_roles():
    assert set(MENU_CATEGORIES) == set(MenuCategory.values)
    assert set(STAFF_ROLES) == set(StaffRole.values)


@pytest.mark.django_db
def test_a_check_on_a_free_table_seats_the_party_through_the_seating_service(pos, floor):
    accepted(pos.send("check.opened", opened(), at=AT))
    visit = Visit.objects.get()
    assert (visit.pos_check_id, visit.server, visit.party_size, visit.seated_at) == ("C1", floor["server"], 2, AT)
    table = Table.objects.get(pk=floor["table"].pk)
    assert table.state == TableState.OCCUPIED
    change = TableStateChange.objects.get(table=table)
    assert (change.to_state, change.source, change.at) == (TableState.OCCUPIED, StateSource.POS, AT)


@pytest.mark.django_db
def test_a_check_on_a_table_the_host_seated_joins_that_visit_and_never_opens_a_second(restaurant, pos, floor):
    host_visit = table_seat(restaurant=restaurant, table=floor["table"], party_size=3, server=floor["server"], at=AT)
    accepted(pos.send("check.opened", opened(party_size=4), at=AT + timedelta(minutes=2)))
    visit = Visit.objects.get()
    assert visit.pk == host_visit.pk and visit.pos_check_id == "C1" and visit.party_size == 4
    assert visit.seated_at == AT  # the host's seating time stays


@pytest.mark.django_db
def test_a_check_by_our_staff_id_is_taken_like_one_by_the_pos_id(pos, floor):
    accepted(pos.send("check.opened", opened(server=str(floor["server"].pk)), at=AT))
    assert Visit.objects.get().server == floor["server"]


@pytest.mark.django_db
def test_a_check_at_a_dirty_table_busses_it_then_seats_the_party(pos, floor):
    Table.objects.filter(pk=floor["table"].pk).update(state=TableState.DIRTY)
    accepted(pos.send("check.opened", opened(), at=AT))
    moves = list(TableStateChange.objects.order_by("id").values_list("from_state", "to_state", "source"))
    assert moves == [("dirty", "available", "pos"), ("available", "occupied", "pos")]


@pytest.mark.django_db
def test_a_check_at_a_table_still_holding_another_check_waits_for_that_check_to_close(pos, floor):
    accepted(pos.send("check.opened", opened("C1"), at=AT))
    second = accepted(pos.send("check.opened", opened("C2", party_size=3), at=AT + timedelta(hours=1)), "held")
    assert second["held_key"] == "table:T1"
    accepted(pos.send("check.closed", {"check_id": "C1", **TOTALS}, at=AT + timedelta(minutes=55)))
    first, later = Visit.objects.order_by("seated_at")
    assert first.closed_at == AT + timedelta(minutes=55) and later.pos_check_id == "C2" and later.closed_at is None
    assert Table.objects.get(pk=floor["table"].pk).state == TableState.OCCUPIED


@pytest.mark.django_db
def test_items_land_with_their_category_and_menu_item_and_a_void_takes_the_line_out(restaurant, pos, floor):
    wine = MenuItemFactory(restaurant=restaurant, name="Pinot", category="alcohol", pos_item_id="SKU-9")
    accepted(pos.send("check.opened", opened(), at=AT))
    item = {"check_id": "C1", "menu_item_id": "SKU-9", "name": "Pinot", "category": "alcohol", "unit_price": "14.00"}
    accepted(pos.send("check.item_added", {**item, "line_id": "L1", "quantity": 2}, at=AT + timedelta(minutes=3)))
    accepted(pos.send("check.item_added", {**item, "line_id": "L2", "quantity": 1}, at=AT + timedelta(minutes=9)))
    accepted(pos.send("check.item_voided", {"check_id": "C1", "line_id": "L2"}, at=AT + timedelta(minutes=10)))
    lines = {line.pos_line_id: line for line in VisitItem.objects.all()}
    assert lines["L1"].menu_item == wine and lines["L1"].category == "alcohol" and lines["L1"].quantity == 2
    assert lines["L1"].line_total == Decimal("28.00") and lines["L2"].voided and lines["L2"].line_total == 0


@pytest.mark.django_db
def test_a_closed_check_closes_the_visit_with_its_totals_and_the_table_goes_dirty(pos, floor):
    accepted(pos.send("check.opened", opened(), at=AT))
    accepted(pos.send("check.closed", {"check_id": "C1", **TOTALS}, at=AT + timedelta(minutes=50)))
    visit = Visit.objects.get()
    assert (visit.subtotal, visit.tax, visit.tip, visit.discount) == tuple(Decimal(v) for v in TOTALS.values())
    assert visit.closed_at == AT + timedelta(minutes=50)
    assert Table.objects.get(pk=floor["table"].pk).state == TableState.DIRTY


@pytest.mark.django_db
def test_a_check_closed_after_the_host_cleared_the_table_still_records_its_totals(restaurant, pos, floor):
    accepted(pos.send("check.opened", opened(), at=AT))
    table_clear(restaurant=restaurant, table=floor["table"], at=AT + timedelta(minutes=40))
    accepted(pos.send("check.closed", {"check_id": "C1", **TOTALS}, at=AT + timedelta(minutes=50)))
    visit = Visit.objects.get()
    assert visit.closed_at == AT + timedelta(minutes=40) and visit.tip == Decimal("8.00")


@pytest.mark.django_db
def test_table_cleared_closes_the_open_visit_like_the_hosts_clear(pos, floor):
    accepted(pos.send("check.opened", opened(), at=AT))
    accepted(pos.send("table.cleared", {"table_label": "T1"}, at=AT + timedelta(minutes=45)))
    assert Visit.objects.get().closed_at == AT + timedelta(minutes=45)
    assert Table.objects.get(pk=floor["table"].pk).state == TableState.DIRTY


@pytest.mark.django_db
def test_clock_in_and_out_go_through_the_time_clock(restaurant, pos, floor):
    other = StaffMemberFactory(restaurant=restaurant, pos_id="EMP-2", role="bartender")
    accepted(pos.send("staff.clock_in", {"staff_id": "EMP-2", "role": "server"}, at=AT))
    accepted(pos.send("staff.clock_out", {"staff_id": "EMP-2"}, at=AT + timedelta(hours=5)))
    shift = Shift.objects.get(staff=other)
    assert (shift.role, shift.clock_in, shift.clock_out) == ("server", AT, AT + timedelta(hours=5))


@pytest.mark.django_db
def test_a_clock_in_the_host_already_made_is_that_shift_and_an_earlier_open_shift_is_waited_for(restaurant, pos, floor):
    other = StaffMemberFactory(restaurant=restaurant, pos_id="EMP-2")
    shift_clock_in(restaurant=restaurant, staff=other, at=AT - timedelta(minutes=10))
    accepted(pos.send("staff.clock_in", {"staff_id": "EMP-2"}, at=AT))
    assert Shift.objects.filter(staff=other).count() == 1
    dinner = accepted(pos.send("staff.clock_in", {"staff_id": "EMP-2"}, at=AT + timedelta(hours=6)), "held")
    assert dinner["held_key"] == f"shift-end:{other.pk}"
    accepted(pos.send("staff.clock_out", {"staff_id": "EMP-2"}, at=AT + timedelta(hours=4)))
    spans = list(Shift.objects.filter(staff=other).order_by("clock_in").values_list("clock_in", "clock_out"))
    assert spans == [(AT - timedelta(minutes=10), AT + timedelta(hours=4)), (AT + timedelta(hours=6), None)]
    assert set(InboxEvent.objects.values_list("status", flat=True)) == {InboxStatus.PROCESSED}


@pytest.mark.django_db
def test_a_menu_item_is_kept_by_its_pos_id_and_one_typed_in_before_is_taken_over(restaurant, pos, floor):
    typed = MenuItemFactory(restaurant=restaurant, name="Soup", category="appetizer", pos_item_id="")
    upsert = {"menu_item_id": "SKU-1", "name": "Soup", "category": "appetizer", "price": "8.50"}
    accepted(pos.send("menu.item_upserted", upsert, at=AT))
    accepted(pos.send("menu.item_upserted", {**upsert, "name": "Soup of the day", "price": "9.00"}, at=AT))
    accepted(pos.send("menu.item_upserted", {**upsert, "menu_item_id": "SKU-2", "name": "Tart", "active": False}))
    soup = MenuItem.objects.get(pos_item_id="SKU-1")
    assert soup.pk == typed.pk and soup.name == "Soup of the day" and soup.price == Decimal("9.00")
    assert MenuItem.objects.get(pos_item_id="SKU-2").active is False


@pytest.mark.django_db
def test_an_unknown_table_or_server_fails_the_event_and_keeps_why(pos, floor):
    failed = accepted(pos.send("check.opened", opened(table="T9"), at=AT), "failed")
    assert failed["error"].startswith("unknown_table")
    failed = accepted(pos.send("check.opened", opened(server="EMP-9"), at=AT), "failed")
    assert failed["error"].startswith("unknown_staff")
    assert not Visit.objects.exists()


@pytest.mark.django_db
def test_a_late_clear_leaves_the_next_party_and_an_empty_table_alone(pos, floor):
    accepted(pos.send("check.opened", opened("C1"), at=AT))
    accepted(pos.send("check.closed", {"check_id": "C1", **TOTALS}, at=AT + timedelta(minutes=50)))
    accepted(pos.send("check.opened", opened("C2"), at=AT + timedelta(minutes=60)))
    accepted(pos.send("table.cleared", {"table_label": "T1"}, at=AT + timedelta(minutes=50)))
    assert Visit.objects.get(pos_check_id="C2").closed_at is None
    Table.objects.filter(pk=floor["table"].pk).update(state=TableState.AVAILABLE)
    Visit.objects.filter(pos_check_id="C2").update(closed_at=AT + timedelta(minutes=90))
    accepted(pos.send("table.cleared", {"table_label": "T1"}, at=AT + timedelta(minutes=95)))
    assert Table.objects.get(pk=floor["table"].pk).state == TableState.AVAILABLE


# Queries per delivery, pinned: the key's row, the event's row, the handler's reads and writes, the look
# for events held on what it made. The test's own transaction adds a SAVEPOINT and a RELEASE around the
# inbox's (a BEGIN and COMMIT in production, which Django does not count); nothing else is a savepoint.
CHECK_OPENED_QUERIES = 24  # 14 of them the seating service's (locks, rules, history, outbox)
CHECK_ITEM_ADDED_QUERIES = 7
CHECK_CLOSED_QUERIES = 16  # 10 of them visit_close's


@pytest.mark.django_db
def test_each_check_event_takes_its_pinned_number_of_queries(restaurant, pos, floor, django_assert_num_queries):
    MenuItemFactory(restaurant=restaurant, name="Pinot", category="alcohol", pos_item_id="SKU-9")
    item = {"check_id": "C1", "line_id": "L1", "menu_item_id": "SKU-9", "name": "Pinot", "category": "alcohol"}
    with django_assert_num_queries(CHECK_OPENED_QUERIES):
        accepted(pos.send("check.opened", opened(), at=AT))
    with django_assert_num_queries(CHECK_ITEM_ADDED_QUERIES):
        accepted(pos.send("check.item_added", {**item, "quantity": 1, "unit_price": "14.00"}, at=AT))
    with django_assert_num_queries(CHECK_CLOSED_QUERIES):
        accepted(pos.send("check.closed", {"check_id": "C1", **TOTALS}, at=AT + timedelta(minutes=50)))
    line = VisitItem.objects.get()
    assert line.menu_item.pos_item_id == "SKU-9" and Visit.objects.get().closed_at == AT + timedelta(minutes=50)
