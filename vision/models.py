"""Cameras watching the floor, the table regions in their frames, the crops cut from each frame, the
classifier models and the predictions they make, the per-restaurant vision settings, and the conflicts
between what a camera sees and what the floor says."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from restaurant.tenancy import TenantQuerySet


class CameraStatus(models.TextChoices):
    UNKNOWN = "unknown", "Not polled yet"
    OK = "ok", "OK"
    DEGRADED = "degraded", "Degraded (failing, retrying with backoff)"
    OFFLINE = "offline", "Offline (polled slowly)"


class CameraSource(models.TextChoices):
    SNAPSHOT = "snapshot", "HTTP(S) snapshot URL"
    STREAM = "stream", "Stream URL (read with OpenCV)"
    FILE = "file", "Local image file or folder of frames"
    PUSH = "push", "Frames pushed through the API (camera bridge)"


class CameraQuerySet(TenantQuerySet):
    def pollable(self):
        """Cameras the dispatcher polls: enabled, and not fed by a bridge pushing frames."""
        return self.filter(enabled=True).exclude(source_type=CameraSource.PUSH)

    def due(self, now=None):
        now = now or timezone.now()
        return self.pollable().filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))

    def lease_free(self, now, lease_seconds: float):
        """No poll holds the camera, or the one that did has outlived its lease (its worker died)."""
        expired = now - timedelta(seconds=lease_seconds)
        return self.filter(Q(in_flight_since__isnull=True) | Q(in_flight_since__lt=expired))


class Camera(models.Model):
    """A camera whose frames come from an HTTP snapshot URL, a stream, a file or folder, or a bridge."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="cameras")
    name = models.CharField(max_length=100)
    source_type = models.CharField(max_length=16, choices=CameraSource.choices, default=CameraSource.SNAPSHOT)
    source_url = models.CharField(
        max_length=500, blank=True, help_text="http(s):// snapshot URL, stream URL, or a local file/folder path"
    )
    enabled = models.BooleanField(default=True)
    poll_interval_seconds = models.PositiveIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(3600)]
    )
    crop_padding = models.FloatField(
        default=0.1,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="Margin around each table's box, as a fraction of the box's size on each side.",
    )
    deskew = models.BooleanField(
        default=False, help_text="Rotate each crop upright instead of cutting it axis-aligned."
    )
    status = models.CharField(max_length=16, choices=CameraStatus.choices, default=CameraStatus.UNKNOWN)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True, verbose_name="last frame at")
    next_poll_at = models.DateTimeField(null=True, blank=True)
    frames_captured = models.PositiveIntegerField(default=0, help_text="Also picks the next frame of a folder.")
    frame_width = models.PositiveIntegerField(null=True, blank=True)
    frame_height = models.PositiveIntegerField(null=True, blank=True)
    in_flight_since = models.DateTimeField(null=True, blank=True, help_text="Set while a poll holds the lease.")
    lease_token = models.CharField(max_length=32, blank=True, editable=False)

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
        url = (self.source_url or "").strip()
        if self.source_type != CameraSource.PUSH and not url:
            raise ValidationError({"source_url": "give an http(s) URL, a stream URL or a file path"})
        if self.source_type == CameraSource.SNAPSHOT and not url.startswith(("http://", "https://")):
            raise ValidationError({"source_url": "a snapshot source is an http:// or https:// URL"})


class TableRegion(models.Model):
    """Where a table appears in a camera's frame: a rotated box (centre, size, angle), in pixels."""

    tenant_field = "camera__restaurant"

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="regions")
    table = models.ForeignKey("floor.Table", on_delete=models.CASCADE, related_name="camera_regions")
    center_x = models.FloatField(validators=[MinValueValidator(0)])
    center_y = models.FloatField(validators=[MinValueValidator(0)])
    width = models.FloatField(validators=[MinValueValidator(1)])
    height = models.FloatField(validators=[MinValueValidator(1)])
    angle = models.FloatField(default=0, help_text="Degrees, as OpenCV's RotatedRect (clockwise on screen).")

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
    return ["empty", "occupied", "dirty"]


