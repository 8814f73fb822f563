"""Admin for vision: cameras with their table regions, predictions, and the classifier registry
(global, so superusers only). Scoping: restaurant/admin_scoping.py."""

from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html

from restaurant.admin_scoping import TenantAdminMixin
from vision.models import Camera, ClassifierModel, Crop, Prediction, TableRegion, VisionConflict, VisionSettings


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
        "frame_preview",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "restaurant",
                    "name",
                    "source_type",
                    "source_url",
                    "enabled",
                    "poll_interval_seconds",
                    "crop_padding",
                    "deskew",
                )
            },
        ),
        ("Regions preview", {"fields": ("frame_preview",)}),
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

    @admin.display(description="latest frame with the regions")
    def frame_preview(self, obj) -> str:
        """The latest frame with every saved region drawn on it (server-side, so no script is needed):
        save the regions below, and the preview shows where they fall."""
        if obj is None or obj.pk is None:
            return "Save the camera, then poll it (or wait for beat) to see a frame here."
        if obj.last_success_at is None:
            return "No frame yet: the preview appears after the first successful poll."
        return format_html(
            '<img src="/api/v1/crops/cameras/{}/frame?annotated=1" alt="Latest frame of {} with its regions" '
            'style="max-width: 640px; width: 100%; height: auto; border: 1px solid #ccc;">',
            obj.pk,
            obj.name,
        )


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

    list_display = ("name", "version", "architecture", "input_size", "is_demo", "active", "created_at")
    list_filter = ("active", "is_demo", "architecture")
    search_fields = ("name", "version", "architecture")
    readonly_fields = ("created_at",)


@admin.register(Prediction)
class PredictionAdmin(TenantAdminMixin, admin.ModelAdmin):
    """What the classifier saw at a table."""

    restaurant_from = "table"
    list_display = ("table", "label", "confidence", "camera", "model_version", "applied", "outcome", "captured_at")
    list_filter = ("label", "applied", "outcome", "restaurant", "camera")
    search_fields = ("table__label", "model_version")
    list_select_related = ("table", "camera")
    autocomplete_fields = ("table", "camera")
    raw_id_fields = ("crop",)
    date_hierarchy = "captured_at"


@admin.register(Crop)
class CropAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Crops cut from frames; a person's label makes one training data."""

    list_display = ("table", "camera", "captured_at", "label", "labelled_by")
    list_filter = ("label", "camera")
    search_fields = ("table__label", "camera__name", "label")
    list_select_related = ("table", "camera", "labelled_by")
    autocomplete_fields = ("table", "camera")
    readonly_fields = ("image", "width", "height", "captured_at", "labelled_by", "labelled_at", "crop_image")
    date_hierarchy = "captured_at"

    @admin.display(description="image")
    def crop_image(self, obj) -> str:
        if obj is None or obj.pk is None:
            return ""
        return format_html('<img src="/api/v1/crops/{}/image" alt="crop" style="max-width: 240px;">', obj.pk)


@admin.register(VisionConflict)
class VisionConflictAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Where a camera's steady view disagreed with an open (or missing) visit."""

    restaurant_from = "table"
    list_display = ("table", "kind", "seen_label", "confidence", "first_seen_at", "last_seen_at", "resolved_at")
    list_filter = ("kind", "restaurant")
    search_fields = ("table__label",)
    list_select_related = ("table",)
    autocomplete_fields = ("table", "camera")
    raw_id_fields = ("visit",)
    readonly_fields = ("first_seen_at", "last_seen_at", "resolved_by")


@admin.register(VisionSettings)
class VisionSettingsAdmin(TenantAdminMixin, admin.ModelAdmin):
    """How sure and steady cameras must be before they change a restaurant's tables."""

    list_display = ("restaurant", "apply_predictions", "confidence_threshold", "stable_frames", "host_override_minutes")
    list_select_related = ("restaurant",)
