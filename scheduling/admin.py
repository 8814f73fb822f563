"""Admin for scheduling. Staff members log in here to keep their own availability, time off and
preferences (they may request time off, not approve it); managers see and edit everything of their
restaurants: requirements, schedules with their items, runs, reasoning and the audit trail."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count

from restaurant.admin_scoping import RecentRowsFormSet, TenantAdminMixin, TenantModelForm
from scheduling.exceptions import SchedulingError
from scheduling.models import (
    Schedule,
    ScheduleAuditEntry,
    ScheduleItem,
    ScheduleReasoning,
    ScheduleRun,
    ScheduleStatus,
    StaffAvailability,
    StaffingRequirement,
    StaffPreference,
    TimeOff,
    TimeOffStatus,
)
from scheduling.services import schedule_publish, time_off_change
from staff.models import StaffRole


class StaffPreferenceForm(TenantModelForm):
    """Roles as checkboxes instead of raw JSON."""

    roles = forms.MultipleChoiceField(
        choices=StaffRole.choices, widget=forms.CheckboxSelectMultiple, required=False, help_text="Roles they can work."
    )

    class Meta:
        model = StaffPreference
        fields = "__all__"


class ScheduleForm(TenantModelForm):
    """Choosing "published" asks to publish: the form keeps the row a draft (so the one-published-per-week
    constraint does not refuse it while another version is still published) and the admin then publishes
    through the service, which archives that version first."""

    publish_requested = False

    class Meta:
        model = Schedule
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == ScheduleStatus.PUBLISHED and self.instance.status != ScheduleStatus.PUBLISHED:
            self.publish_requested = True
            cleaned["status"] = self.instance.status or ScheduleStatus.DRAFT
        return cleaned


# --- inlines of the staff member page (staff/admin.py) -------------------------------------------


class StaffAvailabilityInline(TenantAdminMixin, admin.TabularInline):
    """Weekly windows on the staff member's page."""

    model = StaffAvailability
    restaurant_from = "staff"
    extra = 0
    fields = ("weekday", "start_time", "end_time", "available", "effective_from", "effective_until", "notes")


class TimeOffInline(TenantAdminMixin, admin.TabularInline):
    """Time off on the staff member's page; requests are decided on the time-off list."""

    model = TimeOff
    restaurant_from = "staff"
    extra = 0
    fields = ("start_date", "end_date", "reason", "status", "decided_by", "resubmitted_at", "created_at")
    readonly_fields = ("status", "decided_by", "resubmitted_at", "created_at")


class StaffPreferenceInline(TenantAdminMixin, admin.StackedInline):
    """The staff member's preferences (one row)."""

    model = StaffPreference
    form = StaffPreferenceForm
    restaurant_from = "staff"
    extra = 0
    max_num = 1
    filter_horizontal = ("sections",)


# --- what staff members keep themselves ----------------------------------------------------------


class SelfServiceAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Rows a staff member keeps for themselves; managers see all of their restaurants'."""

    self_service_field = "staff"
    restaurant_from = "staff"
    list_select_related = ("staff",)
    search_fields = ("staff__name",)


@admin.register(StaffAvailability)
class StaffAvailabilityAdmin(SelfServiceAdmin):
    """When someone can (or cannot) work, week after week."""

    list_display = ("staff", "weekday", "start_time", "end_time", "available", "effective_from", "effective_until")
    list_filter = ("weekday", "available", "restaurant")
    search_fields = ("staff__name", "notes")


@admin.register(TimeOff)
class TimeOffAdmin(SelfServiceAdmin):
    """Time-off requests: staff request, managers approve or deny."""

    self_service_readonly_fields = ("status",)
    list_display = (
        "staff",
        "start_date",
        "end_date",
        "days",
        "reason",
        "status",
        "reopened",
        "decided_by",
        "created_at",
    )
    list_filter = ("status", ("resubmitted_at", admin.EmptyFieldListFilter), "restaurant")
    search_fields = ("staff__name", "reason")
    list_select_related = ("staff", "decided_by")
    readonly_fields = ("decided_by", "created_at", "resubmitted_at", "previous_dates")
    date_hierarchy = "start_date"
    actions = ("approve", "deny")

    @admin.display(description="days")
    def days(self, obj) -> int:
        return (obj.end_date - obj.start_date).days + 1

    def has_approve_permission(self, request) -> bool:
        return request.user.is_superuser or bool(self._ids(request, self.change_roles))

    def _decide(self, request, queryset, status: str) -> None:
        # Only rows of restaurants the user manages: their own requests elsewhere stay undecided.
        if not request.user.is_superuser:
            queryset = queryset.for_restaurants(self._ids(request, self.change_roles))
        count = queryset.exclude(status=status).update(status=status, decided_by=request.user)
        self.message_user(request, f"{count} request(s) {status}.", messages.SUCCESS)

    @admin.action(description="Approve selected requests", permissions=["approve"])
    def approve(self, request, queryset):
        self._decide(request, queryset, TimeOffStatus.APPROVED)

    @admin.action(description="Deny selected requests", permissions=["approve"])
    def deny(self, request, queryset):
        self._decide(request, queryset, TimeOffStatus.DENIED)

    def save_model(self, request, obj, form, change):
        by_manager = not self._acts_for_self(request, obj)
        if not change:
            if by_manager and obj.status != TimeOffStatus.REQUESTED:
                obj.decided_by = request.user
            super().save_model(request, obj, form, change)
            return
        # The rule staff and managers share with the API: a decided request its owner changes is reopened.
        fields = ("start_date", "end_date", "reason", "status")
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in fields}
        saved = time_off_change(time_off=obj, changes=changes, by_manager=by_manager, actor=request.user)
        for name in ("status", "decided_by_id", "resubmitted_at", "previous_dates"):
            setattr(obj, name, getattr(saved, name))

    @admin.display(description="changed after decision", boolean=True, ordering="resubmitted_at")
    def reopened(self, obj) -> bool:
        return obj.resubmitted_at is not None


