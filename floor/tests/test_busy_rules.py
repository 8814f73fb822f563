"""The busy-night rules of the routing engine on small hand-built floors (floor/engine/outlook.py and the
pacing in floor/engine/routing.py): a hold instead of a double seat, a 4-top kept for the waiting 4,
tables pushed together only for more covers, rotation by covers per hour, quotes that know the pacing,
and tonight's fairness. Pure: no database."""

from datetime import UTC, datetime, timedelta

from floor.engine.fairness import tonight
from floor.engine.floor import COVERS, OCCUPIED, FloorServer, FloorSnapshot, FloorTable, Party, RoutingConfig
from floor.engine.outlook import Outlook
from floor.engine.quotes import QueuedParty, TurnModel, section_pacing, simulate_waits
from floor.engine.routing import rank_seatings
from floor.engine.server_order import server_order
from floor.tests.engine_floor import floor_server

NOW = datetime(2026, 5, 1, 23, 30, tzinfo=UTC)  # 19:30 in New York


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def server(staff_id, name, *, covers=0, **fields) -> FloorServer:
    return floor_server(staff_id, name, now=NOW, covers_shift=covers, **fields)


def table(table_id, seats, *, section_id=1, min_seats=1, **fields) -> FloorTable:
    return FloorTable(
        id=table_id, label=str(table_id), section_id=section_id, min_seats=min_seats, max_seats=seats, **fields
    )


def floor(servers, tables, **config) -> FloorSnapshot:
    return FloorSnapshot(
        now=NOW,
        mode="rotation",
        config=RoutingConfig(**config),
        tables=tuple(tables),
        servers=tuple(servers),
        section_names={1: "Main", 2: "Patio"},
        timezone="America/New_York",
    )


PACED = {"pacing_minutes": 5, "hold_minutes_max": 5}


# -- pacing -----------------------------------------------------------------------------------------


def test_a_party_is_held_for_the_server_just_seated_rather_than_double_seated():
    # Ana works Main alone and was seated 2 minutes ago: in 3 minutes she is no longer a double seat.
    snap = floor([server(1, "Ana Lopez", last_seated=2)], [table(7, 4)], **PACED)
    top = rank_seatings(snap, party_size=2).recommendations[0]
    assert (top.table_id, top.server_id, top.hold_minutes, top.seat_at) == (7, 1, 3, "19:33")
    assert top.breakdown["hold"] == -15.0 and top.breakdown["double_seat"] == 0.0
    assert top.reason.startswith("Seat at 19:33 with Ana, or now as a double seat")


def test_the_hold_names_the_server_who_could_take_the_party_now():
    # By covers per hour Ben is first, Ana second. Both were just seated: Ben a minute ago (4 minutes to go,
    # longer than the 3 a party may be held), Ana 3 minutes ago (2 to go). Holding for Ana beats
    # double-seating Ben, and the sentence offers both.
    servers = [
        server(1, "Ana Lopez", last_seated=3, covers=10),
        server(2, "Ben Ng", section_id=2, last_seated=1, covers=4),
    ]
    tables = [table(7, 2), table(9, 2, section_id=2)]
    snap = floor(servers, tables, rotation_basis=COVERS, pacing_minutes=5, hold_minutes_max=3)
    held, now = rank_seatings(snap, party_size=2).recommendations
    assert (held.table_id, held.server_id, held.hold_minutes, held.score) == (7, 1, 2, 80.0)
    assert (now.table_id, now.server_id, now.hold_minutes, now.score) == (9, 2, 0, 70.0)
    assert held.reason == (
        "Seat at 19:32 with Ana, or now with Ben (Table 9): Ana was just seated, Table 7 (2-top, exact fit) in 2 min"
    )


def test_no_hold_when_another_server_can_take_the_party_now_without_a_double_seat():
    # Ana is first by covers but was seated 2 minutes ago; Ben, seated 20 minutes ago, takes the party now.
    servers = [
        server(1, "Ana Lopez", last_seated=2, covers=4),
        server(2, "Ben Ng", section_id=2, last_seated=20, covers=20),
    ]
    snap = floor(servers, [table(7, 2), table(9, 2, section_id=2)], rotation_basis=COVERS, **PACED)
    ranked = rank_seatings(snap, party_size=2).recommendations
    assert [(r.server_id, r.hold_minutes) for r in ranked] == [(2, 0), (1, 0)]


def test_without_pacing_the_double_seat_is_recommended_now():
    snap = floor([server(1, "Ana Lopez", last_seated=2)], [table(7, 4)])
    top = rank_seatings(snap, party_size=2).recommendations[0]
    assert top.hold_minutes == 0 and top.breakdown["double_seat"] == -30.0
    assert "double seat" in top.reason


