"""Writes on the floor, one module per concern (`table_states`: the state machine; `seating`: seat, close,
clear, bus; `routing`: route a party, seat next, the routing mode; `waitlist`; `sections`). Import a
service from its module, e.g. `from floor.services.seating import table_seat`.

The manager rule for table states is re-exported here, for the API and the dashboard to show only what
a caller may do (`table_state_set` enforces it whatever they show)."""

from floor.services.table_states import may_set_state, needs_manager

__all__ = ["may_set_state", "needs_manager"]
