"""Seating a party, and what follows: the check closing, the host clearing the table, bussing.

Over 400 lines on purpose: these four services share one lock order and the checks made under it
(below); kept in one module, a change to the order is seen whole.

`table_seat` is atomic and race-safe. The tables' rows are locked first (SELECT ... FOR UPDATE), so of
two hosts seating one table at once the second waits, then finds it occupied and gets `TableTaken`.
Should a state ever disagree with the visits, the open visits at the tables (their own or pushed
together) are checked under the same locks, and the partial unique index `visit_one_open_per_table`
is the last guard. Rows are always locked in the same order (the tables by id, the shifts touched, the
waitlist entry, the routing decision) so concurrent seatings cannot deadlock.

A large party may sit at several tables pushed together (`joined_tables`, as the routing engine
recommends them): all in one combinable group and one section, every one free, the party between the
first table's min seats and the sum of their max seats. Every table is locked (in id order, see
`floor.services.table_states.lock_tables`) and checked under the lock, each goes occupied with its own
history row, and the one visit records them all; closing the visit or clearing any of its tables sends
every one of them to dirty. Bussing stays per table. Errors about the pushed-together tables name
`table_ids`, the name the routing engine's recommendations and the API give them.

Decisions a host will notice:
- the party must fit the table's min..max seats; `allow_misfit=True` (the host insists) lets a party
  sit at a table too big for it, or one guest over its max seats (a pulled-up chair), never more;
- the server need not be the table's section server (hosts do swap), but must be clocked in here,
  in a role that takes tables, not on break and not cut;
- "skip once" is spent by the next seating: after any seating every open shift's `skip_next` is reset,
  because that seating either passed the skipped server by or the host seated them on purpose;
- closing an already closed visit, or clearing a table that is already dirty, changes nothing."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from floor.events import floor_changed
from floor.exceptions import (
    DecisionAlreadyUsed,
    IllegalTransition,
    InvalidFloorInput,
    NotOnFloor,
    PartyDoesNotFit,
    TableTaken,
    TableUnavailable,
    WaitlistEntryClosed,
    WrongRestaurant,
)
from floor.models import (
    SEAT,
    TRANSITIONS,
    RoutingDecision,
    StateSource,
    Table,
    TableState,
    TableStateChange,
    Visit,
    WaitlistEntry,
    WaitlistStatus,
    settable_states,
)
from floor.services.routing import party_input
from floor.services.table_states import (
    lock_party,
    lock_table,
    lock_tables,
    record_transition,
    sync_instance,
    table_state_set,
    tables_taken,
    validate_source,
    visit_table_ids,
)
from staff.models import PERFORMANCE_TRACKED_ROLES, Shift, ShiftBreak

SEATABLE_STATES = tuple(state for state, moves in TRANSITIONS.items() if moves.get(TableState.OCCUPIED) == SEAT)
MISFIT_EXTRA_SEATS = 1
CENT = Decimal("0.01")
MONEY_LIMIT = Decimal("100000000")  # Visit's money columns: 10 digits, 2 after the point
JOINED_FIELD = "table_ids"


def table_seat(
    *,
    restaurant,
    table: Table,
    party_size: int,
    server,
    joined_tables: Sequence[Table] = (),
    waitlist_entry: WaitlistEntry | None = None,
    routing_decision: RoutingDecision | None = None,
    actor=None,
    source: str = StateSource.HOST,
    allow_misfit: bool = False,
    at: datetime | None = None,
    pos_check_id: str = "",
) -> Visit:
    """Seat a party at a table, or at `table` with `joined_tables` pushed together: open the visit, mark
    every table occupied, seat the waitlist entry, record the decision. A POS opening a check seats
    through here too, naming its check (`pos_check_id`, unique per restaurant)."""
    _check_owned(restaurant, server=server, waitlist_entry=waitlist_entry, routing_decision=routing_decision)
    party_size, _ = party_input(party_size=party_size, preferences=None)
    validate_source(source)
    if table.restaurant_id != restaurant.pk:
        raise WrongRestaurant("table")
    joined_ids = _joined_ids(restaurant, table=table, joined_tables=joined_tables)
    at = at or timezone.now()

    with transaction.atomic():
        locked_by_id = lock_tables(table_ids=[table.pk, *joined_ids])
        locked = locked_by_id[table.pk]
        joined = [locked_by_id[pk] for pk in joined_ids]
        _check_table_free(locked)
        _check_joined_free(locked, joined)
        _check_no_open_visit([locked, *joined])
        _check_party_fits([locked, *joined], party_size=party_size, allow_misfit=allow_misfit)
        _lock_server_shift(restaurant, server=server)
        entry = _lock_waitlist_entry(waitlist_entry)
        decision = _lock_decision(routing_decision, waitlist_entry=entry)

        try:
            with transaction.atomic():
                visit = Visit.objects.create(
                    restaurant=restaurant,
                    table=locked,
                    server=server,
                    waitlist_entry=entry,
                    party_size=party_size,
                    seated_at=at,
                    pos_check_id=pos_check_id,
                )
        except IntegrityError:
            if Visit.objects.filter(table=locked, closed_at__isnull=True).exists():
                raise _taken(locked) from None
            raise
        if joined:
            visit.joined_tables.add(*joined)

        for seated in (locked, *joined):
            change = TableStateChange(to_state=TableState.OCCUPIED, source=source, at=at, actor=actor)
            record_transition(seated, change)
        if entry is not None:
            entry.status = WaitlistStatus.SEATED
            entry.seated_at = at
            entry.save(update_fields=["status", "seated_at"])
        if decision is not None:
            decision.chosen_table = locked
            decision.chosen_server = server
            decision.visit = visit
            decision.decided_at = at
            decision.followed = _followed(decision, table_ids=[locked.pk, *joined_ids], server=server)
            decision.save(update_fields=["chosen_table", "chosen_server", "visit", "decided_at", "followed"])
        Shift.objects.for_restaurant(restaurant).open().filter(skip_next=True).update(skip_next=False)
        floor_changed(
            restaurant.pk,
            "table_seated",
            {
                "table_id": locked.pk,
                "table_ids": [locked.pk, *joined_ids],
                "label": "+".join(t.label for t in (locked, *joined)),
                "visit_id": visit.pk,
                "server_id": server.pk,
                "party_size": party_size,
                "waitlist_entry_id": entry.pk if entry else None,
            },
        )
    sync_instance(table, locked)
    for given in joined_tables:
        sync_instance(given, locked_by_id[given.pk])
    return visit


def visit_close(
    *,
    restaurant,
    visit: Visit,
    closed_at: datetime | None = None,
    subtotal: Decimal | None = None,
    tax: Decimal | None = None,
    tip: Decimal | None = None,
    discount: Decimal | None = None,
    source: str = StateSource.POS,
    actor=None,
) -> Visit:
    """Close a visit (check closed or party left) with its totals; its table goes dirty.

    Returns the closed visit (a fresh instance). A visit already closed is returned unchanged: the POS
    may send the same close twice. A `closed_at` before the seating closes it at the seating time
    (`Visit.closing_time`, the one rule of every way a visit closes)."""
    if visit.restaurant_id != restaurant.pk:
        raise WrongRestaurant("visit")
    validate_source(source)
    given = {"subtotal": subtotal, "tax": tax, "tip": tip, "discount": discount}
    money = {field: _money(field, value) for field, value in given.items() if value is not None}
    closed_at = closed_at or timezone.now()

    with transaction.atomic():
        # Tables before visit, in id order: the lock order table_seat uses. A visit's tables never change.
        table_ids = visit_table_ids(visit)
        tables = lock_tables(table_ids=table_ids)
        table = tables[visit.table_id]
        locked_visit = Visit.objects.select_for_update().get(pk=visit.pk)
        if locked_visit.closed_at is not None:
            return locked_visit
        locked_visit.closed_at = locked_visit.closing_time(closed_at)
        for field, value in money.items():
            setattr(locked_visit, field, value)
        locked_visit.save(update_fields=["closed_at", *money])
        from_state = table.state
        for pk in table_ids:
            if tables[pk].state == TableState.OCCUPIED:
                change = TableStateChange(to_state=TableState.DIRTY, source=source, at=closed_at, actor=actor)
                record_transition(tables[pk], change)
        floor_changed(
            restaurant.pk,
            "visit_closed",
            {
                "table_id": table.pk,
                "table_ids": table_ids,
                "label": "+".join(tables[pk].label for pk in table_ids),
                "visit_id": locked_visit.pk,
                "from_state": from_state,
                "state": table.state,
            },
        )
    return locked_visit


def table_clear(
    *, restaurant, table: Table, source: str = StateSource.HOST, actor=None, at: datetime | None = None
) -> Visit | None:
    """The party left: close the table's open visit and mark the table dirty (and every table pushed
    together with it for that party). Returns the closed visit.

    Clearing a table that is already dirty changes nothing and returns None."""
    with transaction.atomic():
        locked, _, visit = lock_party(restaurant=restaurant, table=table)
        if visit is not None:
            visit = visit_close(restaurant=restaurant, visit=visit, closed_at=at, source=source, actor=actor)
        elif locked.state != TableState.DIRTY:
            # Occupied with no visit on record (seated before this system knew): the machine decides.
            table_state_set(
                restaurant=restaurant, table=locked, to_state=TableState.DIRTY, source=source, actor=actor, at=at
            )
    table.refresh_from_db(fields=["state", "state_changed_at"])
    return visit


def table_bus(
    *, restaurant, table: Table, source: str = StateSource.HOST, actor=None, at: datetime | None = None
) -> Table:
    """A dirty table was bussed and is available again. Bussing an available table changes nothing."""
    with transaction.atomic():
        locked = lock_table(restaurant=restaurant, table=table)
        if locked.state not in (TableState.DIRTY, TableState.AVAILABLE):
            raise IllegalTransition(
                f"Table {locked.label} is {locked.state}; only a dirty table is bussed.",
                table_id=locked.pk,
                current_state=locked.state,
                requested_state=TableState.AVAILABLE,
                allowed=settable_states(locked.state),
            )
        return table_state_set(
            restaurant=restaurant, table=table, to_state=TableState.AVAILABLE, source=source, actor=actor, at=at
        )


def _money(field: str, value) -> Decimal:
    """An amount the visit's columns can hold (0 to 99,999,999.99, cents at most), else a 400 naming it."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidFloorInput(field, f"{field} must be an amount such as 12.50") from None
    if not amount.is_finite() or amount < 0 or amount >= MONEY_LIMIT or amount != amount.quantize(CENT):
        raise InvalidFloorInput(field, f"{field} must be an amount from 0 to 99999999.99, in cents at most")
    return amount