class GlobalPool(models.TextChoices):
    AVG = "avg", "Average of patch tokens (timm's default for DINOv3)"
    TOKEN = "token", "Class token"


class ClassifierModel(models.Model):
    """A trained table-state classifier: a timm backbone, a linear head, labels and measured quality."""

    name = models.CharField(max_length=100)
    version = models.CharField(max_length=40)
    architecture = models.CharField(max_length=100, default="vit_small_patch16_dinov3")
    weights_path = models.CharField(
        max_length=500,
        help_text="Backbone weights (or backbone and head together), relative to VISION_WEIGHTS_DIR or absolute",
    )
    head_path = models.CharField(max_length=500, blank=True, help_text="The linear head, when kept apart")
    labels = models.JSONField(default=default_labels)
    input_size = models.PositiveIntegerField(default=224, validators=[MinValueValidator(16)])
    global_pool = models.CharField(max_length=8, choices=GlobalPool.choices, default=GlobalPool.AVG)
    model_options = models.JSONField(
        default=dict, blank=True, help_text="Extra timm create_model arguments (embed_dim, depth... for small models)"
    )
    is_demo = models.BooleanField(default=False, help_text="Trained at seed time over a random backbone: a demo.")
    active = models.BooleanField(default=False)
    metrics = models.JSONField(default=dict, blank=True, help_text="Validation accuracy, confusion matrix...")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="classifier_unique_version"),
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="classifier_one_active"),
        ]
        ordering = ["name", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} {self.version}{' (demo)' if self.is_demo else ''}"

    @property
    def version_label(self) -> str:
        """What predictions record as their model version."""
        return f"{self.name}@{self.version}{'-demo' if self.is_demo else ''}"

    def clean(self) -> None:
        labels = self.labels
        if not isinstance(labels, list) or len(labels) < 2 or not all(isinstance(x, str) and x for x in labels):
            raise ValidationError({"labels": "give at least two label names"})
        if len(set(labels)) != len(labels):
            raise ValidationError({"labels": "labels must be distinct"})


class Crop(models.Model):
    """One table cut from one frame: the classifier's input, and training data once a person labels it."""

    tenant_field = "camera__restaurant"

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="crops")
    table = models.ForeignKey("floor.Table", on_delete=models.CASCADE, related_name="crops")
    image = models.CharField(max_length=300, help_text="Path of the JPEG under MEDIA_ROOT")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    captured_at = models.DateTimeField(default=timezone.now)
    label = models.CharField(max_length=32, blank=True, help_text="Set by a person: the truth, for training.")
    labelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    labelled_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["camera", "-captured_at"]), models.Index(fields=["label", "-captured_at"])]
        ordering = ["-captured_at", "-id"]

    def __str__(self) -> str:
        return f"{self.table} at {self.captured_at:%Y-%m-%d %H:%M:%S}"


class PredictionOutcome(models.TextChoices):
    APPLIED = "applied", "Changed the table state"
    SAME = "same", "Table already in that state"
    WAITING = "waiting", "Not stable yet (K agreeing frames needed)"
    LOW_CONFIDENCE = "low_confidence", "Below the confidence threshold"
    HOST_RECENT = "host_recent", "A person changed the table recently"
    CONFLICT = "conflict", "Disagrees with an open visit: flagged"
    NOT_ALLOWED = "not_allowed", "The state machine does not allow it"
    NO_STATE = "no_state", "Label maps to no table state"
    OFF = "off", "Applying predictions is off"


