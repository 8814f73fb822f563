"""A POS's events applied to the floor and the time clock: the handlers the inbox calls
(`restaurant.services.inbox`), registered by `FloorConfig.ready` through `pos_handlers_register`.

Each handler goes through the services a host's action uses (seating, close, clear, bus, the time clock),
so the rules, locks and live announcements are the same; the table history says `source=pos`. Each is
safe to apply twice: the POS's own ids (check, line, menu item) find what an earlier event made.

What a handler cannot apply yet, it holds (`InboxHold`) under a key, and the handler that makes that
thing exist returns the key so the inbox applies what waited:
- `check:<check_id>`: an item, void or close before its check.opened;
- `line:<check_id>:<line_id>`: a void before its item;
- `table:<label>`: a check opened at a table whose previous check is still open (its close frees it);
- `staff:<staff pk>`: a check opened by, or a clock-out of, someone not clocked in yet;
- `shift-end:<staff pk>`: a clock-in while an earlier shift of theirs is still open.

Decisions an integrator will notice:
- check.opened at a table the host already seated (an open visit with no check) attaches the check to
  that visit, taking the check's server and party size; never a second visit;
- at a dirty table, the POS's check is taken as proof it was bussed: bussed (source pos), then seated;
- the party sits even one guest over the table's seats (as a host insisting may), never more;
- check.closed after the host cleared the table records the totals on the visit the clear closed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, Subquery

from floor.engine.floor import InvalidValue
from floor.engine.pos import (
    CheckClosed,
    CheckItemAdded,
    CheckItemVoided,
    CheckOpened,
    MenuItemUpserted,
    StaffClock,
    TableCleared,
    parse_check_closed,
    parse_check_item_added,
    parse_check_item_voided,
    parse_check_opened,
    parse_menu_item_upserted,
    parse_staff_clock,
    parse_table_cleared,
)
from floor.events import floor_changed
from floor.exceptions import InvalidFloorInput, NotOnFloor
from floor.models import MenuItem, StateSource, Table, TableState, Visit, VisitItem
from floor.services.seating import table_bus, table_clear, table_seat, visit_close
from floor.services.table_states import JoinedTable, lock_party, open_visit_at
from restaurant.services.inbox import InboxHold, inbox_handler_register
from staff.exceptions import AlreadyClockedIn, NotClockedIn
from staff.models import Shift, StaffMember
from staff.services.time_clock import shift_clock_in, shift_clock_out

POS = StateSource.POS
# A POS clock-in this close to a shift opened at the host stand is that same shift.
SAME_SHIFT = timedelta(minutes=30)


def check_key(check_id: str) -> str:
    return f"check:{check_id}"


def line_key(check_id: str, line_id: str) -> str:
    return f"line:{check_id}:{line_id}"


def table_key(label: str) -> str:
    return f"table:{label}"


def staff_key(staff_pk: int) -> str:
    return f"staff:{staff_pk}"


def shift_end_key(staff_pk: int) -> str:
    return f"shift-end:{staff_pk}"


def pos_check_opened(*, restaurant, data: CheckOpened, at: datetime) -> list[str]:
    """Seat the check's party (or attach the check to the party the host seated there). Like every
    handler it runs inside the inbox's transaction, which keeps the table locks to its end."""
    released = [check_key(data.check_id)]
    checks = Visit.objects.for_restaurant(restaurant).filter(pos_check_id=data.check_id)
    table = (
        Table.objects.for_restaurant(restaurant)
        .filter(label=data.table_label)
        .annotate(check_seated=Exists(checks))
        .first()
    )
    if table.check_seated if table is not None else checks.exists():
        return released
    table = _table(restaurant, data.table_label, "data.table_label") if table is None else table
    joined = [_table(restaurant, label, "data.joined_table_labels") for label in data.joined_table_labels]
    server = _staff(restaurant, data.server_id, "data.server_id")
    locked, _, visit = lock_party(restaurant=restaurant, table=table)
    if visit is not None:
        if visit.pos_check_id:
            raise InboxHold(table_key(locked.label), f"table {locked.label} still holds check {visit.pos_check_id}")
        _attach(restaurant, visit, data=data, server=server)
        return released
    for dirty in [locked, *joined]:
        if dirty.state == TableState.DIRTY:
            table_bus(restaurant=restaurant, table=dirty, source=POS, at=at)
    try:
        table_seat(
            restaurant=restaurant,
            table=locked,
            joined_tables=joined,
            party_size=data.party_size,
            server=server,
            source=POS,
            allow_misfit=True,
            at=at,
            pos_check_id=data.check_id,
        )
    except NotOnFloor as refused:
        if refused.details.get("reason") != "not_clocked_in":
            raise
        raise InboxHold(staff_key(server.pk), f"{server.name} is not clocked in") from None
    return released


