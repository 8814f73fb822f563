"""Places and guests: sections, tables and their states, the waitlist, visits and what was
ordered, the menu, and the routing engine's decisions.

Over 400 lines on purpose: nine models that point at each other (a visit's tables, a decision's visit),
read together with their migrations; each is short, and a models package would only scatter them."""

import functools
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from restaurant.tenancy import TenantQuerySet


class Section(models.Model):
    """A part of the floor one server (or team) looks after."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=100)
    color = models.CharField(max_length=7, default="#4f7cac", help_text="Hex colour on the floor map.")
    sort_order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["restaurant", "name"], name="section_unique_name")]
        ordering = ["restaurant_id", "sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class TableState(models.TextChoices):
    AVAILABLE = "available"
    OCCUPIED = "occupied"
    DIRTY = "dirty"
    RESERVED = "reserved"
    BLOCKED = "blocked"


class StateSource(models.TextChoices):
    """Who or what changed a table's state: the host's button, the POS, a camera, or the system itself."""

    HOST = "host"
    POS = "pos", "POS"
    VISION = "vision"
    SYSTEM = "system"


# The table state machine, as data: for each state, the states a table may go to and how (the one table
# of transitions; `floor.services.table_states` makes the changes, `floor.selectors.floor_actions` says
# which a caller may ask for). SET: by `table_state_set` (the host's button, the POS, a camera, the
# system); SEAT: only by seating a party (an occupied table needs a visit with a party and a server);
# CLEAR: by `table_state_set` too, closing the open visit at the same instant. Entering or leaving a
# MANAGER_STATES state is a manager's decision.
SET, SEAT, CLEAR = "set", "seat", "clear"
TRANSITIONS: dict[str, dict[str, str]] = {
    TableState.AVAILABLE: {TableState.OCCUPIED: SEAT, TableState.RESERVED: SET, TableState.BLOCKED: SET},
    TableState.RESERVED: {TableState.OCCUPIED: SEAT, TableState.AVAILABLE: SET, TableState.BLOCKED: SET},
    TableState.OCCUPIED: {TableState.DIRTY: CLEAR},
    TableState.DIRTY: {TableState.AVAILABLE: SET, TableState.BLOCKED: SET},
    TableState.BLOCKED: {TableState.AVAILABLE: SET},
}
MANAGER_STATES = frozenset({TableState.BLOCKED})


@functools.cache
def _allowed(current: str) -> tuple[str, ...]:
    return tuple(sorted(TRANSITIONS.get(current, {}), key=TableState.values.index))


@functools.cache
def _settable(current: str) -> tuple[str, ...]:
    return tuple(state for state in _allowed(current) if TRANSITIONS[current][state] != SEAT)


def allowed_states(current: str) -> list[str]:
    """Every state a table may go to from `current`, by any path (seating included)."""
    return list(_allowed(current))


def settable_states(current: str) -> list[str]:
    """The states `table_state_set` accepts from `current` (all but those only seating reaches)."""
    return list(_settable(current))


def needs_manager(*, from_state: str, to_state: str) -> bool:
    """Blocking a table, or unblocking it, is for a manager (`table_state_set` enforces it; the API and
    the dashboard may ask it to show only what the caller may do)."""
    return from_state != to_state and (from_state in MANAGER_STATES or to_state in MANAGER_STATES)


class TableShape(models.TextChoices):
    RECT = "rect", "Rectangle"
    ROUND = "round"


class TableFeature(models.TextChoices):
    """What a table offers a party: a wish (booth, patio, high-top) or a must (accessible)."""

    BOOTH = "booth"
    PATIO = "patio"
    HIGH_TOP = "high_top", "High-top"
    ACCESSIBLE = "accessible"


class TableQuerySet(TenantQuerySet):
    def active(self):
        return self.filter(active=True)

    def free(self):
        return self.filter(active=True, state=TableState.AVAILABLE)

    def fitting(self, party_size: int):
        return self.filter(min_seats__lte=party_size, max_seats__gte=party_size)


class Table(models.Model):
    """A table on the floor map, with its current state (history in TableStateChange)."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="tables")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="tables")
    label = models.CharField(max_length=20)
    min_seats = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    max_seats = models.PositiveSmallIntegerField(default=4, validators=[MinValueValidator(1)])
    is_booth = models.BooleanField(default=False)
    is_patio = models.BooleanField(default=False)
    is_high_top = models.BooleanField(default=False)
    is_accessible = models.BooleanField(default=True)
    # Floor-map geometry, in map units (the dashboard scales the map to fit).
    x = models.FloatField(default=0)
    y = models.FloatField(default=0)
    width = models.FloatField(default=60, validators=[MinValueValidator(1)])
    height = models.FloatField(default=60, validators=[MinValueValidator(1)])
    shape = models.CharField(max_length=8, choices=TableShape.choices, default=TableShape.RECT)
    rotation = models.FloatField(default=0, help_text="Degrees clockwise.")
    combinable_group = models.CharField(
        max_length=40, blank=True, help_text="Tables sharing a group may be pushed together for a large party."
    )
    state = models.CharField(max_length=16, choices=TableState.choices, default=TableState.AVAILABLE)
    state_changed_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=True)

    objects = TableQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["restaurant", "label"], name="table_unique_label"),
            models.CheckConstraint(condition=Q(min_seats__gte=1), name="table_min_seats_positive"),
            models.CheckConstraint(condition=Q(max_seats__gte=models.F("min_seats")), name="table_seats_range"),
        ]
        indexes = [models.Index(fields=["restaurant", "state"])]
        ordering = ["restaurant_id", "section_id", "label"]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.min_seats and self.max_seats and self.min_seats > self.max_seats:
            raise ValidationError({"max_seats": "must be at least min_seats"})
        if self.section_id and self.restaurant_id and self.section.restaurant_id != self.restaurant_id:
            raise ValidationError({"section": "belongs to another restaurant"})

    @property
    def is_free(self) -> bool:
        return self.active and self.state == TableState.AVAILABLE

    def fits(self, party_size: int) -> bool:
        return self.min_seats <= party_size <= self.max_seats

    # Each feature's flag field: the one place a table's features are worked out (`features`).
    FEATURE_FIELDS = {
        TableFeature.BOOTH: "is_booth",
        TableFeature.PATIO: "is_patio",
        TableFeature.HIGH_TOP: "is_high_top",
        TableFeature.ACCESSIBLE: "is_accessible",
    }

    @property
    def features(self) -> list[str]:
        """The table's features, in `TableFeature`'s order: what the /floor payload, routing and the map show."""
        return self.features_of({field: getattr(self, field) for field in self.FEATURE_FIELDS.values()})

    @classmethod
    def features_of(cls, row) -> list[str]:
        """The features of a table's row read as values (`row[field]` for each flag of FEATURE_FIELDS)."""
        return [str(feature) for feature, field in cls.FEATURE_FIELDS.items() if row[field]]


