"""Admin for vision: cameras with their table regions, predictions, and the classifier registry
(global, so superusers only). Scoping: restaurant/admin_scoping.py."""

from django.contrib import admin
from django.db.models import Count

from restaurant.admin_scoping import TenantAdminMixin
from vision.models import Camera, ClassifierModel, Prediction, TableRegion


class TableRegionInline(TenantAdminMixin, admin.TabularInline):
    """Where each table sits in the camera's frame."""

    model = TableRegion
    extra = 0
    fields = ("table", "center_x", "center_y", "width", "height", "angle")


@admin.register(Camera)
class CameraAdmin(TenantAdminMixin, admin.ModelAdmin):
    """A camera with its table regions; polling state is shown, written by the poller."""

    # The count annotation groups rows, and Django drops Meta.ordering from grouped queries.
    ordering = Camera._meta.ordering
    list_display = (
        "name",
        "restaurant",
        "enabled",
        "status",
        "poll_interval_seconds",
        "region_count",
        "consecutive_failures",
        "last_success_at",
        "next_poll_at",
    )
    list_filter = ("enabled", "status", "restaurant")
    search_fields = ("name", "source_url")
    list_select_related = ("restaurant",)
    readonly_fields = (
        "status",
        "consecutive_failures",
        "last_error",
        "last_polled_at",
        "last_success_at",
        "next_poll_at",
        "in_flight_since",
    )
    fieldsets = (
        (None, {"fields": ("restaurant", "name", "source_url", "enabled", "poll_interval_seconds")}),
        (
            "Polling",
            {
                "fields": (
                    "status",
                    "consecutive_failures",
                    "last_error",
                    "last_polled_at",
                    "last_success_at",
                    "next_poll_at",
                    "in_flight_since",
                )
            },
        ),
    )
    inlines = (TableRegionInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_region_count=Count("regions"))

    @admin.display(description="regions", ordering="_region_count")
    def region_count(self, obj) -> int:
        return obj._region_count


@admin.register(TableRegion)
class TableRegionAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Table regions across cameras."""

    list_display = ("table", "camera", "center", "size", "angle")
    list_filter = ("camera",)
    search_fields = ("table__label", "camera__name")
    list_select_related = ("table", "camera")
    autocomplete_fields = ("camera", "table")

    @admin.display(description="centre")
    def center(self, obj) -> str:
        return f"({obj.center_x:.0f}, {obj.center_y:.0f})"

    @admin.display(description="size")
    def size(self, obj) -> str:
        return f"{obj.width:.0f} x {obj.height:.0f}"


@admin.register(ClassifierModel)
class ClassifierModelAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Trained table-state classifiers; one is active. Shared by every restaurant: superusers only."""

    list_display = ("name", "version", "architecture", "input_size", "active", "created_at")
    list_filter = ("active", "architecture")
    search_fields = ("name", "version", "architecture")
    readonly_fields = ("created_at",)


@admin.register(Prediction)
class PredictionAdmin(TenantAdminMixin, admin.ModelAdmin):
    """What the classifier saw at a table."""

    restaurant_from = "table"
    list_display = ("table", "label", "confidence", "camera", "model_version", "applied", "captured_at")
    list_filter = ("label", "applied", "restaurant", "camera")
    search_fields = ("table__label", "model_version")
    list_select_related = ("table", "camera")
    autocomplete_fields = ("table", "camera")
    date_hierarchy = "captured_at"
