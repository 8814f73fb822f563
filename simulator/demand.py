"""Guests: when parties arrive, how big they are, how long they stay and what they order.

Arrivals are a Poisson process whose rate follows the day-part's hourly profile and the weekday;
dining time is lognormal around a median that grows with the party; checks are built item by item
from the menu, and a server's skill raises the check, the tip and the pace."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from simulator.config import DayPart, MenuItemSpec, RestaurantConfig
from simulator.records import ItemRecord, Party

CENT = Decimal("0.01")
SLOT_MINUTES = 5
GUEST_NAMES = (
    "Adams",
    "Baker",
    "Clark",
    "Davis",
    "Ellis",
    "Foster",
    "Gray",
    "Harris",
    "Irving",
    "James",
    "King",
    "Lewis",
    "Miller",
    "Nash",
    "Owens",
    "Parker",
    "Reed",
    "Scott",
    "Turner",
    "Vance",
    "Ward",
    "Young",
    "Kim",
    "Singh",
    "Cohen",
    "Murphy",
    "Rivera",
    "Tanaka",
    "Novak",
    "Haddad",
)


def local_to_utc(day: date, at, tz: ZoneInfo) -> datetime:
    """A local wall-clock time on a day, as an aware UTC datetime (all engine arithmetic is in UTC)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def day_part_window(config: RestaurantConfig, day: date, part: DayPart) -> tuple[datetime, datetime]:
    tz = ZoneInfo(config.timezone)
    return local_to_utc(day, part.start, tz), local_to_utc(day, part.end, tz)