def pos_check_item_added(*, restaurant, data: CheckItemAdded, at: datetime) -> list[str]:
    """A line on the check's visit, with the menu's category (what the staff metrics count upsells by)."""
    # One read: the visit, whether the line is on it already, and the menu item with the POS's id.
    menu_items = MenuItem.objects.for_restaurant(restaurant).filter(pos_item_id=data.menu_item_id)
    visit = _visit(
        restaurant,
        data.check_id,
        line_recorded=Exists(VisitItem.objects.filter(visit=OuterRef("pk"), pos_line_id=data.line_id)),
        menu_item_pk=Subquery(menu_items.values("pk")[:1]),
    )
    released = [line_key(data.check_id, data.line_id)]
    if visit.line_recorded:
        return released
    VisitItem.objects.create(
        visit=visit,
        menu_item_id=visit.menu_item_pk,
        name=data.name,
        category=data.category,
        quantity=data.quantity,
        unit_price=data.unit_price,
        ordered_at=at,
        pos_line_id=data.line_id,
    )
    return released


def pos_check_item_voided(*, restaurant, data: CheckItemVoided, at: datetime) -> list[str]:
    """The line leaves the check: it stays on record as voided, out of the totals and the upsell counts."""
    visit = _visit(restaurant, data.check_id)
    updated = VisitItem.objects.filter(visit=visit, pos_line_id=data.line_id).update(voided=True)
    if not updated:
        raise InboxHold(line_key(data.check_id, data.line_id), f"line {data.line_id} is not on the check yet")
    return []


def pos_check_closed(*, restaurant, data: CheckClosed, at: datetime) -> list[str]:
    """Close the visit with the check's totals; its tables go dirty (the one close-visit rule)."""
    visit = _visit(restaurant, data.check_id)
    totals = {"subtotal": data.subtotal, "tax": data.tax, "tip": data.tip, "discount": data.discounts}
    closed = visit_close(restaurant=restaurant, visit=visit, closed_at=at, source=POS, **totals)
    if any(getattr(closed, field) != amount for field, amount in totals.items()):
        # Closed before (the host cleared the table): visit_close leaves a closed visit alone, but the
        # check's totals are the POS's to give.
        for field, amount in totals.items():
            setattr(closed, field, amount)
        closed.save(update_fields=list(totals))
    joined = JoinedTable.objects.filter(visit_id=visit.pk).values("table_id")
    labels = Table.objects.filter(Q(pk=visit.table_id) | Q(pk__in=joined)).values_list("label", flat=True)
    return [table_key(label) for label in labels]


def pos_table_cleared(*, restaurant, data: TableCleared, at: datetime) -> list[str]:
    """The party left (the host's Clear): the open visit closes and the table goes dirty. A clear about
    a party already gone changes nothing: the table has nobody (the check closed first), or its party
    was seated after the clear happened (a clear delivered late must not send the next party away)."""
    table = _table(restaurant, data.table_label, "data.table_label")
    released = [table_key(table.label)]
    visit = open_visit_at(table.pk)
    if visit is not None and visit.seated_at > at:
        return released
    if visit is None and table.state != TableState.OCCUPIED:
        return released
    table_clear(restaurant=restaurant, table=table, source=POS, at=at)
    return released


def pos_staff_clock_in(*, restaurant, data: StaffClock, at: datetime) -> list[str]:
    """Open a shift. Someone clocked in at the host stand about then already has it; a shift still open
    from earlier (its clock-out not here yet) is waited for."""
    staff = _staff(restaurant, data.staff_id, "data.staff_id")
    released = [staff_key(staff.pk)]
    if Shift.objects.filter(staff=staff, clock_in=at).exists():
        return released  # applied already
    try:
        shift_clock_in(restaurant=restaurant, staff=staff, role=data.role, at=at)
    except AlreadyClockedIn:
        open_since = Shift.objects.filter(staff=staff, clock_out__isnull=True).values_list("clock_in", flat=True)
        if all(abs(since - at) <= SAME_SHIFT for since in open_since):
            return released
        raise InboxHold(shift_end_key(staff.pk), f"{staff.name}'s earlier shift has not ended yet") from None
    return released


