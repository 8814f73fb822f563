"""The table state machine: which state changes are allowed, and the one service that makes them.

The transitions are data (`TRANSITIONS`), in this one place. Each allowed change says how it may be made:

- `SET`: by `table_state_set` (the host's state button, the POS, a camera, the system);
- `SEAT`: only by seating a party (`floor.services.seating.table_seat`), because an occupied table needs
  a visit with a party size and a server;
- `CLEAR`: by `table_state_set` too, but it is clearing: the open visit is closed at the same instant
  (an occupied table marked dirty means the party left), so a table never shows dirty with a party on
  it. Occupied never goes straight to available: it is bussed first.

Setting the state a table already has is a no-op (no history row, no event), so a retried POS or camera
event changes nothing twice. Entering or leaving `blocked` is a manager's decision: `needs_manager`
tells the API layer when to ask for that role."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from floor.events import floor_changed
from floor.exceptions import IllegalTransition, InvalidFloorInput, WrongRestaurant
from floor.models import StateSource, Table, TableState, TableStateChange, Visit

SET = "set"
SEAT = "seat"
CLEAR = "clear"

TRANSITIONS: dict[str, dict[str, str]] = {
    TableState.AVAILABLE: {TableState.OCCUPIED: SEAT, TableState.RESERVED: SET, TableState.BLOCKED: SET},
    TableState.RESERVED: {TableState.OCCUPIED: SEAT, TableState.AVAILABLE: SET, TableState.BLOCKED: SET},
    TableState.OCCUPIED: {TableState.DIRTY: CLEAR},
    TableState.DIRTY: {TableState.AVAILABLE: SET, TableState.BLOCKED: SET},
    TableState.BLOCKED: {TableState.AVAILABLE: SET},
}

MANAGER_STATES = frozenset({TableState.BLOCKED})

_STATE_ORDER = list(TableState.values)


def allowed_states(current: str) -> list[str]:
    """Every state a table may go to from `current`, by any path (seating included)."""
    return sorted(TRANSITIONS.get(current, {}), key=_STATE_ORDER.index)


def settable_states(current: str) -> list[str]:
    """The states `table_state_set` accepts from `current` (all but those only seating reaches)."""
    return [state for state in allowed_states(current) if TRANSITIONS[current][state] != SEAT]


def needs_manager(*, from_state: str, to_state: str) -> bool:
    """Blocking a table, or unblocking it, is for a manager; the API checks the caller's role with this."""
    return from_state != to_state and (from_state in MANAGER_STATES or to_state in MANAGER_STATES)


def lock_table(*, restaurant, table: Table) -> Table:
    """The table's row, locked until the transaction ends; the restaurant must own it."""
    if table.restaurant_id != restaurant.pk:
        raise WrongRestaurant("table")
    return Table.objects.select_for_update().get(pk=table.pk)


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


def record_transition(
    *,
    table: Table,
    to_state: str,
    source: str,
    at: datetime,
    actor=None,
    confidence: float | None = None,
    note: str = "",
) -> TableStateChange:
    """Move a locked, checked table to `to_state` and write the history row."""
    change = TableStateChange.objects.create(
        restaurant_id=table.restaurant_id,
        table=table,
        from_state=table.state,
        to_state=to_state,
        source=source,
        confidence=confidence,
        actor=actor,
        note=note,
        at=at,
    )
    table.state = to_state
    table.state_changed_at = at
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
) -> Table:
    """Set a table's state if the state machine allows it, recording who or what did it.

    Occupied -> dirty closes the open visit (clearing). The same state again changes nothing."""
    if to_state not in TableState.values:
        raise InvalidFloorInput("state", f"state must be one of {', '.join(TableState.values)}")
    validate_source(source)
    if confidence is not None and not 0 <= confidence <= 1:
        raise InvalidFloorInput("confidence", "confidence must be between 0 and 1")
    if len(note) > TableStateChange._meta.get_field("note").max_length:
        raise InvalidFloorInput("note", "note is too long (200 characters at most)")
    at = at or timezone.now()
    with transaction.atomic():
        locked = lock_table(restaurant=restaurant, table=table)
        if locked.state == to_state:
            sync_instance(table, locked)
            return table
        from_state = locked.state
        kind = check_transition(table=locked, to_state=to_state, via=SET)
        closed_visit_ids = _close_open_visits(table=locked, at=at) if kind == CLEAR else []
        record_transition(
            table=locked, to_state=to_state, source=source, at=at, actor=actor, confidence=confidence, note=note
        )
        floor_changed(
            restaurant.pk,
            "table_state",
            {
                "table_id": locked.pk,
                "label": locked.label,
                "from_state": from_state,
                "state": to_state,
                "source": source,
                "closed_visit_ids": closed_visit_ids,
            },
        )
    sync_instance(table, locked)
    return table


def _close_open_visits(*, table: Table, at: datetime) -> list[int]:
    # The partial unique index allows one open visit, but a list keeps this correct should it ever be more.
    visits = list(Visit.objects.select_for_update().filter(table=table, closed_at__isnull=True))
    for visit in visits:
        visit.closed_at = max(at, visit.seated_at)
        visit.save(update_fields=["closed_at"])
    return [visit.pk for visit in visits]
