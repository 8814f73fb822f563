"""What a caller may do on the floor page: the dashboard offers these actions and no others, and
`GET .../floor` answers them as `actions`. Worked out from the caller's role (a session) or scopes (an API
key) and the table state machine (`floor.models.TRANSITIONS`), so the page never re-implements a rule."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from floor.models import TableState, allowed_states, needs_manager, settable_states
from restaurant.models import FLOOR_ROLES, MANAGING_ROLES, ApiScope


@dataclass(frozen=True)
class FloorActions:
    """`switch_mode`: `POST .../mode`. `run_floor`: seat, clear and bus, the waitlist's, the rotation's
    and the time clock's actions. `seat_from`: the states a table is seated from. `table_states`: for a
    table in each state, the states this caller may set through `POST .../tables/{id}/state`."""

    switch_mode: bool
    run_floor: bool
    seat_from: tuple[str, ...]
    table_states: dict[str, tuple[str, ...]]


def floor_actions(*, role: str | None, client=None) -> FloorActions:
    """The actions of a member of this `role` (None: no member), or of an API `client`: the floor views let
    the floor roles and `frontend` keys run the floor, `pos` keys set table states too, and only owners and
    managers (never a key) switch the mode or block and unblock tables."""
    if client is not None:
        runs_floor, manages = client.has_scope(ApiScope.FRONTEND), False
        sets_states = runs_floor or client.has_scope(ApiScope.POS)
    else:
        runs_floor = sets_states = role in FLOOR_ROLES
        manages = role in MANAGING_ROLES
    return _actions(runs_floor=runs_floor, sets_states=sets_states, manages=manages)


@functools.cache
def _actions(*, runs_floor: bool, sets_states: bool, manages: bool) -> FloorActions:
    # Eight possible answers, each worked out once per process: the floor's every refresh asks.
    return FloorActions(
        switch_mode=manages,
        run_floor=runs_floor,
        seat_from=tuple(s for s in TableState.values if runs_floor and TableState.OCCUPIED in allowed_states(s)),
        table_states={
            state: tuple(
                to
                for to in settable_states(state)
                if sets_states and (manages or not needs_manager(from_state=state, to_state=to))
            )
            for state in TableState.values
        },
    )
