"""Builders for the pure engine tests: a server on a hand-built floor, as the engine sees them."""

from datetime import datetime, timedelta

from floor.engine.floor import FloorServer


def floor_server(staff_id, name, *, now: datetime, section_id=1, clocked_in=180, last_seated=None, **fields):
    """A server of `section_id`, clocked in `clocked_in` minutes before `now` and last seated `last_seated`
    minutes before it (None: not yet this shift); other FloorServer fields as given."""
    return FloorServer(
        staff_id=staff_id,
        name=name,
        shift_id=staff_id,
        clock_in=now - timedelta(minutes=clocked_in),
        section_id=section_id,
        last_seated_at=now - timedelta(minutes=last_seated) if last_seated is not None else None,
        **fields,
    )
