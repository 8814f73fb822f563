"""Who can work when, what the restaurant needs, and the weekly schedules the engine proposes
and managers publish."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from restaurant.tenancy import TenantQuerySet
from staff.models import StaffRole


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class StaffAvailability(models.Model):
    """A recurring weekly window a staff member can (or cannot) work, between optional dates."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()
    available = models.BooleanField(default=True, help_text="Off means: cannot work in this window.")
    effective_from = models.DateField(null=True, blank=True)
    effective_until = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=200, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "staff availability"
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="availability_time_order"),
            models.CheckConstraint(
                condition=Q(effective_from__isnull=True)
                | Q(effective_until__isnull=True)
                | Q(effective_until__gte=models.F("effective_from")),
                name="availability_date_order",
            ),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="availability_weekday_range"),
        ]
        ordering = ["staff_id", "weekday", "start_time"]

    def __str__(self) -> str:
        return f"{self.staff} {self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    def clean(self) -> None:
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": "must be after the start time"})
        if self.effective_from and self.effective_until and self.effective_until < self.effective_from:
            raise ValidationError({"effective_until": "must not be before effective_from"})


class TimeOffStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"


class TimeOff(models.Model):
    """Days a staff member asked not to work."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="time_off")
    start_date = models.DateField()
    end_date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=TimeOffStatus.choices, default=TimeOffStatus.REQUESTED)
    decided_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resubmitted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the staff member changed a decided request, which reopened it."
    )
    previous_dates = models.CharField(max_length=40, blank=True, help_text="The dates that had been decided.")

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="timeoff_date_order")
        ]
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return f"{self.staff} off {self.start_date}..{self.end_date}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "must not be before the start date"})


class StaffPreference(models.Model):
    """What a staff member would like: roles, day-parts, sections and weekly hours."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="+")
    staff = models.OneToOneField("staff.StaffMember", on_delete=models.CASCADE, related_name="preference")
    roles = models.JSONField(default=list, blank=True, help_text='Roles they can work, e.g. ["server", "host"]')
    day_parts = models.JSONField(default=list, blank=True, help_text='Preferred day-part keys, e.g. ["dinner"]')
    sections = models.ManyToManyField("floor.Section", blank=True, related_name="+")
    min_hours_per_week = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(80)])
    max_hours_per_week = models.PositiveSmallIntegerField(default=40, validators=[MaxValueValidator(80)])
    max_shifts_per_week = models.PositiveSmallIntegerField(default=6, validators=[MaxValueValidator(14)])
    notes = models.CharField(max_length=200, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(max_hours_per_week__gte=models.F("min_hours_per_week")), name="preference_hours_order"
            )
        ]

    def __str__(self) -> str:
        return f"Preferences of {self.staff}"

    def clean(self) -> None:
        if self.min_hours_per_week > self.max_hours_per_week:
            raise ValidationError({"max_hours_per_week": "must be at least the minimum"})
        unknown = set(self.roles or []) - set(StaffRole.values)
        if unknown:
            raise ValidationError({"roles": f"unknown roles: {', '.join(sorted(unknown))}"})


class StaffingRequirement(models.Model):
    """How many people of a role a day-part of a weekday needs: a floor, a target and a ceiling."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    day_part = models.CharField(max_length=32)
    role = models.CharField(max_length=16, choices=StaffRole.choices)
    min_staff = models.PositiveSmallIntegerField(default=1)
    target_staff = models.PositiveSmallIntegerField(default=1)
    max_staff = models.PositiveSmallIntegerField(default=1)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["restaurant", "weekday", "day_part", "role"], name="requirement_unique_slot"
            ),
            models.CheckConstraint(
                condition=Q(target_staff__gte=models.F("min_staff")) & Q(max_staff__gte=models.F("target_staff")),
                name="requirement_min_target_max",
            ),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="requirement_weekday_range"),
        ]
        ordering = ["restaurant_id", "weekday", "day_part", "role"]

    def __str__(self) -> str:
        counts = f"{self.min_staff}/{self.target_staff}/{self.max_staff}"
        return f"{self.get_weekday_display()} {self.day_part} {self.role}: {counts}"

    def clean(self) -> None:
        if not self.min_staff <= self.target_staff <= self.max_staff:
            raise ValidationError({"target_staff": "needs min <= target <= max"})
        if self.restaurant_id and self.day_part not in self.restaurant.day_part_keys():
            raise ValidationError(
                {"day_part": f"unknown day-part; this restaurant has {self.restaurant.day_part_keys()}"}
            )


class ScheduleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Schedule(models.Model):
    """One version of a week's schedule. Publishing a version archives the one published before."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="schedules")
    week_start = models.DateField(help_text="The Monday the week starts on.")
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=16, choices=ScheduleStatus.choices, default=ScheduleStatus.DRAFT)
    notes = models.TextField(blank=True)
    fairness = models.JSONField(default=dict, blank=True, help_text="Gini of hours, prime-shift equity...")
    created_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["restaurant", "week_start", "version"], name="schedule_unique_version"),
            models.UniqueConstraint(
                fields=["restaurant", "week_start"],
                condition=Q(status="published"),
                name="schedule_one_published_per_week",
            ),
        ]
        ordering = ["-week_start", "-version"]

    def __str__(self) -> str:
        return f"Week of {self.week_start} v{self.version} ({self.status})"

    def clean(self) -> None:
        if self.week_start and self.week_start.weekday() != 0:
            raise ValidationError({"week_start": "must be a Monday"})


