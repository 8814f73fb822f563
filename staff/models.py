"""People and their performance: staff members, shifts and breaks, metric snapshots, tiers and
the insights written about them."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from restaurant.tenancy import TenantQuerySet
from staff.engine.tiers import DEFAULT_WEIGHTS, MAX_LLM_WEIGHT, TierPolicy


def default_tier_weights() -> dict:
    return dict(DEFAULT_WEIGHTS)


class StaffRole(models.TextChoices):
    SERVER = "server", "Server"
    BARTENDER = "bartender", "Bartender"
    HOST = "host", "Host"
    BUSSER = "busser", "Busser"
    RUNNER = "runner", "Runner"


# Servers and bartenders own checks, so their sales and tips say something about them; the other
# roles are scheduled from availability alone.
PERFORMANCE_TRACKED_ROLES = frozenset({StaffRole.SERVER, StaffRole.BARTENDER})
AVAILABILITY_ONLY_ROLES = frozenset(set(StaffRole) - PERFORMANCE_TRACKED_ROLES)


class Tier(models.TextChoices):
    STRONG = "strong", "Strong"
    STANDARD = "standard", "Standard"
    DEVELOPING = "developing", "Developing"


class StaffQuerySet(TenantQuerySet):
    def active(self):
        return self.filter(active=True)

    def performance_tracked(self):
        return self.filter(role__in=PERFORMANCE_TRACKED_ROLES)


class StaffMember(models.Model):
    """Someone who works at the restaurant; linked to a login when they use the site."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="staff_profiles"
    )
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=16, choices=StaffRole.choices, default=StaffRole.SERVER)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    hourly_rate = models.DecimalField(
        max_digits=7, decimal_places=2, default=Decimal("15.00"), validators=[MinValueValidator(Decimal("0"))]
    )
    hired_on = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    tier = models.CharField(max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    tier_score = models.FloatField(null=True, blank=True)
    tier_updated_at = models.DateTimeField(null=True, blank=True)
    tier_locked = models.BooleanField(default=False, help_text="A manager set the tier; the weekly job leaves it.")
    tier_reason = models.CharField(max_length=200, blank=True, help_text="What drove the last computed tier, in words.")
    pos_id = models.CharField(
        max_length=100, blank=True, help_text="The POS's id for this person (its events name them by it)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StaffQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["restaurant", "user"], condition=Q(user__isnull=False), name="staff_one_profile_per_user"
            ),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="staff_rate_non_negative"),
            models.UniqueConstraint(
                fields=["restaurant", "pos_id"], condition=~Q(pos_id=""), name="staff_unique_pos_id"
            ),
        ]
        indexes = [models.Index(fields=["restaurant", "role", "active"])]
        ordering = ["restaurant_id", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_performance_tracked(self) -> bool:
        return self.role in PERFORMANCE_TRACKED_ROLES

    @property
    def is_availability_only(self) -> bool:
        return not self.is_performance_tracked

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.name.split()[:2]).upper()


class ShiftQuerySet(TenantQuerySet):
    def open(self):
        return self.filter(clock_out__isnull=True)


