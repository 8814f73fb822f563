"""The table state machine's one service: it makes the changes the transitions allow.

The transitions are data (`floor.models.TRANSITIONS`, next to the states). Each allowed change says how
it may be made:

- `SET`: by `table_state_set` (the host's state button, the POS, a camera, the system);
- `SEAT`: only by seating a party (`floor.services.seating.table_seat`), because an occupied table needs
  a visit with a party size and a server;
- `CLEAR`: by `table_state_set` too, but it is clearing: the open visit is closed at the same instant
  (an occupied table marked dirty means the party left), so a table never shows dirty with a party on
  it. Occupied never goes straight to available: it is bussed first.

Setting the state a table already has is a no-op (no history row, no event), so a retried POS or camera
event changes nothing twice. Entering or leaving `blocked` is a manager's decision: the caller passes
the role of whoever asks (`role`), and `table_state_set` checks it under the table's lock, against the
state the change is really made from (`needs_manager`; a key, a camera or the system has no such role).

Tables pushed together for one party (a visit's `table` and its `joined_tables`) share the party's
fate: clearing any one of them closes the visit and sends every one of them to dirty. Whatever locks
several tables locks them in id order (`lock_tables`, `lock_party`), so two services locking
overlapping sets never deadlock."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from floor.events import floor_changed
from floor.exceptions import IllegalTransition, InvalidFloorInput, ManagerOnly, TableTaken, WrongRestaurant
from floor.models import (
    CLEAR,
    SEAT,
    SET,
    TRANSITIONS,
    StateSource,
    Table,
    TableState,
    TableStateChange,
    Visit,
    allowed_states,
    needs_manager,
    settable_states,
)
from restaurant.models import MANAGING_ROLES


def may_set_state(*, role: str | None, from_state: str, to_state: str) -> bool:
    """Whether someone of this role (None: a key, a camera, the system) may make this change."""
    return role in MANAGING_ROLES or not needs_manager(from_state=from_state, to_state=to_state)


# How often `lock_party` looks again when a party was seated or cleared at the table while it waited.
PARTY_LOCK_ATTEMPTS = 3

JoinedTable = Visit.joined_tables.through


def lock_table(*, restaurant, table: Table) -> Table:
    """The table's row, locked until the transaction ends; the restaurant must own it."""
    if table.restaurant_id != restaurant.pk:
        raise WrongRestaurant("table")
    return Table.objects.select_for_update().get(pk=table.pk)


def lock_tables(*, table_ids: Iterable[int]) -> dict[int, Table]:
    """The tables' rows by id, locked until the transaction ends, in id order (PostgreSQL locks the
    rows as the sorted scan returns them): every service locking several tables takes them in this order."""
    return {table.pk: table for table in Table.objects.select_for_update().filter(pk__in=set(table_ids)).order_by("pk")}


def open_visit_at(table_id: int) -> Visit | None:
    """The open visit a table belongs to, as its own table or pushed together with it."""
    return Visit.objects.holding([table_id]).first()


def visit_table_ids(visit: Visit) -> list[int]:
    """Every table of a visit: its own table first, then those pushed together with it, by id."""
    joined = JoinedTable.objects.filter(visit_id=visit.pk).order_by("table_id").values_list("table_id", flat=True)
    return [visit.table_id, *joined]


def tables_taken(table_ids: Iterable[int]) -> set[int]:
    """Those of the tables an open visit sits at, as its own table or pushed together with it."""
    ids = set(table_ids)
    rows = Visit.objects.holding(ids).values_list("table_id", "joined_tables")
    return {table_id for row in rows for table_id in row if table_id in ids}


class _PartyMoved(Exception):
    """A party was seated at the table between looking and locking: let go of the locks and look again."""


def lock_party(*, restaurant, table: Table) -> tuple[Table, dict[int, Table], Visit | None]:
    """Lock a table and, when its open visit spans tables pushed together, every table of that visit, in
    id order. Returns the locked table, every locked table by id, and the open visit (None if none).

    The visit is looked up before the locks are taken (to know which rows to lock) and again under them;
    should a party have been seated across other tables meanwhile, the savepoint gives the locks back
    before trying again, so no lock is ever awaited out of id order."""
    if table.restaurant_id != restaurant.pk:
        raise WrongRestaurant("table")
    for _ in range(PARTY_LOCK_ATTEMPTS):
        seen = open_visit_at(table.pk)
        wanted = visit_table_ids(seen) if seen is not None else [table.pk]
        try:
            with transaction.atomic():
                locked = lock_tables(table_ids=wanted)
                visit = open_visit_at(table.pk)
                moved = visit is not None and visit.pk != getattr(seen, "pk", None)
                if moved and not set(visit_table_ids(visit)) <= set(locked):
                    raise _PartyMoved
                return locked[table.pk], locked, visit
        except _PartyMoved:
            continue
    raise TableTaken(
        f"Table {table.label} keeps changing hands; try again.", details={"table_id": table.pk}, code="table_busy"
    )