class Prediction(models.Model):
    """What the classifier saw at a table in one frame, and what came of it."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="+")
    table = models.ForeignKey("floor.Table", on_delete=models.CASCADE, related_name="predictions")
    camera = models.ForeignKey(Camera, on_delete=models.SET_NULL, null=True, blank=True, related_name="predictions")
    crop = models.OneToOneField(Crop, on_delete=models.SET_NULL, null=True, blank=True, related_name="prediction")
    label = models.CharField(max_length=32)
    confidence = models.FloatField(validators=[MinValueValidator(0), MaxValueValidator(1)])
    probabilities = models.JSONField(default=dict)
    model_version = models.CharField(max_length=150)
    captured_at = models.DateTimeField(default=timezone.now)
    applied = models.BooleanField(default=False, help_text="Did this prediction change the table state?")
    outcome = models.CharField(max_length=16, choices=PredictionOutcome.choices, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(confidence__gte=0, confidence__lte=1), name="prediction_confidence_0_1")
        ]
        indexes = [models.Index(fields=["table", "-captured_at"]), models.Index(fields=["camera", "-captured_at"])]
        ordering = ["-captured_at", "-id"]

    def __str__(self) -> str:
        return f"{self.table}: {self.label} ({self.confidence:.2f})"


def default_label_states() -> dict:
    """Which table state each classifier label stands for; a label missing here changes nothing."""
    return {"empty": "available", "occupied": "occupied", "dirty": "dirty"}


class VisionSettings(models.Model):
    """How sure and how steady the cameras must be before they change a restaurant's tables."""

    restaurant = models.OneToOneField("restaurant.Restaurant", on_delete=models.CASCADE, related_name="vision_settings")
    apply_predictions = models.BooleanField(default=True, help_text="Off: cameras only watch and record.")
    confidence_threshold = models.FloatField(
        default=0.8, validators=[MinValueValidator(0), MaxValueValidator(1)], help_text="Each agreeing frame's minimum"
    )
    stable_frames = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(50)], help_text="K consecutive agreeing frames"
    )
    host_override_minutes = models.PositiveIntegerField(
        default=10, validators=[MaxValueValidator(24 * 60)], help_text="M: never over a person's change this recent"
    )
    label_states = models.JSONField(default=default_label_states, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "vision settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence_threshold__gte=0, confidence_threshold__lte=1), name="vision_threshold_0_1"
            ),
            models.CheckConstraint(condition=Q(stable_frames__gte=1), name="vision_stable_frames_positive"),
        ]

    def __str__(self) -> str:
        return f"Vision settings of {self.restaurant}"

    def clean(self) -> None:
        from_floor = {"available", "occupied", "dirty", "reserved", "blocked"}
        mapping = self.label_states or {}
        if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
            raise ValidationError({"label_states": 'a mapping such as {"empty": "available"}'})
        unknown = sorted(set(mapping.values()) - from_floor)
        if unknown:
            raise ValidationError({"label_states": f"unknown table states: {', '.join(unknown)}"})


class ConflictKind(models.TextChoices):
    EMPTY_WITH_OPEN_VISIT = "empty_with_open_visit", "Camera sees an empty table, but its visit is open"
    OCCUPIED_WITHOUT_VISIT = "occupied_without_visit", "Camera sees guests, but no visit is open"


class ConflictQuerySet(TenantQuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class VisionConflict(models.Model):
    """A camera's stable view disagrees with the floor: flagged for a person, never applied."""

    restaurant = models.ForeignKey("restaurant.Restaurant", on_delete=models.CASCADE, related_name="+")
    table = models.ForeignKey("floor.Table", on_delete=models.CASCADE, related_name="vision_conflicts")
    camera = models.ForeignKey(Camera, on_delete=models.SET_NULL, null=True, blank=True, related_name="conflicts")
    visit = models.ForeignKey("floor.Visit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=32, choices=ConflictKind.choices)
    seen_label = models.CharField(max_length=32)
    confidence = models.FloatField(validators=[MinValueValidator(0), MaxValueValidator(1)])
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=100, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ConflictQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["table", "kind"], condition=Q(resolved_at__isnull=True), name="conflict_one_open_per_kind"
            )
        ]
        ordering = ["-last_seen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.table}: {self.get_kind_display()}"