class Shift(models.Model):
    """A worked shift: clocked in and (once done) out, in a role and usually a section."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="shifts")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="shifts")
    role = models.CharField(max_length=16, choices=StaffRole.choices)
    section = models.ForeignKey(
        "floor.Section", on_delete=models.SET_NULL, null=True, blank=True, related_name="shifts"
    )
    clock_in = models.DateTimeField(default=timezone.now)
    clock_out = models.DateTimeField(null=True, blank=True)
    # Host-stand rotation controls for the shift in progress.
    cut = models.BooleanField(default=False, help_text="Cut: takes no new parties; tables release as they clear.")
    skip_next = models.BooleanField(default=False, help_text="Skip this server once in the rotation.")
    rotation_offset = models.SmallIntegerField(default=0, help_text="Host moved this server up (-) or down (+).")

    objects = ShiftQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["staff"], condition=Q(clock_out__isnull=True), name="shift_one_open_per_staff"
            ),
            models.CheckConstraint(
                condition=Q(clock_out__isnull=True) | Q(clock_out__gt=models.F("clock_in")),
                name="shift_out_after_in",
            ),
        ]
        indexes = [models.Index(fields=["restaurant", "clock_in"]), models.Index(fields=["staff", "clock_in"])]
        ordering = ["-clock_in", "-id"]

    def __str__(self) -> str:
        return f"{self.staff} {self.role} @ {self.clock_in:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.clock_out is None

    def hours(self, now=None) -> float:
        end = self.clock_out or now or timezone.now()
        return (end - self.clock_in).total_seconds() / 3600


class ShiftBreak(models.Model):
    """A break within a shift. At most one open break per shift."""

    tenant_field = "shift__restaurant"

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="breaks")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    paid = models.BooleanField(default=False)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shift"], condition=Q(ended_at__isnull=True), name="break_one_open_per_shift"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="break_ends_after_start",
            ),
        ]
        ordering = ["shift_id", "started_at"]

    def __str__(self) -> str:
        return f"Break {self.started_at:%H:%M}"


class WaiterMetrics(models.Model):
    """A snapshot of one server's numbers over a period (30 days for tiers)."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="metrics")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    shifts_worked = models.PositiveIntegerField(default=0)
    hours_worked = models.FloatField(default=0)
    visits = models.PositiveIntegerField(default=0)
    covers = models.PositiveIntegerField(default=0)
    sales = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    tips = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    tip_pct = models.FloatField(null=True, blank=True)
    avg_check = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    sales_per_cover = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    covers_per_hour = models.FloatField(null=True, blank=True)
    avg_turn_minutes = models.FloatField(null=True, blank=True)
    alcohol_attach_rate = models.FloatField(null=True, blank=True)
    dessert_attach_rate = models.FloatField(null=True, blank=True)
    appetizer_attach_rate = models.FloatField(null=True, blank=True)
    drink_attach_rate = models.FloatField(null=True, blank=True)
    upsell_per_cover = models.FloatField(
        null=True, blank=True, help_text="Drinks, alcohol, starters, desserts per cover."
    )
    turn_ratio = models.FloatField(
        null=True, blank=True, help_text="Turn time against the restaurant's usual for the party size (1 = usual)."
    )
    voided_lines = models.PositiveIntegerField(default=0)
    void_rate = models.FloatField(null=True, blank=True)
    discounts = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    discount_rate = models.FloatField(null=True, blank=True)
    role = models.CharField(max_length=16, choices=StaffRole.choices, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "waiter metrics"
        constraints = [
            models.UniqueConstraint(fields=["staff", "period_start", "period_end"], name="metrics_once_per_period"),
            models.CheckConstraint(condition=Q(period_end__gt=models.F("period_start")), name="metrics_period_order"),
        ]
        ordering = ["-period_end", "staff_id"]

    def __str__(self) -> str:
        return f"{self.staff} {self.period_start:%Y-%m-%d}..{self.period_end:%Y-%m-%d}"


class InsightSource(models.TextChoices):
    LLM = "llm", "LLM"
    RULES = "rules", "Rules"


class WaiterInsights(models.Model):
    """Strengths, areas to work on and suggestions for one server, written by an LLM or by rules."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="insights")
    metrics = models.ForeignKey(WaiterMetrics, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    strengths = models.JSONField(default=list, blank=True)
    areas_to_improve = models.JSONField(default=list, blank=True)
    suggestions = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=8, choices=InsightSource.choices, default=InsightSource.RULES)
    model_name = models.CharField(max_length=120, blank=True)
    score = models.FloatField(null=True, blank=True, help_text="The LLM's 0-100 score, when it gave one.")
    fallback_reason = models.CharField(
        max_length=200, blank=True, help_text="Why rules wrote these: no LLM configured, or how the LLM failed."
    )
    generated_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "waiter insights"
        ordering = ["-generated_at", "-id"]

    def __str__(self) -> str:
        return f"Insights for {self.staff} ({self.source}, {self.generated_at:%Y-%m-%d})"


class TierHistory(models.Model):
    """Each tier a staff member was given, with the score and what it was computed from."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="tier_history")
    tier = models.CharField(max_length=16, choices=Tier.choices)
    previous_tier = models.CharField(max_length=16, choices=Tier.choices, blank=True)
    score = models.FloatField(null=True, blank=True)
    components = models.JSONField(default=dict, blank=True, help_text="z-scores per metric that made the score")
    reason = models.CharField(max_length=200, blank=True)
    changed_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    computed_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "tier history"
        indexes = [models.Index(fields=["staff", "-computed_at"])]
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.staff}: {self.tier} ({self.computed_at:%Y-%m-%d})"

    def clean(self) -> None:
        if self.score is not None and not -10 <= self.score <= 10:
            raise ValidationError({"score": "a z-score composite must be within -10..10"})