def _check_owned(restaurant, **objects) -> None:
    for field, obj in objects.items():
        if obj is not None and obj.restaurant_id != restaurant.pk:
            raise WrongRestaurant(field)


def _joined_ids(restaurant, *, table: Table, joined_tables: Sequence[Table]) -> list[int]:
    """The ids of the tables pushed together with `table`, in id order; each once, none of them `table`."""
    ids = [joined.pk for joined in joined_tables]
    if any(joined.restaurant_id != restaurant.pk for joined in joined_tables):
        raise WrongRestaurant(JOINED_FIELD)
    if table.pk in ids:
        raise InvalidFloorInput(JOINED_FIELD, f"table {table.label} is the party's own table, not one joined to it")
    if len(set(ids)) != len(ids):
        raise InvalidFloorInput(JOINED_FIELD, "each table may be pushed together only once")
    return sorted(ids)


def _taken(table: Table) -> TableTaken:
    return TableTaken(
        f"Table {table.label} already has a party.",
        details={"table_id": table.pk, "current_state": TableState.OCCUPIED},
    )


def _check_table_free(table: Table) -> None:
    if table.state == TableState.OCCUPIED:
        raise _taken(table)
    if table.state not in SEATABLE_STATES or not table.active:
        reason = table.state if table.active else "out of service"
        raise TableUnavailable(
            f"Table {table.label} is {reason}; only an available or reserved table can be seated.",
            details={"table_id": table.pk, "current_state": table.state, "active": table.active},
        )


