"""Admin for people: staff members (with their availability, time off and preferences inline),
shifts and breaks, metric snapshots, insights and tier history. Managers only
(restaurant/admin_scoping.py); staff members keep their own rows on the scheduling pages."""

from django.contrib import admin
from django.utils import timezone

from restaurant.admin_scoping import IsOpenFilter, TenantAdminMixin
from scheduling.admin import StaffAvailabilityInline, StaffPreferenceInline, TimeOffInline
from staff.models import (
    Shift,
    ShiftBreak,
    StaffMember,
    TierHistory,
    TierJob,
    TierSettings,
    WaiterInsights,
    WaiterMetrics,
)


@admin.register(StaffMember)
class StaffMemberAdmin(TenantAdminMixin, admin.ModelAdmin):
    """A staff member with their availability, time off and preferences."""

    list_display = ("name", "role", "restaurant", "tier", "tier_score", "tier_locked", "tracked", "active", "user")
    list_filter = ("role", "tier", "tier_locked", "active", "restaurant")
    search_fields = ("name", "email", "phone", "user__username")
    list_select_related = ("restaurant", "user")
    readonly_fields = ("tier_score", "tier_reason", "tier_updated_at", "created_at")
    fieldsets = (
        (
            None,
            {"fields": ("restaurant", "name", "role", "user", "email", "phone", "hourly_rate", "hired_on", "active")},
        ),
        ("Tier", {"fields": ("tier", "tier_locked", "tier_score", "tier_reason", "tier_updated_at", "created_at")}),
    )
    inlines = (StaffAvailabilityInline, TimeOffInline, StaffPreferenceInline)

    @admin.display(description="performance tracked", boolean=True)
    def tracked(self, obj) -> bool:
        return obj.is_performance_tracked

    def save_model(self, request, obj, form, change):
        # A tier set by hand is part of the tier history like the weekly job's.
        tier_changed = change and "tier" in form.changed_data
        if tier_changed:
            obj.tier_updated_at = timezone.now()
        super().save_model(request, obj, form, change)
        if tier_changed:
            TierHistory.objects.create(
                restaurant_id=obj.restaurant_id,
                staff=obj,
                tier=obj.tier,
                previous_tier=form.initial.get("tier", ""),
                score=obj.tier_score,
                reason="set in admin",
                changed_by=request.user,
                computed_at=obj.tier_updated_at,
            )


class ShiftBreakInline(TenantAdminMixin, admin.TabularInline):
    """The breaks of a shift."""

    model = ShiftBreak
    extra = 0


class OpenShiftFilter(IsOpenFilter):
    """Shifts still clocked in, or done."""

    title = "clocked in"
    end_field = "clock_out"


@admin.register(Shift)
class ShiftAdmin(TenantAdminMixin, admin.ModelAdmin):
    """A worked shift with its breaks."""

    restaurant_from = "staff"
    list_display = ("staff", "role", "section", "clock_in", "clock_out", "hours_worked", "cut", "restaurant")
    list_filter = (OpenShiftFilter, "role", "cut", "restaurant")
    search_fields = ("staff__name",)
    list_select_related = ("staff", "section", "restaurant")
    autocomplete_fields = ("staff", "section")
    date_hierarchy = "clock_in"
    inlines = (ShiftBreakInline,)

    @admin.display(description="hours")
    def hours_worked(self, obj) -> str:
        return f"{obj.hours():.1f}"


@admin.register(ShiftBreak)
class ShiftBreakAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Breaks across shifts."""

    list_display = ("shift", "started_at", "ended_at", "paid")
    list_filter = ("paid",)
    search_fields = ("shift__staff__name",)
    list_select_related = ("shift__staff",)
    autocomplete_fields = ("shift",)
    date_hierarchy = "started_at"


@admin.register(WaiterMetrics)
class WaiterMetricsAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Metric snapshots per server and period."""

    restaurant_from = "staff"
    list_display = ("staff", "period_start", "period_end", "covers", "sales", "tips", "tip_pct", "covers_per_hour")
    list_filter = ("restaurant",)
    search_fields = ("staff__name",)
    list_select_related = ("staff",)
    autocomplete_fields = ("staff",)
    readonly_fields = ("computed_at",)
    date_hierarchy = "period_end"


@admin.register(WaiterInsights)
class WaiterInsightsAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Strengths, areas to improve and suggestions written for a server."""

    restaurant_from = "staff"
    list_display = ("staff", "source", "model_name", "score", "fallback_reason", "generated_at")
    list_filter = ("source", "restaurant")
    search_fields = ("staff__name", "model_name")
    list_select_related = ("staff",)
    autocomplete_fields = ("staff", "metrics")
    date_hierarchy = "generated_at"


@admin.register(TierHistory)
class TierHistoryAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Every tier given to a staff member: a read-only record."""

    read_only = True
    list_display = ("staff", "previous_tier", "tier", "score", "reason", "changed_by", "computed_at")
    list_filter = ("tier", "restaurant")
    search_fields = ("staff__name", "reason")
    list_select_related = ("staff", "changed_by")
    date_hierarchy = "computed_at"


@admin.register(TierSettings)
class TierSettingsAdmin(TenantAdminMixin, admin.ModelAdmin):
    """How a restaurant's tiers are computed (weights, cut-offs, shrinkage) and when its weekly job runs."""

    list_display = (
        "restaurant",
        "strong_cutoff",
        "developing_cutoff",
        "shrinkage_shifts",
        "llm_weight",
        "run_weekday",
        "run_hour",
    )
    list_select_related = ("restaurant",)
    search_fields = ("restaurant__name",)


@admin.register(TierJob)
class TierJobAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Runs of the tier job: a read-only record with status, progress and outcome."""

    read_only = True
    list_display = ("id", "restaurant", "trigger", "status", "period_end", "stage", "created_at", "finished_at")
    list_filter = ("status", "trigger", "restaurant")
    list_select_related = ("restaurant",)
    date_hierarchy = "created_at"
