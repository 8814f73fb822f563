"""The quote's range and the queue simulation on a busy night (floor/engine/quotes.py): the range widens with
the wait and always holds the quote; the simulation paces each section as the engine does (a couple whose
table frees first sits before the large party ahead, whole-minute holds) and seats
couples as the engine's table mix does. Pure: no database."""

from datetime import UTC, datetime, timedelta

import numpy as np

from floor.engine.floor import DIRTY, FloorServer, FloorSnapshot, FloorTable, RoutingConfig
from floor.engine.quotes import (
    Distribution,
    QueuedParty,
    TurnModel,
    entry_quotes,
    queue_quotes,
    section_pacing,
    simulate_waits,
)

NOW = datetime(2026, 5, 1, 23, 30, tzinfo=UTC)


def table(table_id, seats, *, section_id=1, **fields) -> FloorTable:
    return FloorTable(id=table_id, label=str(table_id), section_id=section_id, min_seats=1, max_seats=seats, **fields)


def dirty(table_id, seats, *, for_minutes, **fields) -> FloorTable:
    return table(table_id, seats, state=DIRTY, minutes_in_state=for_minutes, **fields)


def snapshot(tables, *, last_seated=None, **config) -> FloorSnapshot:
    ana = FloorServer(
        staff_id=1,
        name="Ana Lopez",
        shift_id=1,
        clock_in=NOW - timedelta(hours=3),
        section_id=1,
        last_seated_at=NOW - timedelta(minutes=last_seated) if last_seated is not None else None,
    )
    return FloorSnapshot(now=NOW, mode="rotation", config=RoutingConfig(**config), tables=tuple(tables), servers=(ana,))


# -- the range --------------------------------------------------------------------------------------


def test_the_range_widens_with_the_wait_and_holds_the_quote():
    runs = 256
    quotes = entry_quotes({"now": np.zeros(runs), "soon": np.full(runs, 8.0), "later": np.full(runs, 40.0)})

    assert (quotes["now"].minutes, quotes["now"].low, quotes["now"].high) == (0, 0, 5)
    soon, later = quotes["soon"], quotes["later"]
    # Every simulated run said 8 and 40: the quote is that, the range allows for what the runs cannot see.
    assert (soon.minutes, later.minutes) == (8, 40)
    assert soon.low <= 8 <= soon.high and later.low < 40 < later.high
    assert soon.high - soon.low < later.high - later.low
    assert later.high - later.low <= 40  # still a range a guest can plan with
    assert all(q.low % 5 == 0 and q.high % 5 == 0 for q in quotes.values())


def test_the_range_is_the_same_for_the_same_waits():
    waits = {"a": np.linspace(5, 25, 256)}
    assert entry_quotes(waits) == entry_quotes(dict(waits))


# -- pacing -----------------------------------------------------------------------------------------


def test_a_couple_whose_table_frees_first_sits_before_the_large_party_ahead():
    # Ana works Main alone, paced every 5 minutes. The 6 ahead waits for the 6-top, ready in half an hour;
    # the couple's 2-top is free now: the engine seats the couple first, and so does the quote.
    tables = [dirty(1, 6, for_minutes=0.0), table(2, 2)]
    snap = snapshot(tables, pacing_minutes=5)
    model = TurnModel(bus=Distribution(np.full(200, 30.0)), stay_share=1.0)
    queue = [QueuedParty(key="six", party_size=6), QueuedParty(key="two", party_size=2)]

    waits = simulate_waits(tables=tables, queue=queue, model=model, day_part="dinner", pacing=section_pacing(snap))

    assert (waits["two"] == 0).all()
    assert (waits["six"] == 30).all()


def test_every_party_ahead_takes_a_paced_turn_even_one_that_may_leave():
    # Ana was seated 2 minutes ago: the first party sits at 3 minutes, the second 5 minutes later. Even in
    # the runs where the first leaves the list: someone who joins meanwhile takes that turn.
    tables = [table(1, 4), table(2, 4)]
    snap = snapshot(tables, last_seated=2, pacing_minutes=5)
    queue = [QueuedParty(key="a", party_size=2), QueuedParty(key="b", party_size=2)]

    for share in (1.0, 0.0):
        model = TurnModel(stay_share=share)
        waits = simulate_waits(tables=tables, queue=queue, model=model, day_part="d", pacing=section_pacing(snap))
        assert (waits["a"] == 3).all() and (waits["b"] == 8).all()


# -- the table mix ----------------------------------------------------------------------------------


def test_the_couple_first_in_line_waits_for_the_2_top_while_a_4_is_on_the_list():
    # A 4-top is free; a 2-top is being bussed (about 4 minutes left). With the party of 4 on the list the
    # engine keeps the 4-top from the couple ahead of them; the quote says the couple waits for the 2-top
    # and the 4 sits now. Without the table mix, the other way round.
    tables = [table(1, 4), dirty(2, 2, for_minutes=2.0)]
    queue = [QueuedParty(key="two", party_size=2), QueuedParty(key="four", party_size=4)]

    def quotes(minutes):
        return queue_quotes(snapshot(tables, table_mix_minutes=minutes), queue, model=TurnModel(), day_part="d")

    kept, off, too_late = quotes(10), quotes(0), quotes(1)

    assert 0 < kept["two"].minutes <= 10 and kept["four"].minutes == 0
    assert off["two"].minutes == 0 and off["four"].minutes > 0
    assert too_late["two"].minutes == 0  # the 2-top frees later than a minute: the couple takes the 4-top


def test_the_couple_takes_the_4_top_when_nobody_larger_waits():
    tables = [table(1, 4), dirty(2, 2, for_minutes=2.0)]
    queue = [QueuedParty(key="two", party_size=2), QueuedParty(key="other", party_size=2)]

    quotes = queue_quotes(snapshot(tables, table_mix_minutes=10), queue, model=TurnModel(), day_part="d")

    assert quotes["two"].minutes == 0


def test_a_paced_party_is_held_whole_minutes_as_the_engine_holds_it():
    # Ana was seated 2.5 minutes ago: the engine holds the party 3 minutes (it says "seat at 19:33").
    tables = [table(1, 4)]
    snap = snapshot(tables, last_seated=2.5, pacing_minutes=5)

    waits = simulate_waits(
        tables=tables,
        queue=[QueuedParty(key="a", party_size=2)],
        model=TurnModel(),
        day_part="d",
        pacing=section_pacing(snap),
    )

    assert (waits["a"] == 3).all()