def day_part_rate(config: RestaurantConfig, day: date, part: DayPart) -> Callable[[datetime], float]:
    """Parties an hour at a moment of one day-part of one day; zero outside it and after last seating."""
    start, end = day_part_window(config, day, part)
    last_seating = end - timedelta(minutes=part.last_seating_minutes)
    peak = config.peak_rate(part.key, day.weekday())

    def rate(at: datetime) -> float:
        if not start <= at < last_seating:
            return 0.0
        hour = int((at - start).total_seconds() // 3600)
        return peak * part.hourly_profile[min(hour, len(part.hourly_profile) - 1)]

    return rate


def live_rate(
    config: RestaurantConfig, start: datetime, end: datetime, rush_from: datetime
) -> Callable[[datetime], float]:
    """The busy service around 'now': ramps up over 45 minutes, holds at the config's live rate, and
    a rush walks in from `rush_from` on (so the demo always has a waitlist)."""

    def rate(at: datetime) -> float:
        if not start <= at < end:
            return 0.0
        ramp = min(1.0, 0.5 + (at - start).total_seconds() / 5400)
        rush = 2.5 if rush_from <= at else 1.0
        return config.live_rate * ramp * rush

    return rate


def poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: exact and fast for the small means of a five-minute slot."""
    if mean <= 0:
        return 0
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def arrivals_between(
    config: RestaurantConfig,
    start: datetime,
    end: datetime,
    rate: Callable[[datetime], float],
    day_part_of: Callable[[datetime], str],
    rng: random.Random,
    first_index: int = 0,
) -> list[Party]:
    """Parties arriving in [start, end) at the given rate, in arrival order."""
    sizes, weights = zip(*config.party_size_weights, strict=True)
    cumulative = list(_accumulate(weights))
    features = config.feature_request_rates
    parties: list[Party] = []
    slot = start
    while slot < end:
        mean = rate(slot) * SLOT_MINUTES / 60
        times = sorted(rng.random() * SLOT_MINUTES for _ in range(poisson(rng, mean)))
        for offset in times:
            arrived = slot + timedelta(minutes=offset)
            size = rng.choices(sizes, cum_weights=cumulative)[0]
            preferences: tuple = ()
            draw = rng.random()
            for feature, share in features:
                if draw < share:
                    preferences = (("feature", feature),)
                    break
                draw -= share
            patience = rng.uniform(15, 60)
            parties.append(
                Party(
                    index=first_index + len(parties),
                    arrived_at=arrived,
                    size=size,
                    day_part=day_part_of(arrived),
                    name=rng.choice(GUEST_NAMES),
                    phone=f"+1 917 555 {rng.randrange(10000):04d}" if rng.random() < 0.8 else "",
                    preferences=preferences,
                    patience_minutes=round(patience, 1),
                    max_quote_minutes=round(patience + rng.uniform(15, 45), 1),
                    tells_host=rng.random() < 0.6,
                    dining_noise=round(min(1.6, max(0.6, math.exp(rng.gauss(0, config.dining_sigma)))), 4),
                    seed=rng.getrandbits(48),
                )
            )
        slot += timedelta(minutes=SLOT_MINUTES)
    return parties


def generate_arrivals(config: RestaurantConfig, day: date, rng: random.Random) -> list[Party]:
    """Every walk-in party of one local day, all day-parts, in arrival order."""
    parties: list[Party] = []
    for part in config.day_parts:
        start, end = day_part_window(config, day, part)
        parties += arrivals_between(
            config, start, end, day_part_rate(config, day, part), lambda _at, key=part.key: key, rng, len(parties)
        )
    return parties


def dining_minutes(
    config: RestaurantConfig, party_size: int, *, day_part: str = "dinner", skill: float = 0.5, noise: float = 1.0
) -> float:
    """Minutes a party stays: larger parties longer, lunch quicker, a skilled server a little faster."""
    try:
        factor = config.day_part(day_part).dining_factor
    except KeyError:
        factor = 1.0
    return config.dining_median(party_size) * factor * (1.1 - 0.2 * skill) * noise


class Kitchen:
    """Builds checks from the menu; caches the skill-weighted choice tables it draws from."""

    def __init__(self, config: RestaurantConfig):
        self.config = config
        self.by_category: dict[str, list[tuple[int, MenuItemSpec]]] = {}
        for index, item in enumerate(config.menu):
            self.by_category.setdefault(item.category, []).append((index, item))
        self._weights: dict[tuple[str, int], list[float]] = {}

    def _pick(self, rng: random.Random, category: str, skill: float) -> tuple[int, MenuItemSpec] | None:
        items = self.by_category.get(category)
        if not items:
            return None
        bucket = round(skill * 10)
        key = (category, bucket)
        if key not in self._weights:
            # A skilled server sells the pricier dishes: weight by (price / mean) ** exponent.
            mean = sum(float(item.price) for _, item in items) / len(items)
            exponent = 1.6 * bucket / 10 - 0.4
            self._weights[key] = list(_accumulate([(float(item.price) / mean) ** exponent for _, item in items]))
        return rng.choices(items, cum_weights=self._weights[key])[0]

    def check(
        self,
        party: Party,
        *,
        skill: float,
        part: DayPart | None,
        seated_at: datetime,
        minutes: float,
        tip_points_lost: float = 0.0,
    ) -> tuple[list[ItemRecord], Decimal, Decimal, Decimal, Decimal]:
        """Items, subtotal, tax, tip and discount of a party's check, from the party's own seed; a
        rushed server's tip is `tip_points_lost` percentage points lower (simulator.reactions)."""
        rng = random.Random(party.seed)
        alcohol_factor = part.alcohol_factor if part else 1.0
        dessert_factor = part.dessert_factor if part else 1.0
        pace = 0.75 if part and part.dining_factor < 1 else 1.0
        lines: dict[tuple[int, int], list] = {}

        def order(category: str, at_minute: float) -> None:
            picked = self._pick(rng, category, skill)
            if picked is None:
                return
            index, item = picked
            at = max(1.0, min(at_minute, minutes - 3))
            key = (index, round(at))
            if key in lines:
                lines[key][0] += 1
            else:
                lines[key] = [1, item, at]

        for _ in range(party.size):
            if rng.random() < (0.5 + 0.2 * skill) * alcohol_factor:
                order("alcohol", rng.uniform(3, 8) * pace)
                if rng.random() < (0.25 + 0.25 * skill) * alcohol_factor:
                    order("alcohol", rng.uniform(30, 50) * pace)
            elif rng.random() < 0.65:
                order("drink", rng.uniform(3, 8) * pace)
            if rng.random() < 0.93:
                order("entree", rng.uniform(18, 28) * pace)
            if rng.random() < 0.12 + 0.15 * skill:
                order("side", rng.uniform(18, 28) * pace)
            if rng.random() < (0.15 + 0.3 * skill) * dessert_factor:
                order("dessert", minutes - rng.uniform(12, 20))
        for _ in range(math.ceil(party.size / 2)):
            if rng.random() < 0.3 + 0.35 * skill:
                order("appetizer", rng.uniform(8, 15) * pace)

        items = []
        for (index, _), (quantity, item, at) in sorted(lines.items(), key=lambda kv: (kv[1][2], kv[0][0])):
            items.append(
                ItemRecord(
                    menu_item=index,
                    name=item.name,
                    category=item.category,
                    quantity=quantity,
                    unit_price=item.price,
                    ordered_at=seated_at + timedelta(minutes=at),
                    voided=rng.random() < 0.015,
                )
            )
        subtotal = sum((item.line_total for item in items), Decimal(0))
        discount = Decimal(0)
        if items and rng.random() < self.config.discount_rate:
            if rng.random() < 0.5:
                discount = max((i.unit_price for i in items if not i.voided), default=Decimal(0))
                discount = min(discount, Decimal(16))
            else:
                discount = (subtotal * Decimal("0.10")).quantize(CENT, ROUND_HALF_UP)
        discount = min(discount, subtotal)
        tax = ((subtotal - discount) * self.config.tax_rate).quantize(CENT, ROUND_HALF_UP)
        if rng.random() < 0.02:
            tip = Decimal(0)  # cash tip, not on the card
        else:
            pct = max(0.0, min(0.30, max(0.08, rng.gauss(0.165 + 0.045 * skill, 0.02))) - tip_points_lost / 100)
            tip = (subtotal * Decimal(str(round(pct, 4)))).quantize(CENT, ROUND_HALF_UP)
        return items, subtotal, tax, tip, discount

    @staticmethod
    def running_totals(items: list[ItemRecord], tax_rate: Decimal) -> tuple[Decimal, Decimal]:
        """Subtotal and tax of what is on a check so far (an open check has no tip or discount yet)."""
        subtotal = sum((item.line_total for item in items), Decimal(0))
        return subtotal, (subtotal * tax_rate).quantize(CENT, ROUND_HALF_UP)


def _accumulate(values) -> list[float]:
    total, out = 0.0, []
    for value in values:
        total += value
        out.append(total)
    return out
