"""Writes on the floor, one module per concern: `table_states` (the state machine), `seating` (seat,
close, clear, bus). Import services from their module, e.g. `from floor.services.seating import table_seat`."""