class TableStateChange(models.Model):
    """One change of a table's state: who or what made it, when, and how sure it was."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="+")
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="state_changes")
    from_state = models.CharField(max_length=16, choices=TableState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=TableState.choices)
    source = models.CharField(max_length=16, choices=StateSource.choices)
    confidence = models.FloatField(null=True, blank=True, help_text="For vision: classifier confidence 0-1.")
    actor = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["table", "-at"])]
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=0, confidence__lte=1),
                name="statechange_confidence_0_1",
            )
        ]

    def __str__(self) -> str:
        return f"{self.table}: {self.from_state or '-'} -> {self.to_state} ({self.source})"


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting"
    NOTIFIED = "notified"
    SEATED = "seated"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show", "No-show"


WAITLIST_OPEN = (WaitlistStatus.WAITING, WaitlistStatus.NOTIFIED)


class WaitlistEntry(models.Model):
    """A party waiting for a table, with the wait we quoted them."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="waitlist")
    party_name = models.CharField(max_length=100)
    party_size = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    phone = models.CharField(max_length=32, blank=True)
    preferences = models.JSONField(default=dict, blank=True, help_text='e.g. {"section_id": 2, "feature": "booth"}')
    notes = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING)
    quoted_wait_minutes = models.PositiveIntegerField(null=True, blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)
    seated_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "waitlist entries"
        constraints = [models.CheckConstraint(condition=Q(party_size__gte=1), name="waitlist_party_positive")]
        indexes = [models.Index(fields=["restaurant", "status", "added_at"])]
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"{self.party_name} ({self.party_size})"

    @property
    def is_open(self) -> bool:
        return self.status in WAITLIST_OPEN

    @property
    def actual_wait_minutes(self) -> float | None:
        if self.seated_at is None:
            return None
        return (self.seated_at - self.added_at).total_seconds() / 60


