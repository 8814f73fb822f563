"""The engine is plain Python: it loads no Django, its vocabulary is the models', and its read model
holds the floor's rules in one place (occupancy of open parties, the shift window, party-size bounds)."""

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from floor.engine import floor as engine
from floor.engine.floor import (
    MAX_PARTY_SIZE,
    SHIFT_LOOKBACK,
    FloorTable,
    InvalidValue,
    Party,
    check_party_size,
    parse_preferences,
    parties_by_table,
    server_on_floor,
    window_start,
)
from floor.models import TableState, WaitlistStatus
from restaurant.models import RoutingMode
from staff.models import Tier

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 6, 19, 0, tzinfo=ZoneInfo("America/New_York"))


def test_importing_the_engine_loads_no_django():
    code = (
        "import sys; import floor.engine.floor, floor.engine.routing, floor.engine.server_order, "
        "floor.engine.reasons, floor.engine.quotes; "
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'django', 'rest_framework', 'celery'}); "
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_engines_names_are_the_models_values():
    assert {engine.AVAILABLE, engine.OCCUPIED, engine.DIRTY, engine.RESERVED, engine.BLOCKED} == set(TableState.values)
    assert {engine.ROTATION, engine.BALANCED, engine.PERFORMANCE} == set(RoutingMode.values)
    assert {engine.STRONG, engine.STANDARD, engine.DEVELOPING} == set(Tier.values)
    from floor.engine.quotes import CANCELLED, NO_SHOW, SEATED

    assert {SEATED, CANCELLED, NO_SHOW} <= set(WaitlistStatus.values)
    from floor.api.serializers import TABLE_FEATURES

    assert {*engine.WISHES, engine.ACCESSIBLE} == set(TABLE_FEATURES)


@pytest.mark.parametrize("size", [0, -1, MAX_PARTY_SIZE + 1, 2.5, True, "4"])
def test_a_party_size_out_of_bounds_is_refused_naming_the_field(size):
    with pytest.raises(InvalidValue) as refused:
        check_party_size(size)
    assert refused.value.field == "party_size"


def test_the_bounds_themselves_are_accepted():
    assert (check_party_size(1), check_party_size(MAX_PARTY_SIZE)) == (1, MAX_PARTY_SIZE)


def test_accessible_as_a_feature_is_the_need():
    assert parse_preferences({"feature": "accessible"}).accessible is True
    assert parse_preferences({"feature": "high-top"}).feature == "high_top"
    with pytest.raises(InvalidValue) as refused:
        parse_preferences({"feature": "window"})
    assert refused.value.field == "preferences.feature"


def test_every_table_a_party_holds_is_taken_by_it_pushed_together_included():
    party = Party(visit_id=7, size=10, seated_at=NOW, table_ids=(3, 4, 9))
    holder = parties_by_table([party])
    tables = [
        FloorTable(id=pk, label=str(pk), section_id=1, min_seats=1, max_seats=4, party=holder.get(pk))
        for pk in (3, 4, 5, 9)
    ]

    assert [table.is_free for table in tables] == [False, False, True, False]
    assert tables[1].joined_with == (3, 9) and tables[1].party_size == 10 and tables[2].joined_with == ()


def test_a_shift_counts_from_its_clock_in_but_never_beyond_the_lookback():
    overnight = NOW - SHIFT_LOOKBACK - timedelta(hours=4)
    visits = [(4, overnight + timedelta(hours=1)), (2, NOW - timedelta(hours=1))]
    server = server_on_floor(staff_id=1, name="Ana", shift_id=1, clock_in=overnight, now=NOW, visits=visits)

    assert (server.covers_shift, server.parties_shift) == (2, 1)
    assert window_start([overnight, NOW - timedelta(hours=2)], NOW) == NOW - SHIFT_LOOKBACK
    assert window_start([], NOW) == NOW