def check_transition(*, table: Table, to_state: str, via: str) -> str:
    """The kind of the change (SET, SEAT or CLEAR); IllegalTransition naming the allowed states if none."""
    kind = TRANSITIONS.get(table.state, {}).get(to_state)
    permitted = (SEAT,) if via == SEAT else (SET, CLEAR)
    if kind in permitted:
        return kind
    allowed = allowed_states(table.state) if via == SEAT else settable_states(table.state)
    if via == SEAT:
        message = f"Table {table.label} is {table.state}; only an available or reserved table can be seated."
    else:
        options = " or ".join(allowed) if allowed else "nothing else"
        message = f"Table {table.label} is {table.state}; it can go to {options} from here."
        if kind == SEAT:
            message += " To make it occupied, seat a party."
    raise IllegalTransition(
        message, table_id=table.pk, current_state=table.state, requested_state=to_state, allowed=allowed
    )


def record_transition(table: Table, change: TableStateChange) -> TableStateChange:
    """Move a locked, checked table to the state `change` names and write `change` as its history row.
    `change` comes unsaved, in the history row's own terms (`to_state`, `source`, `at`, and `actor`,
    `confidence`, `note` when known); the table, its restaurant and the state it leaves are filled in here."""
    change.restaurant_id, change.table, change.from_state = table.restaurant_id, table, table.state
    change.save()
    table.state = change.to_state
    table.state_changed_at = change.at
    table.save(update_fields=["state", "state_changed_at"])
    return change


def validate_source(source: str) -> None:
    if source not in StateSource.values:
        raise InvalidFloorInput("source", f"source must be one of {', '.join(StateSource.values)}")


def sync_instance(target: Table, locked: Table) -> None:
    """Let the caller's Table instance show the state the service left in the database."""
    target.state = locked.state
    target.state_changed_at = locked.state_changed_at


def table_state_set(
    *,
    restaurant,
    table: Table,
    to_state: str,
    source: str,
    actor=None,
    confidence: float | None = None,
    note: str = "",
    at: datetime | None = None,
    role: str | None = None,
) -> Table:
    """Set a table's state if the state machine allows it, recording who or what did it.

    Occupied -> dirty closes the open visit (clearing). The same state again changes nothing. Blocking
    or unblocking needs `role` to be a managing role (`ManagerOnly`, a 403, otherwise)."""
    if to_state not in TableState.values:
        raise InvalidFloorInput("state", f"state must be one of {', '.join(TableState.values)}")
    validate_source(source)
    if confidence is not None and not 0 <= confidence <= 1:
        raise InvalidFloorInput("confidence", "confidence must be between 0 and 1")
    if len(note) > TableStateChange._meta.get_field("note").max_length:
        raise InvalidFloorInput("note", "note is too long (200 characters at most)")
    at = at or timezone.now()
    with transaction.atomic():
        locked, party_tables, visit = lock_party(restaurant=restaurant, table=table)
        if locked.state == to_state:
            sync_instance(table, locked)
            return table
        kind = check_transition(table=locked, to_state=to_state, via=SET)
        if not may_set_state(role=role, from_state=locked.state, to_state=to_state):
            raise ManagerOnly(
                "Only a manager may block a table or unblock it.",
                details={"table_id": locked.pk, "current_state": locked.state, "requested_state": to_state},
            )
        from_state = locked.state
        closed_visit_ids = []
        others = []
        if kind == CLEAR and visit is not None:
            closed_visit_ids = [_close(visit, at=at)]
            # The party left every table it sat at: the others go dirty with this one.
            others = [t for pk, t in party_tables.items() if pk != locked.pk and t.state == TableState.OCCUPIED]
        change = {"to_state": to_state, "source": source, "at": at, "actor": actor}
        record_transition(locked, TableStateChange(**change, confidence=confidence, note=note))
        for other in others:  # the same change, noted as following this table's
            record_transition(other, TableStateChange(**change, note=f"cleared with {locked.label}"))
        floor_changed(
            restaurant.pk,
            "table_state",
            {
                "table_id": locked.pk,
                "table_ids": [locked.pk, *(other.pk for other in others)],
                "label": locked.label,
                "from_state": from_state,
                "state": to_state,
                "source": source,
                "closed_visit_ids": closed_visit_ids,
            },
        )
    sync_instance(table, locked)
    return table


def _close(visit: Visit, *, at: datetime) -> int:
    locked = Visit.objects.select_for_update().get(pk=visit.pk)
    locked.closed_at = locked.closing_time(at)
    locked.save(update_fields=["closed_at"])
    return locked.pk