def pos_staff_clock_out(*, restaurant, data: StaffClock, at: datetime) -> list[str]:
    staff = _staff(restaurant, data.staff_id, "data.staff_id")
    if Shift.objects.filter(staff=staff, clock_out=at).exists():
        return []  # applied already
    try:
        shift_clock_out(restaurant=restaurant, staff=staff, at=at)
    except NotClockedIn:
        raise InboxHold(staff_key(staff.pk), f"{staff.name} is not clocked in") from None
    return [shift_end_key(staff.pk)]


def pos_menu_item_upserted(*, restaurant, data: MenuItemUpserted, at: datetime) -> list[str]:
    """The menu item with this POS id, created or updated; an item of that name without a POS id is
    taken over (a menu typed in before the POS was connected)."""
    items = MenuItem.objects.for_restaurant(restaurant)
    item = (
        items.filter(pos_item_id=data.menu_item_id).first()
        or items.filter(name=data.name, pos_item_id="").first()
        or MenuItem(restaurant=restaurant)
    )
    item.pos_item_id, item.name, item.category = data.menu_item_id, data.name, data.category
    item.price, item.active = data.price, data.active
    item.save()
    return []


HANDLERS: dict[str, tuple[Callable, Callable]] = {
    "check.opened": (parse_check_opened, pos_check_opened),
    "check.item_added": (parse_check_item_added, pos_check_item_added),
    "check.item_voided": (parse_check_item_voided, pos_check_item_voided),
    "check.closed": (parse_check_closed, pos_check_closed),
    "table.cleared": (parse_table_cleared, pos_table_cleared),
    "staff.clock_in": (parse_staff_clock, pos_staff_clock_in),
    "staff.clock_out": (parse_staff_clock, pos_staff_clock_out),
    "menu.item_upserted": (parse_menu_item_upserted, pos_menu_item_upserted),
}


def pos_handlers_register() -> None:
    """Give the inbox the floor's POS event types (FloorConfig.ready)."""
    for event_type, (parse, apply) in HANDLERS.items():
        inbox_handler_register(event_type, parse=_refusing(parse), apply=apply)


def _refusing(parse: Callable) -> Callable:
    """The engine's parser with its refusals as the floor's 400 naming the field."""

    def parse_or_refuse(data):
        try:
            return parse(data)
        except InvalidValue as refused:
            raise InvalidFloorInput(refused.field, refused.message) from None

    parse_or_refuse.__name__ = parse.__name__
    return parse_or_refuse


def _table(restaurant, label: str, field: str) -> Table:
    table = Table.objects.for_restaurant(restaurant).filter(label=label).first()
    if table is None:
        raise InvalidFloorInput(field, f"no table labelled {label!r} in this restaurant", code="unknown_table")
    return table


def _staff(restaurant, ident: str, field: str) -> StaffMember:
    """Our staff id, or the staff member's POS id (`StaffMember.pos_id`, looked up first)."""
    matches = Q(pos_id=ident) | Q(pk=int(ident)) if ident.isdigit() else Q(pos_id=ident)
    found = list(StaffMember.objects.for_restaurant(restaurant).filter(matches)[:2])
    staff = next((person for person in found if person.pos_id == ident), found[0] if found else None)
    if staff is None:
        raise InvalidFloorInput(field, f"no staff member with id or POS id {ident!r}", code="unknown_staff")
    return staff


def _visit(restaurant, check_id: str, **annotations) -> Visit:
    visit = Visit.objects.for_restaurant(restaurant).filter(pos_check_id=check_id).annotate(**annotations).first()
    if visit is None:
        raise InboxHold(check_key(check_id), f"check {check_id} is not open yet")
    return visit


def _attach(restaurant, visit: Visit, *, data: CheckOpened, server: StaffMember) -> None:
    locked = Visit.objects.select_for_update().get(pk=visit.pk)
    locked.pos_check_id, locked.server, locked.party_size = data.check_id, server, data.party_size
    locked.save(update_fields=["pos_check_id", "server", "party_size"])
    floor_changed(
        restaurant.pk,
        "check_attached",
        {"table_id": locked.table_id, "visit_id": locked.pk, "server_id": server.pk, "party_size": data.party_size},
    )
