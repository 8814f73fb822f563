"""The floor a routing test builds in the database, with the classic rules (rotation by turns, no pacing,
no table mix, no load, no lending; the busy-night rules are pinned in test_busy_rules.py)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from floor.engine.floor import FloorSnapshot, FloorTable, RoutingConfig
from floor.models import TableState, Visit
from floor.services.routing import route_party
from floor.tests.engine_floor import floor_server
from floor.tests.factories import SectionFactory, TableFactory
from restaurant.models import RoutingMode
from staff.models import StaffRole, Tier
from staff.tests.factories import ShiftFactory, StaffMemberFactory

NOW = datetime(2026, 3, 6, 19, 0, tzinfo=ZoneInfo("America/New_York"))


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


class Floor:
    """Builds a floor in the database: sections, tables, servers on shift and their parties."""

    def __init__(self, restaurant):
        self.restaurant = restaurant
        self.sections = {}

    def section(self, name):
        if name not in self.sections:
            self.sections[name] = SectionFactory(restaurant=self.restaurant, name=name)
        return self.sections[name]

    def table(self, label, seats, *, section="Main", min_seats=1, **fields):
        return TableFactory(
            restaurant=self.restaurant,
            section=self.section(section),
            label=label,
            min_seats=min_seats,
            max_seats=seats,
            **fields,
        )

    def server(self, name, *, section="Main", clocked_in=180, role=StaffRole.SERVER, tier=Tier.STANDARD, **shift):
        staff = StaffMemberFactory(restaurant=self.restaurant, name=name, role=role, tier=tier)
        ShiftFactory(
            staff=staff,
            restaurant=self.restaurant,
            role=role,
            section=self.section(section) if section else None,
            clock_in=ago(clocked_in),
            **shift,
        )
        return staff

    def seat(self, table, server, party_size, *, minutes_ago, closed=False):
        visit = Visit.objects.create(
            restaurant=self.restaurant,
            table=table,
            server=server,
            party_size=party_size,
            seated_at=ago(minutes_ago),
            closed_at=ago(minutes_ago - 1) if closed else None,
        )
        if not closed:
            table.state = TableState.OCCUPIED
            table.save(update_fields=["state"])
        return visit


def classic_floor(restaurant) -> Floor:
    """A Floor for `restaurant`, its routing set to the classic rules."""
    restaurant.routing_settings = {
        "rotation_basis": "turns",
        "pacing_minutes": 0,
        "table_mix_minutes": 0,
        "overload_penalty": 0,
        "borrow_tables": False,
    }
    restaurant.save(update_fields=["routing_settings"])
    return Floor(restaurant)


def route(restaurant, party_size, **kwargs):
    kwargs.setdefault("now", NOW)
    return route_party(restaurant=restaurant, party_size=party_size, **kwargs)


def labels(result):
    return ["+".join(rec.table_labels) for rec in result.recommendations]


# -- pure snapshots, as the engine sees a floor ----------------------------------------------------


def spot_server(staff_id, name, **fields):
    return floor_server(staff_id, name, now=NOW, **fields)


def snapshot(servers, tables=None, *, mode=RoutingMode.ROTATION, **config):
    tables = tables or [FloorTable(id=1, label="1", section_id=1, min_seats=1, max_seats=4)]
    return FloorSnapshot(
        now=NOW,
        mode=mode,
        config=RoutingConfig(**config),
        tables=tuple(tables),
        servers=tuple(servers),
        section_names={1: "Main", 2: "Patio"},
    )


def build_floor(restaurant, n_tables, n_servers):
    """A floor of `n_tables` tables in five sections, `n_servers` servers, half the tables seated."""
    floor = Floor(restaurant)
    servers = [floor.server(f"S{i}", section=f"Sec{i % 5}", clocked_in=200 + i) for i in range(n_servers)]
    tables = [
        floor.table(f"T{i}", 2 + 2 * (i % 3), section=f"Sec{i % 5}", combinable_group=f"G{i % 4}")
        for i in range(n_tables)
    ]
    for i, table in enumerate(tables[: n_tables // 2]):
        floor.seat(table, servers[i % n_servers], 2, minutes_ago=10 + i)
    return floor