def test_a_server_free_now_beats_a_hold():
    snap = floor(
        [server(1, "Ana Lopez", last_seated=2), server(2, "Ben Ng", section_id=2, last_seated=30)],
        [table(7, 4), table(9, 4, section_id=2)],
        **PACED,
    )
    top = rank_seatings(snap, party_size=2).recommendations[0]
    assert (top.server_id, top.hold_minutes) == (2, 0)


def test_a_hold_longer_than_the_most_allowed_is_not_offered():
    snap = floor([server(1, "Ana Lopez", last_seated=1)], [table(7, 4)], pacing_minutes=10, hold_minutes_max=5)
    top = rank_seatings(snap, party_size=2).recommendations[0]
    assert top.hold_minutes == 0 and top.breakdown["double_seat"] == -30.0


# -- table mix --------------------------------------------------------------------------------------


def mixed_floor(**config):
    # A free 4-top; the only 2-top is taken by a couple seated 60 minutes ago (frees in about 6 minutes).
    couple = Party(visit_id=1, size=2, seated_at=ago(60), table_ids=(2,), server_id=1)
    return floor(
        [server(1, "Ana Lopez", last_seated=30)],
        [table(4, 4), table(2, 2, state=OCCUPIED, party=couple, minutes_seated=60)],
        **config,
    )


def test_a_four_top_is_kept_for_the_waiting_four_when_a_two_top_frees_soon():
    snap = mixed_floor(table_mix_minutes=10)
    outlook = Outlook(waiting=(4,), frees_in={2: 6.0})
    couple = rank_seatings(snap, party_size=2, outlook=outlook)
    assert couple.recommendations == []
    assert couple.reason == (
        "Table 4 (4-top) is kept for the party of 4 waiting; Table 2 (2-top) should free in about 6 min "
        "for this party of 2"
    )
    four = rank_seatings(snap, party_size=4, outlook=Outlook(waiting=(2,), frees_in={2: 6.0}))
    assert [r.table_id for r in four.recommendations] == [4]


def test_the_four_top_goes_to_the_couple_when_no_two_top_frees_soon_or_nobody_larger_waits():
    snap = mixed_floor(table_mix_minutes=10)
    late = rank_seatings(snap, party_size=2, outlook=Outlook(waiting=(4,), frees_in={2: 25.0}))
    nobody = rank_seatings(snap, party_size=2, outlook=Outlook(waiting=(2,), frees_in={2: 6.0}))
    off = rank_seatings(mixed_floor(), party_size=2, outlook=Outlook(waiting=(4,), frees_in={2: 6.0}))
    assert [r.table_id for r in late.recommendations] == [4]
    assert [r.table_id for r in nobody.recommendations] == [4]
    assert [r.table_id for r in off.recommendations] == [4]


def test_tables_are_pushed_together_only_when_that_seats_more_covers():
    tables = [table(1, 4, combinable_group="A"), table(2, 4, combinable_group="A")]
    snap = floor([server(1, "Ana Lopez")], tables, table_mix_minutes=10)
    # Two waiting fours would fill both 4-tops: 8 covers, more than the 6.
    crowded = rank_seatings(snap, party_size=6, outlook=Outlook(waiting=(4, 4)))
    # Two waiting couples would bring 4 covers: the 6 seats more.
    couples = rank_seatings(snap, party_size=6, outlook=Outlook(waiting=(2, 2)))
    assert crowded.recommendations == []
    assert [r.table_ids for r in couples.recommendations] == [[1, 2]]


# -- rotation by covers -----------------------------------------------------------------------------


def test_rotation_by_covers_puts_the_fewest_covers_per_hour_on_the_floor_first():
    # Ana: 12 covers in 3 hours (4/h), seated longest ago; Ben: 6 covers in 1 hour (6/h); Cy: 4 in 2 hours.
    servers = [
        server(1, "Ana", covers=12, clocked_in=180, last_seated=40),
        server(2, "Ben", covers=6, clocked_in=60, last_seated=20),
        server(3, "Cy", covers=4, clocked_in=120, last_seated=10),
    ]
    by_turns = [s.server.name for s in server_order(floor(servers, [table(1, 4)]), party_size=2)]
    by_covers = [
        s.server.name for s in server_order(floor(servers, [table(1, 4)], rotation_basis=COVERS), party_size=2)
    ]
    assert by_turns == ["Ana", "Ben", "Cy"]
    assert by_covers == ["Cy", "Ana", "Ben"]


# -- load and lending -------------------------------------------------------------------------------

LOADED = {"overload_penalty": 30.0}
LENDING = {"overload_penalty": 30.0, "borrow_tables": True, "borrow_penalty": 20.0}


