"""What a server's numbers are, from the sums the database hands over.

The database aggregates (staff/selectors.py: one GROUP BY per kind of row, never a loop over visits);
`derive` turns those sums into rates. A rate whose denominator is zero is None ("no data"), never 0,
so a server with no covers is not scored as the worst seller."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

UPSELL_CATEGORIES = ("drink", "alcohol", "appetizer", "dessert")


@dataclass(frozen=True)
class MetricSpec:
    """A metric the tier score may use: its key, its words, its unit and which way is better."""

    key: str
    label: str
    unit: str  # how `format_value` shows it: "pct", "money", "ratio", "num"
    higher_is_better: bool = True


# The metrics that can be scored (each may carry a weight in the restaurant's tier settings).
METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("sales_per_cover", "sales per cover", "money"),
    MetricSpec("tip_pct", "tip %", "pct"),
    MetricSpec("covers_per_hour", "covers per hour", "num"),
    MetricSpec("turn_ratio", "turn time (party-size adjusted)", "ratio", higher_is_better=False),
    MetricSpec("upsell_per_cover", "upsells per cover", "num"),
    MetricSpec("void_rate", "voided lines", "pct", higher_is_better=False),
    MetricSpec("discount_rate", "discounts", "pct", higher_is_better=False),
)
METRICS_BY_KEY = {spec.key: spec for spec in METRICS}


@dataclass(frozen=True)
class Aggregates:
    """The sums for one staff member over one period, as the database returns them."""

    staff_id: int
    role: str = "server"
    shifts: int = 0
    hours: float = 0.0
    visits: int = 0
    covers: int = 0
    sales: float = 0.0
    tips: float = 0.0
    discounts: float = 0.0
    discounted_visits: int = 0
    turn_minutes: float = 0.0  # summed over closed visits
    turn_ratio_sum: float = 0.0  # sum over visits of turn / the restaurant's median-ish turn for that party size
    items: dict[str, int] = field(default_factory=dict)  # category -> quantity, voided lines left out
    lines: int = 0
    voided_lines: int = 0


@dataclass(frozen=True)
class Metrics:
    """Rates for one staff member over one period; None where the denominator was zero."""

    staff_id: int
    role: str
    shifts: int
    hours: float
    visits: int
    covers: int
    sales: float
    tips: float
    discounts: float
    voided_lines: int
    tip_pct: float | None
    avg_check: float | None
    sales_per_cover: float | None
    covers_per_hour: float | None
    avg_turn_minutes: float | None
    turn_ratio: float | None
    drink_attach_rate: float | None
    alcohol_attach_rate: float | None
    appetizer_attach_rate: float | None
    dessert_attach_rate: float | None
    upsell_per_cover: float | None
    void_rate: float | None
    discount_rate: float | None

    def value(self, key: str) -> float | None:
        return getattr(self, key)

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def derive(agg: Aggregates) -> Metrics:
    """The rates of one staff member's sums. Attach rates are items of the category per cover."""
    per_cover = {category: _ratio(agg.items.get(category, 0), agg.covers) for category in UPSELL_CATEGORIES}
    upsell = sum(agg.items.get(category, 0) for category in UPSELL_CATEGORIES)
    return Metrics(
        staff_id=agg.staff_id,
        role=agg.role,
        shifts=agg.shifts,
        hours=round(agg.hours, 3),
        visits=agg.visits,
        covers=agg.covers,
        sales=round(agg.sales, 2),
        tips=round(agg.tips, 2),
        discounts=round(agg.discounts, 2),
        voided_lines=agg.voided_lines,
        tip_pct=_ratio(agg.tips, agg.sales),
        avg_check=_ratio(agg.sales, agg.visits),
        sales_per_cover=_ratio(agg.sales, agg.covers),
        covers_per_hour=_ratio(agg.covers, agg.hours),
        avg_turn_minutes=_ratio(agg.turn_minutes, agg.visits),
        turn_ratio=_ratio(agg.turn_ratio_sum, agg.visits),
        drink_attach_rate=per_cover["drink"],
        alcohol_attach_rate=per_cover["alcohol"],
        appetizer_attach_rate=per_cover["appetizer"],
        dessert_attach_rate=per_cover["dessert"],
        upsell_per_cover=_ratio(upsell, agg.covers),
        void_rate=_ratio(agg.voided_lines, agg.lines),
        discount_rate=_ratio(agg.discounts, agg.sales + agg.discounts),
    )


def format_value(key: str, value: float | None) -> str:
    """A metric's value for people: 18.2%, $54.10, 0.94x, 3.1."""
    if value is None:
        return "n/a"
    unit = METRICS_BY_KEY[key].unit if key in METRICS_BY_KEY else "num"
    if unit == "pct":
        return f"{value * 100:.1f}%"
    if unit == "money":
        return f"${value:,.2f}"
    if unit == "ratio":
        return f"{value:.2f}x"
    return f"{value:.2f}"
