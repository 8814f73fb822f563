"""Writes on the floor, one module per concern (`table_states`: the state machine; `seating`: seat, close,
clear, bus; and so on). Import a service from its module, e.g. `from floor.services.seating import table_seat`."""