def _check_joined_free(table: Table, joined: list[Table]) -> None:
    """Tables pushed together share the first table's combinable group (not empty) and section, and are
    free: one taken by another party meanwhile is a 409 (a race), one dirty or blocked a 400 (wrong input)."""
    for other in joined:
        if not table.combinable_group or other.combinable_group != table.combinable_group:
            raise InvalidFloorInput(
                JOINED_FIELD,
                f"table {other.label} cannot be pushed together with table {table.label}: "
                + (
                    f"they are in different combinable groups ({other.combinable_group or 'none'} and "
                    f"{table.combinable_group or 'none'})"
                    if table.combinable_group
                    else f"table {table.label} is in no combinable group"
                ),
                details={"table_id": other.pk},
                code="not_combinable",
            )
        if other.section_id != table.section_id:
            raise InvalidFloorInput(
                JOINED_FIELD,
                f"table {other.label} is in another section than table {table.label}; only tables of one "
                "section are pushed together",
                details={"table_id": other.pk},
                code="not_combinable",
            )
    for other in joined:
        if other.state == TableState.OCCUPIED:
            raise _taken(other)
        if other.state not in SEATABLE_STATES or not other.active:
            reason = other.state if other.active else "out of service"
            raise InvalidFloorInput(
                JOINED_FIELD,
                f"table {other.label} is {reason}; only available or reserved tables are pushed together",
                details={"table_id": other.pk, "current_state": other.state, "active": other.active},
                code="table_not_free",
            )