def test_a_server_past_their_tiers_tables_loses_the_party_to_a_lighter_section():
    # Ana (standard: carries 4) has 4 tables open and is next in rotation; Ben has 1. A 4-top is free in
    # each section: the fifth table would slow Ana down, so Ben's table wins; without the rule, Ana's.
    servers = [server(1, "Ana Diaz", tables_now=4, clocked_in=200), server(2, "Ben Ito", section_id=2, tables_now=1)]
    tables = [table(7, 4), table(9, 4, section_id=2)]
    top = rank_seatings(floor(servers, tables, **LOADED), party_size=4).recommendations[0]
    assert (top.table_ids, top.server_name) == ([9], "Ben Ito")
    assert top.breakdown["overload"] == 0.0
    ana = rank_seatings(floor(servers, tables, **LOADED), party_size=4).recommendations[1]
    assert ana.breakdown["overload"] == -30.0
    assert "5 tables with this one, over a standard server's 4" in ana.reason
    plain = rank_seatings(floor(servers, tables), party_size=4).recommendations[0]
    assert (plain.table_ids, plain.server_name) == ([7], "Ana Diaz")


def test_a_strong_server_carries_more_tables_before_the_load_counts():
    servers = [server(1, "Ana Diaz", tables_now=4, tier="strong", clocked_in=200), server(2, "Ben Ito", section_id=2)]
    top = rank_seatings(floor(servers, [table(7, 4), table(9, 4, section_id=2)], **LOADED), party_size=4)
    assert (top.recommendations[0].server_name, top.recommendations[0].breakdown["overload"]) == ("Ana Diaz", 0.0)


def test_a_table_is_lent_to_a_lighter_server_when_its_own_section_is_overloaded():
    # Main's only free table; Ana carries 6 (2 past her 4), Ben in the Patio has 1 and no free table.
    servers = [server(1, "Ana Diaz", tables_now=6), server(2, "Ben Ito", section_id=2, tables_now=1)]
    tables = [table(7, 4), table(9, 4, section_id=2, state=OCCUPIED)]
    top = rank_seatings(floor(servers, tables, **LENDING), party_size=4).recommendations[0]
    assert (top.table_ids, top.server_name) == ([7], "Ben Ito")
    assert top.breakdown["borrowed"] == -20.0
    assert "lent this Main table from Patio" in top.reason
    # Without lending only Main's server may take Main's table, however loaded.
    kept = rank_seatings(floor(servers, tables, **LOADED), party_size=4).recommendations[0]
    assert kept.server_name == "Ana Diaz"


def test_no_lending_while_the_sections_own_server_has_room():
    servers = [server(1, "Ana Diaz", tables_now=2), server(2, "Ben Ito", section_id=2, clocked_in=200)]
    tables = [table(7, 4), table(9, 4, section_id=2, state=OCCUPIED)]
    top = rank_seatings(floor(servers, tables, **LENDING), party_size=4).recommendations[0]
    assert (top.server_name, top.breakdown["borrowed"]) == ("Ana Diaz", 0.0)


def test_tables_of_a_section_nobody_works_are_never_lent():
    # The Patio is closed tonight (no server of its own): its table is not offered to Main's server.
    servers = [server(1, "Ana Diaz")]
    ranking = rank_seatings(floor(servers, [table(9, 4, section_id=2)], **LENDING), party_size=4)
    assert ranking.recommendations == []


# -- quotes and fairness ----------------------------------------------------------------------------


def test_quotes_space_a_sections_seatings_by_the_pacing():
    snap = floor([server(1, "Ana Lopez", last_seated=2)], [table(1, 4), table(2, 4)], **PACED)
    queue = [QueuedParty(key="a", party_size=2), QueuedParty(key="b", party_size=2)]
    model = TurnModel()
    plain = simulate_waits(tables=list(snap.tables), queue=queue, model=model, day_part="dinner")
    paced = simulate_waits(
        tables=list(snap.tables), queue=queue, model=model, day_part="dinner", pacing=section_pacing(snap)
    )
    assert plain["a"].max() == 0 and plain["b"].max() == 0
    assert (paced["a"] == 3).all() and (paced["b"] == 8).all()


def test_tonights_fairness_says_who_is_behind_by_how_much_and_counts_double_seats():
    servers = [server(1, "Ana", covers=12, clocked_in=120), server(2, "Ben", covers=4, clocked_in=120)]
    seatings = [(1, ago(50)), (1, ago(47)), (1, ago(20)), (2, ago(30))]
    fairness = tonight(floor(servers, [table(1, 4)]), seatings)
    assert [(s.name, s.covers_per_hour, s.behind_covers, s.double_seats) for s in fairness.servers] == [
        ("Ben", 2.0, 4.0, 0),
        ("Ana", 6.0, 0.0, 1),
    ]
    assert fairness.gini == 0.25 and fairness.double_seats == 1 and fairness.mean_covers_per_hour == 4.0