class ItemSource(models.TextChoices):
    ENGINE = "engine", "Engine"
    MANUAL = "manual", "Manual"


class ScheduleItem(models.Model):
    """One shift in a schedule: who works, which day, which day-part and role, when."""

    tenant_field = "schedule__restaurant"

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="items")
    staff = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE, related_name="schedule_items")
    date = models.DateField()
    day_part = models.CharField(max_length=32)
    role = models.CharField(max_length=16, choices=StaffRole.choices)
    section = models.ForeignKey("floor.Section", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    start_time = models.TimeField()
    end_time = models.TimeField()
    score = models.FloatField(null=True, blank=True, help_text="How well this person fits this shift (0-1).")
    source = models.CharField(max_length=8, choices=ItemSource.choices, default=ItemSource.ENGINE)
    locked = models.BooleanField(default=False, help_text="The engine keeps a locked shift when it runs again.")

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schedule", "staff", "date", "day_part"], name="item_one_per_staff_slot"),
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="item_time_order"),
        ]
        ordering = ["schedule_id", "date", "start_time", "staff_id"]

    def __str__(self) -> str:
        return f"{self.staff} {self.date} {self.day_part} ({self.role})"

    @property
    def hours(self) -> float:
        return (
            self.end_time.hour * 60 + self.end_time.minute - self.start_time.hour * 60 - self.start_time.minute
        ) / 60


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ScheduleRun(models.Model):
    """One run of the schedule engine: its inputs, progress, solver outcome and the draft it made."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()
    schedule = models.ForeignKey(Schedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.FloatField(default=0, validators=[MinValueValidator(0), MaxValueValidator(1)])
    progress_message = models.CharField(max_length=200, blank=True)
    solver = models.CharField(max_length=32, blank=True, help_text="cp-sat or greedy")
    solver_status = models.CharField(max_length=32, blank=True, help_text="OPTIMAL, FEASIBLE...")
    objective = models.FloatField(null=True, blank=True)
    optimality_gap = models.FloatField(null=True, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    summary = models.JSONField(default=dict, blank=True, help_text="Coverage, fairness, unmet needs")
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(progress__gte=0, progress__lte=1), name="run_progress_0_1")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Run for week of {self.week_start} ({self.status})"


class ScheduleReasoning(models.Model):
    """Why the engine gave this person this shift, in words and in scored factors."""

    tenant_field = "item__schedule__restaurant"

    item = models.OneToOneField(ScheduleItem, on_delete=models.CASCADE, related_name="reasoning")
    summary = models.CharField(max_length=300)
    factors = models.JSONField(default=dict, blank=True, help_text="e.g. availability, preference, fairness")
    alternatives = models.JSONField(default=list, blank=True, help_text="Others who could have taken it, and why not")
    source = models.CharField(max_length=8, default="rules")

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "schedule reasoning"

    def __str__(self) -> str:
        return self.summary


class AuditAction(models.TextChoices):
    CREATED = "created", "Created"
    ITEM_ADDED = "item_added", "Shift added"
    ITEM_CHANGED = "item_changed", "Shift changed"
    ITEM_REMOVED = "item_removed", "Shift removed"
    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Unpublished"
    ARCHIVED = "archived", "Archived"


class ScheduleAuditEntry(models.Model):
    """Who did what to a schedule, and when. Written by services, never edited."""

    tenant_field = "schedule__restaurant"

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="audit")
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    actor = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "schedule audit entries"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