def _check_no_open_visit(tables: list[Table]) -> None:
    # The states said free; an open visit at any of these tables (its own or pushed together) would still
    # make two parties share one, so the visits have the last word.
    taken = tables_taken(table.pk for table in tables)
    for table in tables:
        if table.pk in taken:
            raise _taken(table)


def _check_party_fits(tables: list[Table], *, party_size: int, allow_misfit: bool) -> None:
    """From the first table's min seats to the sum of every table's max; a host insisting may seat a
    party smaller than that, or one guest over it."""
    first = tables[0]
    min_seats, max_seats = first.min_seats, sum(table.max_seats for table in tables)
    fits = min_seats <= party_size <= max_seats
    if allow_misfit:
        fits = party_size <= max_seats + MISFIT_EXTRA_SEATS
    if not fits:
        where = f"table {first.label}" if len(tables) == 1 else "tables " + "+".join(t.label for t in tables)
        raise PartyDoesNotFit(
            "party_size",
            f"A party of {party_size} does not fit {where} ({min_seats}-{max_seats} seats).",
            details={"min_seats": min_seats, "max_seats": max_seats, "allow_misfit": allow_misfit},
        )


def _lock_server_shift(restaurant, *, server) -> Shift:
    # One statement locks the server's shift and every shift whose skip flag this seating spends, in id
    # order: two seatings then take the same locks in the same order and never deadlock.
    shifts = list(
        Shift.objects.for_restaurant(restaurant)
        .open()
        .filter(Q(staff=server) | Q(skip_next=True))
        .annotate(on_break=Exists(ShiftBreak.objects.filter(shift=OuterRef("pk"), ended_at__isnull=True)))
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    shift = next((s for s in shifts if s.staff_id == server.pk), None)
    name = server.name
    if shift is None:
        raise NotOnFloor(f"{name} is not clocked in.", details={"server_id": server.pk, "reason": "not_clocked_in"})
    if shift.role not in PERFORMANCE_TRACKED_ROLES:
        raise NotOnFloor(
            f"{name} is working as {shift.role} and takes no tables.",
            details={"server_id": server.pk, "reason": "role", "role": shift.role},
        )
    if shift.on_break:
        raise NotOnFloor(f"{name} is on break.", details={"server_id": server.pk, "reason": "on_break"})
    if shift.cut:
        raise NotOnFloor(f"{name} is cut and takes no new parties.", details={"server_id": server.pk, "reason": "cut"})
    return shift


def _lock_waitlist_entry(entry: WaitlistEntry | None) -> WaitlistEntry | None:
    if entry is None:
        return None
    locked = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if not locked.is_open:
        raise WaitlistEntryClosed(
            f"{locked.party_name} is already {locked.get_status_display().lower()}.",
            details={"waitlist_entry_id": locked.pk, "status": locked.status},
        )
    return locked


def _lock_decision(decision: RoutingDecision | None, *, waitlist_entry: WaitlistEntry | None) -> RoutingDecision | None:
    if decision is None:
        return None
    locked = RoutingDecision.objects.select_for_update().get(pk=decision.pk)
    if locked.visit_id is not None or locked.decided_at is not None:
        raise DecisionAlreadyUsed(
            "This routing decision was already used to seat a party; ask for a new recommendation.",
            details={"routing_decision_id": locked.pk, "visit_id": locked.visit_id},
        )
    made_for = locked.waitlist_entry_id
    if made_for is not None and waitlist_entry is not None and made_for != waitlist_entry.pk:
        raise InvalidFloorInput("routing_decision", "the routing decision was made for another waitlist entry")
    return locked


def _followed(decision: RoutingDecision, *, table_ids: list[int], server) -> bool | None:
    """Did the host seat the top recommendation: its table, or every one of its tables pushed together,
    and its server? None when there was nothing to follow."""
    if decision.recommended_table_id is None and decision.recommended_server_id is None:
        return None
    recommended = [decision.recommended_table_id]
    if decision.recommendations:
        top = decision.recommendations[0]
        recommended = top.get("table_ids") or [top.get("table_id")]
    return set(recommended) == set(table_ids) and decision.recommended_server_id == server.pk