class TierSettings(models.Model):
    """How one restaurant turns metrics into tiers, and when its weekly tier job runs (local time).

    A restaurant without a row uses the documented defaults (staff.engine.tiers.TierPolicy)."""

    restaurant = models.OneToOneField("restaurant.Restaurant", on_delete=models.CASCADE, related_name="tier_settings")
    weights = models.JSONField(
        default=default_tier_weights, blank=True, help_text="metric -> weight (see docs/staff.md)"
    )
    strong_cutoff = models.FloatField(default=0.5, help_text="Composite score (in sd) from which a server is strong.")
    developing_cutoff = models.FloatField(default=-0.5, help_text="Composite score at or below which: developing.")
    shrinkage_shifts = models.FloatField(
        default=6.0,
        validators=[MinValueValidator(0)],
        help_text="k in n/(n+k): shifts it takes to keep half the score.",
    )
    hysteresis = models.FloatField(default=0.1, validators=[MinValueValidator(0)])
    llm_weight = models.FloatField(
        default=0.1,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_LLM_WEIGHT)],
        help_text=f"Weight of the LLM's score in the composite (0-{MAX_LLM_WEIGHT}).",
    )
    run_weekday = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(6)], help_text="Day of the weekly tier job: 0 = Monday."
    )
    run_hour = models.PositiveSmallIntegerField(
        default=4, validators=[MaxValueValidator(23)], help_text="Local hour of the weekly tier job."
    )

    class Meta:
        verbose_name_plural = "tier settings"

    def __str__(self) -> str:
        return f"Tier settings of {self.restaurant}"

    def clean(self) -> None:
        try:
            self.policy()
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def policy(self) -> TierPolicy:
        return TierPolicy(
            weights={key: float(value) for key, value in (self.weights or {}).items()},
            strong_cutoff=self.strong_cutoff,
            developing_cutoff=self.developing_cutoff,
            shrinkage_shifts=self.shrinkage_shifts,
            hysteresis=self.hysteresis,
            llm_weight=self.llm_weight,
        )


class TierJobStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


TIER_JOB_IN_FLIGHT = (TierJobStatus.PENDING, TierJobStatus.RUNNING)


class TierJobTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Weekly schedule"
    MANUAL = "manual", "Recalculate now"
    COMMAND = "command", "Command line"


class TierJob(models.Model):
    """One run of the tier job for a restaurant: metrics over the 30 days to `period_end`, tiers, insights.

    At most one job in flight per restaurant, and one scheduled job per period (both database constraints),
    so a second beat tick or a double click starts nothing new."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="tier_jobs")
    trigger = models.CharField(max_length=16, choices=TierJobTrigger.choices, default=TierJobTrigger.MANUAL)
    status = models.CharField(max_length=16, choices=TierJobStatus.choices, default=TierJobStatus.PENDING)
    period_end = models.DateTimeField(help_text="Local midnight the 30-day window ends at.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stage = models.CharField(max_length=40, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["restaurant"], condition=Q(status__in=TIER_JOB_IN_FLIGHT), name="tierjob_one_in_flight"
            ),
            models.UniqueConstraint(
                fields=["restaurant", "period_end"],
                condition=Q(trigger=TierJobTrigger.SCHEDULE),
                name="tierjob_one_scheduled_per_period",
            ),
        ]
        indexes = [models.Index(fields=["restaurant", "-created_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Tier job {self.pk} ({self.status}) for {self.restaurant_id}"

    @property
    def percent(self) -> int:
        if self.status == TierJobStatus.DONE:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0