@admin.register(StaffPreference)
class StaffPreferenceAdmin(SelfServiceAdmin):
    """Roles, day-parts, sections and hours someone would like."""

    form = StaffPreferenceForm
    list_display = ("staff", "role_list", "day_part_list", "min_hours_per_week", "max_hours_per_week")
    list_filter = ("restaurant",)
    filter_horizontal = ("sections",)

    @admin.display(description="roles")
    def role_list(self, obj) -> str:
        return ", ".join(obj.roles)

    @admin.display(description="day-parts")
    def day_part_list(self, obj) -> str:
        return ", ".join(obj.day_parts)


# --- what managers keep --------------------------------------------------------------------------


@admin.register(StaffingRequirement)
class StaffingRequirementAdmin(TenantAdminMixin, admin.ModelAdmin):
    """How many people of each role a day-part needs."""

    list_display = ("weekday", "day_part", "role", "min_staff", "target_staff", "max_staff", "restaurant")
    list_filter = ("weekday", "day_part", "role", "restaurant")
    search_fields = ("day_part", "role")
    list_select_related = ("restaurant",)


class ScheduleItemInline(TenantAdminMixin, admin.TabularInline):
    """The shifts of a schedule."""

    model = ScheduleItem
    extra = 0
    fields = ("date", "day_part", "role", "staff", "section", "start_time", "end_time", "score", "source", "locked")
    ordering = ("date", "start_time", "staff__name")


class ScheduleAuditInline(TenantAdminMixin, admin.TabularInline):
    """The latest entries of the schedule's audit trail, read-only."""

    model = ScheduleAuditEntry
    formset = RecentRowsFormSet
    read_only = True
    extra = 0
    can_delete = False
    fields = ("at", "action", "actor", "details")
    ordering = ("-at", "-id")
    verbose_name_plural = f"latest {RecentRowsFormSet.max_rows} audit entries"


@admin.register(Schedule)
class ScheduleAdmin(TenantAdminMixin, admin.ModelAdmin):
    """A version of a week's schedule with its shifts and audit trail."""

    # The count annotation groups rows, and Django drops Meta.ordering from grouped queries.
    ordering = Schedule._meta.ordering
    form = ScheduleForm
    creator_fields = ("created_by",)
    list_display = ("week_start", "version", "status", "item_count", "restaurant", "created_by", "published_at")
    list_filter = ("status", "restaurant")
    search_fields = ("week_start", "notes")
    list_select_related = ("restaurant", "created_by")
    readonly_fields = ("created_by", "created_at", "published_at", "published_by")
    date_hierarchy = "week_start"
    inlines = (ScheduleItemInline, ScheduleAuditInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_item_count=Count("items"))

    @admin.display(description="shifts", ordering="_item_count")
    def item_count(self, obj) -> int:
        return obj._item_count

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if getattr(form, "publish_requested", False):
            # The same path as the API and the dashboard: checked, the week's previous version archived, audited.
            try:
                schedule_publish(schedule=obj, actor=request.user)
            except SchedulingError as exc:
                self.message_user(request, f"Not published: {exc.message}", messages.ERROR)
            obj.refresh_from_db()


class ScheduleReasoningInline(TenantAdminMixin, admin.StackedInline):
    """Why the engine gave this shift to this person."""

    model = ScheduleReasoning
    extra = 0
    max_num = 1


@admin.register(ScheduleItem)
class ScheduleItemAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Shifts across schedules."""

    list_display = ("staff", "date", "day_part", "role", "section", "start_time", "end_time", "source", "schedule")
    list_filter = ("role", "source", "day_part", "schedule__restaurant")
    search_fields = ("staff__name", "day_part")
    list_select_related = ("staff", "section", "schedule")
    autocomplete_fields = ("schedule", "staff", "section")
    date_hierarchy = "date"
    inlines = (ScheduleReasoningInline,)


@admin.register(ScheduleRun)
class ScheduleRunAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Runs of the schedule engine: inputs, progress and solver outcome."""

    creator_fields = ("requested_by",)
    list_display = (
        "week_start",
        "status",
        "progress",
        "solver",
        "solver_status",
        "objective",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "solver", "restaurant")
    search_fields = ("week_start", "solver_status", "error")
    list_select_related = ("restaurant",)
    autocomplete_fields = ("schedule",)
    readonly_fields = ("requested_by",)
    date_hierarchy = "created_at"


@admin.register(ScheduleReasoning)
class ScheduleReasoningAdmin(TenantAdminMixin, admin.ModelAdmin):
    """The engine's reasons, shift by shift."""

    list_display = ("summary", "item", "source")
    list_filter = ("source", "item__schedule__restaurant")
    search_fields = ("summary", "item__staff__name")
    list_select_related = ("item__staff",)
    autocomplete_fields = ("item",)


@admin.register(ScheduleAuditEntry)
class ScheduleAuditEntryAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Who did what to which schedule: a read-only record."""

    read_only = True
    list_display = ("schedule", "action", "actor", "at")
    list_filter = ("action", "schedule__restaurant")
    search_fields = ("actor__username",)
    list_select_related = ("schedule", "actor")
    date_hierarchy = "at"
