"""What a simulated restaurant is made of: floor plan, day-parts and demand, staff, menu, money.

Plain frozen dataclasses, no Django: benchmarks and tests build a config, change a field with
`dataclasses.replace`, and hand it to the engine. `RestaurantConfig.demo()` is the demo restaurant;
`RestaurantConfig.small()` a quick one for tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from simulator.reactions import Reactions

ROLES = ("server", "bartender", "host", "busser", "runner")
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class TableKind:
    """A kind of table: seats, footprint on the floor map, features."""

    key: str
    min_seats: int
    max_seats: int
    width: float
    height: float
    shape: str = "rect"
    is_booth: bool = False
    is_patio: bool = False
    is_high_top: bool = False
    is_accessible: bool = True


TABLE_KINDS = {
    kind.key: kind
    for kind in (
        TableKind("two", 1, 2, 50, 50, shape="round"),
        TableKind("four", 2, 4, 70, 70),
        TableKind("six", 4, 6, 110, 70),
        TableKind("booth4", 2, 4, 90, 70, is_booth=True),
        TableKind("booth6", 3, 6, 120, 80, is_booth=True),
        TableKind("high2", 1, 2, 44, 44, shape="round", is_high_top=True, is_accessible=False),
        TableKind("high4", 2, 4, 60, 60, is_high_top=True, is_accessible=False),
        TableKind("patio2", 1, 2, 50, 50, shape="round", is_patio=True),
        TableKind("patio4", 2, 4, 70, 70, is_patio=True),
        TableKind("round8", 5, 8, 110, 110, shape="round"),
        TableKind("long10", 7, 10, 170, 80),
    )
}


@dataclass(frozen=True)
class SectionPlan:
    """A section of the floor: its rectangle on the map and the tables laid out inside it.

    `served_by` is the role that works the section (the bar's high-tops are the bartender's).
    Tables of a `combinable` section are paired into combinable groups, two neighbours each."""

    name: str
    color: str
    region: tuple[float, float, float, float]  # x, y, width, height in map units
    tables: tuple[tuple[str, int], ...]  # (table kind key, count)
    columns: int = 4
    rotation: float = 0.0
    combinable: bool = False
    served_by: str = "server"
    label_prefix: str = "T"


@dataclass(frozen=True)
class DayPart:
    """A service period in local time, with the shape of its demand hour by hour from `start`."""

    key: str
    name: str
    start: time
    end: time
    hourly_profile: tuple[float, ...]  # share of the peak rate in each hour from start
    last_seating_minutes: int = 45  # no walk-ins taken this long before the end
    dining_factor: float = 1.0  # lunch is quicker than dinner
    alcohol_factor: float = 1.0
    dessert_factor: float = 1.0


@dataclass(frozen=True)
class MenuItemSpec:
    """A dish or drink on the menu."""

    name: str
    category: str  # drink, alcohol, appetizer, entree, side, dessert
    price: Decimal
    pos_item_id: str = ""


def _menu(*rows: tuple[str, str, str]) -> tuple[MenuItemSpec, ...]:
    return tuple(
        MenuItemSpec(name, category, Decimal(price), f"SKU-{index + 100}")
        for index, (category, name, price) in enumerate(rows)
    )


DEMO_MENU = _menu(
    ("drink", "Sparkling Water", "4.00"),
    ("drink", "Fresh Lemonade", "5.00"),
    ("drink", "Iced Tea", "4.00"),
    ("drink", "Espresso", "3.50"),
    ("drink", "Cappuccino", "5.00"),
    ("drink", "Soda", "3.50"),
    ("alcohol", "House Red (glass)", "12.00"),
    ("alcohol", "House White (glass)", "12.00"),
    ("alcohol", "Pinot Noir (glass)", "16.00"),
    ("alcohol", "Local IPA", "8.00"),
    ("alcohol", "Pilsner", "7.00"),
    ("alcohol", "Old Fashioned", "15.00"),
    ("alcohol", "Negroni", "14.00"),
    ("alcohol", "Espresso Martini", "16.00"),
    ("alcohol", "Bottle of Sancerre", "62.00"),
    ("appetizer", "Burrata & Heirloom Tomato", "16.00"),
    ("appetizer", "Crispy Calamari", "15.00"),
    ("appetizer", "French Onion Soup", "12.00"),
    ("appetizer", "Steak Tartare", "18.00"),
    ("appetizer", "Charcuterie Board", "24.00"),
    ("appetizer", "Caesar Salad", "13.00"),
    ("entree", "Steak Frites", "34.00"),
    ("entree", "Roast Half Chicken", "27.00"),
    ("entree", "Pan-Seared Salmon", "29.00"),
    ("entree", "Mushroom Risotto", "24.00"),
    ("entree", "Bistro Burger", "21.00"),
    ("entree", "Moules Frites", "26.00"),
    ("entree", "Duck Confit", "32.00"),
    ("entree", "Ribeye 14oz", "48.00"),
    ("entree", "Croque Monsieur", "17.00"),
    ("entree", "Nicoise Salad", "19.00"),
    ("side", "Truffle Fries", "9.00"),
    ("side", "Haricots Verts", "8.00"),
    ("side", "Pommes Puree", "8.00"),
    ("side", "Side Salad", "7.00"),
    ("dessert", "Creme Brulee", "11.00"),
    ("dessert", "Chocolate Mousse", "11.00"),
    ("dessert", "Tarte Tatin", "12.00"),
    ("dessert", "Affogato", "9.00"),
    ("dessert", "Cheese Plate", "16.00"),
)

LUNCH = DayPart(
    "lunch",
    "Lunch",
    time(11, 0),
    time(15, 0),
    hourly_profile=(0.55, 1.0, 0.75, 0.3),
    dining_factor=0.75,
    alcohol_factor=0.45,
    dessert_factor=0.6,
)
DINNER = DayPart(
    "dinner",
    "Dinner",
    time(17, 0),
    time(23, 0),
    hourly_profile=(0.35, 0.8, 1.0, 0.85, 0.45, 0.15),
)

DEMO_SECTIONS = (
    SectionPlan("Main A", "#4f7cac", (20, 20, 320, 270), (("four", 6), ("two", 2)), columns=4, combinable=True),
    SectionPlan("Main B", "#c0504d", (360, 20, 320, 270), (("four", 4), ("two", 4)), columns=4, rotation=45),
    SectionPlan("Booths", "#9bbb59", (700, 20, 280, 270), (("booth4", 4), ("booth6", 2)), columns=2),
    SectionPlan("Window", "#8064a2", (20, 310, 320, 170), (("two", 4), ("four", 2)), columns=3, label_prefix="W"),
    SectionPlan(
        "Bar",
        "#f79646",
        (360, 310, 320, 170),
        (("high2", 6), ("high4", 2)),
        columns=4,
        served_by="bartender",
        label_prefix="B",
    ),
    SectionPlan("Private", "#4bacc6", (700, 310, 280, 170), (("round8", 1), ("long10", 1), ("six", 2)), columns=2),
    SectionPlan(
        "Patio",
        "#7f7f7f",
        (20, 500, 960, 180),
        (("patio4", 6), ("patio2", 4)),
        columns=10,
        combinable=True,
        label_prefix="P",
    ),
)

# Parties an hour at the peak of each day-part, Monday..Sunday: Friday and Saturday dinner busiest.
DEMO_PEAK_RATES = (
    ("lunch", (9.0, 10.0, 10.0, 11.0, 13.0, 16.0, 18.0)),
    ("dinner", (16.0, 17.0, 19.0, 23.0, 36.0, 40.0, 24.0)),
)

# How many of each role a day-part needs (target), Monday..Sunday. min = target - 1, max = target + 1.
DEMO_STAFFING = (
    ("lunch", "server", (3, 3, 3, 3, 3, 4, 4)),
    ("lunch", "bartender", (1, 1, 1, 1, 1, 1, 1)),
    ("lunch", "host", (1, 1, 1, 1, 1, 1, 1)),
    ("lunch", "busser", (1, 1, 1, 1, 1, 1, 1)),
    ("lunch", "runner", (0, 0, 0, 0, 0, 1, 1)),
    ("dinner", "server", (4, 4, 5, 5, 6, 6, 5)),
    ("dinner", "bartender", (1, 1, 1, 1, 2, 2, 1)),
    ("dinner", "host", (1, 1, 1, 1, 2, 2, 1)),
    ("dinner", "busser", (2, 2, 2, 2, 3, 3, 2)),
    ("dinner", "runner", (1, 1, 1, 1, 2, 2, 1)),
)

FIRST_NAMES = (
    "Ana",
    "Ben",
    "Carla",
    "Diego",
    "Elena",
    "Femi",
    "Grace",
    "Hiro",
    "Ines",
    "Jamal",
    "Kira",
    "Luca",
    "Maya",
    "Noah",
    "Olga",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Aiden",
    "Bianca",
    "Chloe",
    "Dmitri",
    "Esme",
    "Felix",
    "Gia",
    "Hector",
    "Iris",
    "Jonah",
)
LAST_NAMES = (
    "Alvarez",
    "Brooks",
    "Chen",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ibrahim",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quinlan",
    "Rossi",
    "Silva",
    "Thompson",
    "Ueda",
    "Varga",
    "Walsh",
    "Xu",
    "Young",
    "Zimmer",
)


@dataclass(frozen=True)
class RestaurantConfig:
    """Everything the simulator needs to know about a restaurant. Change fields with dataclasses.replace."""

    name: str = "Demo Bistro"
    timezone: str = "America/New_York"
    currency: str = "USD"
    day_parts: tuple[DayPart, ...] = (LUNCH, DINNER)
    peak_rates: tuple[tuple[str, tuple[float, ...]], ...] = DEMO_PEAK_RATES
    sections: tuple[SectionPlan, ...] = DEMO_SECTIONS
    staff_counts: tuple[tuple[str, int], ...] = (
        ("server", 13),
        ("bartender", 4),
        ("host", 3),
        ("busser", 5),
        ("runner", 3),
    )
    staffing: tuple[tuple[str, str, tuple[int, ...]], ...] = DEMO_STAFFING
    menu: tuple[MenuItemSpec, ...] = DEMO_MENU
    # Party sizes: mostly twos and fours; a few large groups.
    party_size_weights: tuple[tuple[int, float], ...] = (
        (1, 0.08),
        (2, 0.44),
        (3, 0.14),
        (4, 0.20),
        (5, 0.05),
        (6, 0.05),
        (7, 0.015),
        (8, 0.015),
        (9, 0.005),
        (10, 0.005),
    )
    # Median minutes at the table at dinner, by party size (larger parties stay longer); lognormal spread.
    dining_median_minutes: tuple[tuple[int, float], ...] = (
        (1, 48.0),
        (2, 66.0),
        (3, 72.0),
        (4, 80.0),
        (5, 88.0),
        (6, 95.0),
        (7, 105.0),
        (8, 110.0),
    )
    dining_sigma: float = 0.25
    tax_rate: Decimal = Decimal("0.08875")
    discount_rate: float = 0.05  # share of checks with a comp or promotion
    busser_minutes: float = 6.0  # median minutes to clear and reset a table with two bussers on
    feature_request_rates: tuple[tuple[str, float], ...] = (("booth", 0.10), ("patio", 0.06), ("accessible", 0.03))
    # Today's service around "now" always runs at this many parties an hour, so a demo floor is busy.
    live_rate: float = 26.0
    live_before_minutes: int = 120
    live_after_minutes: int = 60
    time_off_share: float = 0.3
    # How servers react to double seats and to more tables than their tier carries (docs/simulator.md).
    reactions: Reactions = Reactions()

    @classmethod
    def demo(cls) -> RestaurantConfig:
        """The demo restaurant: 50 tables in 7 sections, 28 staff."""
        return cls()

    @classmethod
    def small(cls) -> RestaurantConfig:
        """A small restaurant for quick tests: 3 sections, 16 tables, 14 staff."""
        sections = (
            SectionPlan("Main", "#4f7cac", (20, 20, 320, 200), (("four", 4), ("two", 4)), combinable=True),
            SectionPlan("Booths", "#9bbb59", (360, 20, 260, 200), (("booth4", 2), ("booth6", 2)), columns=2),
            SectionPlan(
                "Bar",
                "#f79646",
                (20, 240, 600, 120),
                (("high2", 3), ("high4", 1)),
                served_by="bartender",
                label_prefix="B",
            ),
        )
        staffing = tuple(
            (part, role, tuple(min(n, 3 if role == "server" else 1) for n in counts))
            for part, role, counts in DEMO_STAFFING
        )
        return cls(
            name="Small Bistro",
            sections=sections,
            staff_counts=(("server", 6), ("bartender", 2), ("host", 2), ("busser", 2), ("runner", 2)),
            staffing=staffing,
            peak_rates=(
                ("lunch", (4.0, 4.0, 5.0, 5.0, 6.0, 7.0, 7.0)),
                ("dinner", (6.0, 6.0, 7.0, 8.0, 12.0, 13.0, 8.0)),
            ),
            live_rate=14.0,
        )

    # --- lookups the engine uses ---

    def day_part(self, key: str) -> DayPart:
        for part in self.day_parts:
            if part.key == key:
                return part
        raise KeyError(f"unknown day-part {key!r}; this restaurant has {[p.key for p in self.day_parts]}")

    def peak_rate(self, day_part: str, weekday: int) -> float:
        return dict(self.peak_rates).get(day_part, (0.0,) * 7)[weekday]

    def staffing_target(self, day_part: str, role: str, weekday: int) -> int:
        for part, staffed_role, counts in self.staffing:
            if part == day_part and staffed_role == role:
                return counts[weekday]
        return 0

    def dining_median(self, party_size: int) -> float:
        table = dict(self.dining_median_minutes)
        return table.get(party_size, table[max(table)])

    def opening_hours(self) -> dict:
        """Opening hours in the Restaurant model's shape: the first day-part's start to the last one's end."""
        start = min(part.start for part in self.day_parts).strftime("%H:%M")
        end = max(part.end for part in self.day_parts).strftime("%H:%M")
        return {day: {"open": start, "close": end} for day in WEEKDAY_KEYS}

    def day_parts_json(self) -> list[dict]:
        """Day-parts in the Restaurant model's shape."""
        return [
            {"key": p.key, "name": p.name, "start": p.start.strftime("%H:%M"), "end": p.end.strftime("%H:%M")}
            for p in self.day_parts
        ]
