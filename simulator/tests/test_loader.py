"""history_load writes a simulated history as one restaurant: parties at tables pushed together keep
every table they sat at, and the tables' states and state history agree with the visits."""

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from floor.models import Table, TableState, TableStateChange, Visit
from floor.selectors import floor_status
from simulator.engine import RestaurantConfig, simulate_history
from simulator.loader import history_load, rows_to_write

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 3, 19, 30, tzinfo=NY)  # a Tuesday, at dinner

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def large_parties_history():
    """Two days of the small restaurant where a fifth of the parties are eight: too many for any one
    table, so they sit at two 4-tops pushed together, one of them still at dinner now."""
    config = replace(RestaurantConfig.small(), party_size_weights=((2, 0.6), (4, 0.2), (8, 0.2)))
    return simulate_history(config, start=date(2026, 3, 2), days=2, seed=5, now=NOW)


def test_a_party_at_tables_pushed_together_is_loaded_with_every_table(large_parties_history):
    history = large_parties_history
    joined = [v for v in history.visits() if v.joined_tables]
    assert len(joined) >= 5  # the config really seats parties at joined tables

    result = history_load(history=history)

    labels = [table.label for table in history.restaurant.tables]
    loaded = {
        visit.pos_check_id: visit
        for visit in Visit.objects.filter(restaurant=result.restaurant).prefetch_related("joined_tables")
    }
    for record in history.visits():
        visit = loaded[record.pos_check_id]
        assert visit.table.label == labels[record.table]
        assert sorted(t.label for t in visit.joined_tables.all()) == sorted(labels[i] for i in record.joined_tables)
    assert result.counts["joined tables"] == sum(len(v.joined_tables) for v in joined)
    assert 1 + sum(result.counts.values()) == rows_to_write(history)  # the restaurant, then the counted rows


def test_the_tables_of_a_party_still_seated_are_occupied_since_it_sat_down(large_parties_history):
    result = history_load(history=large_parties_history)
    restaurant = result.restaurant

    open_joined = [
        visit
        for visit in Visit.objects.filter(restaurant=restaurant, closed_at__isnull=True)
        if visit.joined_tables.exists()
    ]
    assert open_joined
    for visit in open_joined:
        for table in visit.tables:
            assert (table.state, table.state_changed_at) == (TableState.OCCUPIED, visit.seated_at)
            last = TableStateChange.objects.filter(table=table).first()  # newest first
            assert (last.to_state, last.at) == (TableState.OCCUPIED, visit.seated_at)
    # Every occupied table has its party: its own visit or one it is pushed into.
    status = {row.id: row for row in floor_status(restaurant=restaurant, now=NOW).tables}
    occupied = Table.objects.filter(restaurant=restaurant, state=TableState.OCCUPIED)
    assert occupied and all(status[table.pk].visit_id is not None for table in occupied)
    for visit in open_joined:
        ids = [table.pk for table in visit.tables]
        assert all(status[pk].visit_id == visit.pk and set(status[pk].joined_with) == set(ids) - {pk} for pk in ids)
