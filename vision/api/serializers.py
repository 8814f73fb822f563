"""Serializers of the vision API: inputs validated here, outputs shaped here."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vision.engine.geometry import box_corners
from vision.models import Camera, Crop, Prediction, TableRegion, VisionConflict
from vision.selectors import region_box


class ImageUploadSerializer(serializers.Serializer):
    """A multipart upload: one image file in the field `image`."""

    image = serializers.FileField(help_text="JPEG, PNG, BMP or WebP; at most VISION_MAX_UPLOAD_BYTES (5 MB).")


class PredictResponseSerializer(serializers.Serializer):
    label = serializers.CharField()
    confidence = serializers.FloatField(min_value=0, max_value=1)
    probabilities = serializers.DictField(child=serializers.FloatField())
    model_version = serializers.CharField()
    demo_model = serializers.BooleanField(help_text="True while the demo model (random backbone) is active.")


class ClassifierStatusSerializer(serializers.Serializer):
    configured = serializers.BooleanField()
    reason = serializers.CharField()
    model_version = serializers.CharField(allow_blank=True)
    demo_model = serializers.BooleanField()
    architecture = serializers.CharField(allow_blank=True)
    labels = serializers.ListField(child=serializers.CharField())
    metrics = serializers.DictField()


class CameraSerializer(serializers.ModelSerializer):
    restaurant_id = serializers.IntegerField(read_only=True)
    last_frame_at = serializers.DateTimeField(source="last_success_at", read_only=True, allow_null=True)
    in_flight = serializers.SerializerMethodField()

    class Meta:
        model = Camera
        fields = [
            "id",
            "name",
            "status",
            "restaurant_id",
            "source_type",
            "enabled",
            "poll_interval_seconds",
            "consecutive_failures",
            "last_error",
            "last_frame_at",
            "last_polled_at",
            "next_poll_at",
            "frame_width",
            "frame_height",
            "in_flight",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_in_flight(self, camera) -> bool:
        return camera.in_flight_since is not None


class FrameOutcomeSerializer(serializers.Serializer):
    crops = serializers.IntegerField()
    predictions = serializers.IntegerField()
    applied = serializers.IntegerField()
    conflicts = serializers.IntegerField()
    classifier = serializers.CharField()


class CaptureResultSerializer(serializers.Serializer):
    camera_id = serializers.IntegerField()
    ok = serializers.BooleanField()
    status = serializers.CharField(allow_blank=True)
    error = serializers.CharField(allow_blank=True)
    frame = FrameOutcomeSerializer(allow_null=True)


class BoxSerializer(serializers.Serializer):
    center_x = serializers.FloatField()
    center_y = serializers.FloatField()
    width = serializers.FloatField()
    height = serializers.FloatField()
    angle = serializers.FloatField()
    corners = serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))


def box_data(region: TableRegion) -> dict:
    return {
        "center_x": region.center_x,
        "center_y": region.center_y,
        "width": region.width,
        "height": region.height,
        "angle": region.angle,
        "corners": [[round(x, 2), round(y, 2)] for x, y in box_corners(region_box(region))],
    }


class PredictionSerializer(serializers.ModelSerializer):
    table_label = serializers.CharField(source="table.label", read_only=True)

    class Meta:
        model = Prediction
        fields = [
            "id",
            "table_id",
            "table_label",
            "camera_id",
            "crop_id",
            "label",
            "confidence",
            "probabilities",
            "model_version",
            "captured_at",
            "applied",
            "outcome",
        ]
        read_only_fields = fields


class CropPredictionSerializer(serializers.Serializer):
    label = serializers.CharField()
    confidence = serializers.FloatField()
    outcome = serializers.CharField(allow_blank=True)
    applied = serializers.BooleanField()


class CropSerializer(serializers.ModelSerializer):
    table_label = serializers.CharField(source="table.label", read_only=True)
    image_url = serializers.SerializerMethodField()
    prediction = serializers.SerializerMethodField()

    class Meta:
        model = Crop
        fields = [
            "id",
            "camera_id",
            "table_id",
            "table_label",
            "captured_at",
            "width",
            "height",
            "image_url",
            "label",
            "labelled_at",
            "prediction",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_image_url(self, crop) -> str:
        return f"/api/v1/crops/{crop.pk}/image"

    @extend_schema_field(CropPredictionSerializer(allow_null=True))
    def get_prediction(self, crop):
        prediction = getattr(crop, "prediction", None)
        if prediction is None:
            return None
        return {
            "label": prediction.label,
            "confidence": prediction.confidence,
            "outcome": prediction.outcome,
            "applied": prediction.applied,
        }


class LatestFrameSerializer(serializers.Serializer):
    camera = CameraSerializer()
    captured_at = serializers.DateTimeField(allow_null=True)
    crops = CropSerializer(many=True)


class LabelSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=32)


class RegionSerializer(serializers.ModelSerializer):
    """A table's rotated box in a camera's frame (pixels; angle in degrees, clockwise on screen)."""

    camera_id = serializers.IntegerField()
    table_id = serializers.IntegerField()
    table_label = serializers.CharField(source="table.label", read_only=True)
    center_x = serializers.FloatField(min_value=0, max_value=100_000)
    center_y = serializers.FloatField(min_value=0, max_value=100_000)
    width = serializers.FloatField(min_value=1, max_value=100_000)
    height = serializers.FloatField(min_value=1, max_value=100_000)
    angle = serializers.FloatField(min_value=-360, max_value=360, default=0)
    corners = serializers.SerializerMethodField()

    class Meta:
        model = TableRegion
        fields = [
            "id",
            "camera_id",
            "table_id",
            "table_label",
            "center_x",
            "center_y",
            "width",
            "height",
            "angle",
            "corners",
        ]
        read_only_fields = ["id", "table_label", "corners"]
        validators: list = []  # uniqueness is the service's (a 409 naming the region)

    @extend_schema_field(serializers.ListField(child=serializers.ListField(child=serializers.FloatField())))
    def get_corners(self, region):
        return box_data(region)["corners"]


class ConflictSerializer(serializers.ModelSerializer):
    table_label = serializers.CharField(source="table.label", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = VisionConflict
        fields = [
            "id",
            "restaurant_id",
            "table_id",
            "table_label",
            "camera_id",
            "visit_id",
            "kind",
            "kind_display",
            "seen_label",
            "confidence",
            "first_seen_at",
            "last_seen_at",
            "resolved_at",
            "resolution",
        ]
        read_only_fields = fields