class VisitQuerySet(TenantQuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def holding(self, table_ids):
        """Open visits at any of these tables, as their own table or pushed together with it: the one
        occupancy rule of open visits in SQL (its in-memory twin: `floor.engine.floor.parties_by_table`)."""
        ids = list(table_ids)
        joined = Visit.joined_tables.through.objects.filter(table_id__in=ids).values("visit_id")
        return self.open().filter(Q(table_id__in=ids) | Q(pk__in=joined))


class Visit(models.Model):
    """A party at a table (or tables pushed together), from seating to the check closing.

    At most one open visit per table, whether the table is the visit's own `table` or one of its
    `joined_tables`: the partial unique index guards the first, the seating service's row locks both."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="visits")
    table = models.ForeignKey(Table, on_delete=models.PROTECT, related_name="visits")
    joined_tables = models.ManyToManyField(
        Table,
        blank=True,
        related_name="joined_visits",
        help_text="Tables pushed together with `table` for a large party; cleared and occupied with it.",
    )
    server = models.ForeignKey(
        "staff.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    waitlist_entry = models.OneToOneField(
        WaitlistEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="visit"
    )
    party_size = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    seated_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    subtotal = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    tax = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    tip = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    discount = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    pos_check_id = models.CharField(max_length=100, blank=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["table"], condition=Q(closed_at__isnull=True), name="visit_one_open_per_table"
            ),
            models.UniqueConstraint(
                fields=["restaurant", "pos_check_id"], condition=~Q(pos_check_id=""), name="visit_unique_pos_check"
            ),
            models.CheckConstraint(condition=Q(party_size__gte=1), name="visit_party_positive"),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("seated_at")),
                name="visit_closes_after_seating",
            ),
            models.CheckConstraint(
                condition=Q(subtotal__gte=0, tax__gte=0, tip__gte=0, discount__gte=0), name="visit_money_non_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["restaurant", "seated_at"]),
            models.Index(fields=["server", "seated_at"]),
        ]
        ordering = ["-seated_at", "-id"]

    def __str__(self) -> str:
        return f"Table {self.table} x{self.party_size} @ {self.seated_at:%Y-%m-%d %H:%M}"

    def closing_time(self, at: datetime) -> datetime:
        """When the visit closes if asked to close at `at`: never before it was seated. Every way of closing
        a visit (the check closing, the host clearing a table) goes through this one rule: an earlier time
        (a POS clock behind ours, a seating stamped ahead) is taken as the seating time, so the check's
        totals are kept and the tables freed; the turn model leaves such zero-minute stays out."""
        return max(at, self.seated_at)

    @property
    def tables(self) -> list[Table]:
        """Every table of the party: its own table first, then those pushed together with it, by id."""
        return [self.table, *sorted(self.joined_tables.all(), key=lambda table: table.pk)]

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax - self.discount

    @property
    def turn_minutes(self) -> float | None:
        if self.closed_at is None:
            return None
        return (self.closed_at - self.seated_at).total_seconds() / 60


class MenuCategory(models.TextChoices):
    DRINK = "drink", "Drink (non-alcoholic)"
    ALCOHOL = "alcohol"
    APPETIZER = "appetizer"
    ENTREE = "entree"
    SIDE = "side"
    DESSERT = "dessert"
    OTHER = "other"


class MenuItem(models.Model):
    """Something on the menu, as the POS knows it."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="menu_items")
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=16, choices=MenuCategory.choices, default=MenuCategory.ENTREE)
    price = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    pos_item_id = models.CharField(max_length=100, blank=True)
    active = models.BooleanField(default=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["restaurant", "name"], name="menuitem_unique_name"),
            models.UniqueConstraint(
                fields=["restaurant", "pos_item_id"], condition=~Q(pos_item_id=""), name="menuitem_unique_pos_id"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="menuitem_price_non_negative"),
        ]
        ordering = ["restaurant_id", "category", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.price})"


class VisitItem(models.Model):
    """A line on a visit's check. Name, category and price are copied so the menu can change later."""

    tenant_field = "visit__restaurant"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="items")
    menu_item = models.ForeignKey(MenuItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=16, choices=MenuCategory.choices, default=MenuCategory.OTHER)
    quantity = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(max_digits=8, decimal_places=2)
    ordered_at = models.DateTimeField(default=timezone.now)
    voided = models.BooleanField(default=False)
    pos_line_id = models.CharField(max_length=100, blank=True, help_text="The POS's id for this line of the check.")

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "pos_line_id"], condition=~Q(pos_line_id=""), name="visititem_unique_pos_line"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="visititem_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="visititem_price_non_negative"),
        ]
        ordering = ["visit_id", "ordered_at", "id"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.name}"

    @property
    def line_total(self) -> Decimal:
        return Decimal(0) if self.voided else self.unit_price * self.quantity


class RoutingDecision(models.Model):
    """What the routing engine recommended for a party, and what the host then did."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="+")
    party_size = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    preferences = models.JSONField(default=dict, blank=True)
    waitlist_entry = models.ForeignKey(
        WaitlistEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="routing_decisions"
    )
    mode = models.CharField(max_length=16)
    recommendations = models.JSONField(default=list, blank=True)
    recommended_table = models.ForeignKey(Table, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recommended_server = models.ForeignKey(
        "staff.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chosen_table = models.ForeignKey(Table, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    chosen_server = models.ForeignKey(
        "staff.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    followed = models.BooleanField(null=True, blank=True, help_text="Did the host seat the top recommendation?")
    visit = models.OneToOneField(Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="decision")
    requested_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["restaurant", "-created_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Party of {self.party_size} @ {self.created_at:%H:%M} ({self.mode})"
