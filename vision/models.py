"""Cameras watching the floor, the table regions in their frames, the classifier models and the
predictions they make."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from restaurant.tenancy import TenantQuerySet


class CameraStatus(models.TextChoices):
    UNKNOWN = "unknown", "Not polled yet"
    OK = "ok", "OK"
    FAILING = "failing", "Failing"
    DISABLED = "disabled", "Disabled"


class CameraQuerySet(TenantQuerySet):
    def due(self, now=None):
        now = now or timezone.now()
        return self.filter(enabled=True).filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))


class Camera(models.Model):
    """A camera whose frames are fetched from an HTTP URL (snapshot endpoint) or a file path."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="cameras")
    name = models.CharField(max_length=100)
    source_url = models.CharField(max_length=500, help_text="http(s):// snapshot URL or a local file path")
    enabled = models.BooleanField(default=True)
    poll_interval_seconds = models.PositiveIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(3600)]
    )
    status = models.CharField(max_length=16, choices=CameraStatus.choices, default=CameraStatus.UNKNOWN)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    in_flight_since = models.DateTimeField(null=True, blank=True, help_text="Set while a poll is running.")

    objects = CameraQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["restaurant", "name"], name="camera_unique_name"),
            models.CheckConstraint(condition=Q(poll_interval_seconds__gte=1), name="camera_interval_positive"),
        ]
        ordering = ["restaurant_id", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.source_url.strip():
            raise ValidationError({"source_url": "give an http(s) URL or a file path"})


class TableRegion(models.Model):
    """Where a table appears in a camera's frame: a rotated box (centre, size, angle), in pixels."""

    tenant_field = "camera__restaurant"

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="regions")
    table = models.ForeignKey("floor.Table", on_delete=models.CASCADE, related_name="camera_regions")
    center_x = models.FloatField(validators=[MinValueValidator(0)])
    center_y = models.FloatField(validators=[MinValueValidator(0)])
    width = models.FloatField(validators=[MinValueValidator(1)])
    height = models.FloatField(validators=[MinValueValidator(1)])
    angle = models.FloatField(default=0, help_text="Degrees, as OpenCV's RotatedRect.")

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["camera", "table"], name="region_one_per_camera_table"),
            models.CheckConstraint(condition=Q(width__gte=1, height__gte=1), name="region_positive_size"),
        ]
        ordering = ["camera_id", "table_id"]

    def __str__(self) -> str:
        return f"{self.table} in {self.camera}"

    def clean(self) -> None:
        if self.camera_id and self.table_id and self.camera.restaurant_id != self.table.restaurant_id:
            raise ValidationError({"table": "belongs to another restaurant than the camera"})


def default_labels() -> list:
    return ["available", "occupied", "dirty"]


class ClassifierModel(models.Model):
    """A trained table-state classifier: architecture, weights file, labels and its measured quality."""

    name = models.CharField(max_length=100)
    version = models.CharField(max_length=40)
    architecture = models.CharField(max_length=100, default="vit_small_patch16_dinov3")
    weights_path = models.CharField(max_length=500, help_text="Relative to VISION_WEIGHTS_DIR, or absolute")
    labels = models.JSONField(default=default_labels)
    input_size = models.PositiveIntegerField(default=224)
    active = models.BooleanField(default=False)
    metrics = models.JSONField(default=dict, blank=True, help_text="Validation accuracy, per-class F1...")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="classifier_unique_version"),
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="classifier_one_active"),
        ]
        ordering = ["name", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Prediction(models.Model):
    """What the classifier saw at a table in one frame."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="+")
    table = models.ForeignKey("floor.Table", on_delete=models.CASCADE, related_name="predictions")
    camera = models.ForeignKey(Camera, on_delete=models.SET_NULL, null=True, blank=True, related_name="predictions")
    label = models.CharField(max_length=32)
    confidence = models.FloatField(validators=[MinValueValidator(0), MaxValueValidator(1)])
    probabilities = models.JSONField(default=dict)
    model_version = models.CharField(max_length=150)
    captured_at = models.DateTimeField(default=timezone.now)
    applied = models.BooleanField(default=False, help_text="Did this prediction change the table state?")

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(confidence__gte=0, confidence__lte=1), name="prediction_confidence_0_1")
        ]
        indexes = [models.Index(fields=["table", "-captured_at"])]
        ordering = ["-captured_at", "-id"]

    def __str__(self) -> str:
        return f"{self.table}: {self.label} ({self.confidence:.2f})"
