"""The vision API: the classifier (`/ml/...`) and cameras, crops, regions, labels and conflicts
(`/crops/...`), under /api/v1/ with the paths of the original system.

Who may do what (sessions by role, keys by scope; another restaurant's object is a 404):
- read cameras, frames, crops, predictions, conflicts, and call predict: owners, managers and hosts;
  keys with the `camera` or `frontend` scope;
- trigger a capture: owners, managers, hosts, `camera` keys; push a frame: owners, managers, `camera` keys;
- label a crop, dismiss a conflict: owners, managers and hosts;
- regions: owners and managers (sessions; never a key).
Uploads are multipart (`image`); everything else is JSON."""

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, renderers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from restaurant.api.pagination import StandardPagination
from restaurant.api.schema import ErrorSerializer
from restaurant.models import FLOOR_ROLES, MANAGING_ROLES, ApiScope, Restaurant
from vision.api.serializers import (
    CameraSerializer,
    CaptureResultSerializer,
    ClassifierStatusSerializer,
    ConflictSerializer,
    CropSerializer,
    ImageUploadSerializer,
    LabelSerializer,
    LatestFrameSerializer,
    PredictionSerializer,
    PredictResponseSerializer,
    RegionSerializer,
)
from vision.exceptions import InvalidVisionInput, UploadTooLarge
from vision.models import Camera, TableRegion
from vision.selectors import (
    cameras_for,
    conflicts_for,
    crops_for,
    labelling_queue,
    latest_frame,
    predictions_for,
    regions_for,
    vision_managed_restaurants_for,
    vision_restaurants_for,
)
from vision.services.classifier import classifier_status
from vision.services.crops import crop_bytes, frame_annotated, frame_bytes
from vision.services.labelling import conflict_dismiss, crop_label, region_save
from vision.services.polling import camera_frame_push, camera_poll_now
from vision.services.predict import image_predict, upload_read

CLASSIFIER_TAGS = ["vision: classifier"]
CAMERA_TAGS = ["vision: cameras and crops"]
# A multipart body carries some bytes of framing around the file.
MULTIPART_SLACK = 64 * 1024


class JPEGRenderer(renderers.BaseRenderer):
    """Lets a client ask for `Accept: image/jpeg`; errors still come out as the JSON error shape."""

    media_type = "image/jpeg"
    format = "jpg"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return renderers.JSONRenderer().render(data)


class VisionAccess(permissions.BasePermission):
    """Members who run the floor and keys with the camera or frontend scope; everyone else a 403."""

    message = "The vision API is for owners, managers, hosts and camera or frontend keys."

    def has_permission(self, request, view):
        return vision_restaurants_for(request.user).exists()


class VisionView(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated, VisionAccess]
    filter_backends: list = []
    pagination_class = None
    # Each handler looks its objects up through the selectors; this only satisfies DRF's OPTIONS metadata.
    queryset = Restaurant.objects.none()

    def readable(self):
        return vision_restaurants_for(self.request.user)

    def restaurant_filter(self, queryset: QuerySet, field: str = "restaurant_id") -> QuerySet:
        """`?restaurant=<id>`: only that restaurant (a caller in several); a bad value is a 400."""
        wanted = int_param(self.request, "restaurant")
        return queryset if wanted is None else queryset.filter(**{field: wanted})

    def require(self, restaurant_id: int, *, roles=FLOOR_ROLES, scopes=()) -> None:
        """403 unless the caller may act in this restaurant with these roles or key scopes."""
        if not vision_restaurants_for(self.request.user, roles=roles, scopes=scopes).filter(pk=restaurant_id).exists():
            raise PermissionDenied("Your role or key scope may not do this.")

    def camera(self) -> Camera:
        return get_object_or_404(cameras_for(self.readable()), pk=self.kwargs["camera_id"])


# Ids are 64-bit in the database; a bigger number is no id (and SQLite cannot even compare it).
MAX_ID = 2**63 - 1


def int_param(request, name: str) -> int | None:
    """An id from the query string, or None; anything else is a 400 naming the parameter."""
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not value.isdigit() or int(value) > MAX_ID:
        raise InvalidVisionInput(name, f"{name}: give an id")
    return int(value)


# --- The classifier ------------------------------------------------------------------------------------


class PredictView(VisionView):
    """Classify one image of a table (already cropped). Multipart, field `image`."""

    parser_classes = [MultiPartParser]
    serializer_class = ImageUploadSerializer

    @extend_schema(
        tags=CLASSIFIER_TAGS,
        summary="Classify one table image",
        request={"multipart/form-data": ImageUploadSerializer},
        responses={
            200: PredictResponseSerializer,
            400: OpenApiResponse(ErrorSerializer, description="No `image` field, or the file is not an image."),
            413: OpenApiResponse(ErrorSerializer, description="The upload is larger than VISION_MAX_UPLOAD_BYTES."),
            415: OpenApiResponse(ErrorSerializer, description="The body is not multipart/form-data."),
            503: OpenApiResponse(ErrorSerializer, description="No classifier is configured; the message says why."),
        },
    )
    def post(self, request):
        limit = settings.VISION_MAX_UPLOAD_BYTES
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > limit + MULTIPART_SLACK:
            raise UploadTooLarge("image", f"image: the upload is over the {limit}-byte limit")
        image = upload_read(request.FILES.get("image"), max_bytes=limit)
        prediction, model = image_predict(image=image)
        return Response(
            {
                "label": prediction.label,
                "confidence": prediction.confidence,
                "probabilities": prediction.probabilities,
                "model_version": model.version,
                "demo_model": model.demo,
            }
        )


class ClassifierStatusView(VisionView):
    """Whether a classifier is configured, and why not."""

    serializer_class = ClassifierStatusSerializer

    @extend_schema(tags=CLASSIFIER_TAGS, summary="Classifier status", responses={200: ClassifierStatusSerializer})
    def get(self, request):
        current = classifier_status()
        model = current.model
        return Response(
            {
                "configured": current.configured,
                "reason": current.reason,
                "model_version": current.version,
                "demo_model": current.demo,
                "architecture": model.architecture if model else "",
                "labels": list(model.labels) if model else [],
                "metrics": model.metrics if model else {},
            }
        )


# --- Cameras -------------------------------------------------------------------------------------------

RESTAURANT_PARAM = OpenApiParameter("restaurant", int, description="Only this restaurant's (a caller in several)")


class CameraListView(VisionView):
    """The caller's cameras with their status (ok, degraded, offline, unknown)."""

    serializer_class = CameraSerializer

    @extend_schema(
        tags=CAMERA_TAGS,
        summary="Cameras and their status",
        operation_id="crops_cameras_list",
        parameters=[RESTAURANT_PARAM],
        responses={200: CameraSerializer(many=True)},
    )
    def get(self, request):
        cameras = self.restaurant_filter(cameras_for(self.readable()))
        return Response(CameraSerializer(cameras, many=True).data)


class CameraDetailView(VisionView):
    serializer_class = CameraSerializer

    @extend_schema(tags=CAMERA_TAGS, summary="One camera", operation_id="crops_camera_retrieve")
    def get(self, request, camera_id):
        return Response(CameraSerializer(self.camera()).data)


class CaptureView(VisionView):
    """Poll the camera now, in the foreground: capture, crop, predict, apply. A failed capture is a 200
    with `ok: false` and the reason (the camera's status counts it like a polled failure); a poll
    already in flight is a 409."""

    serializer_class = CaptureResultSerializer

    @extend_schema(
        tags=CAMERA_TAGS,
        summary="Trigger a capture now",
        request=None,
        responses={
            200: CaptureResultSerializer,
            503: OpenApiResponse(ErrorSerializer, description="This process has no vision packages."),
        },
    )
    def post(self, request, camera_id):
        camera = self.camera()
        self.require(camera.restaurant_id, scopes=(ApiScope.CAMERA,))
        result = camera_poll_now(camera=camera)
        frame = result.frame
        return Response(
            {
                "camera_id": camera.pk,
                "ok": result.ok,
                "status": result.status,
                "error": result.error or result.skipped,
                "frame": None if frame is None else frame.__dict__,
            }
        )


class FramePushView(VisionView):
    """A camera bridge pushes a frame (multipart `image`): processed like a polled one."""

    parser_classes = [MultiPartParser]
    serializer_class = ImageUploadSerializer

    @extend_schema(
        tags=CAMERA_TAGS,
        summary="Push a frame (camera bridges)",
        request={"multipart/form-data": ImageUploadSerializer},
        responses={
            200: CaptureResultSerializer,
            413: OpenApiResponse(ErrorSerializer, description="The upload is larger than VISION_MAX_UPLOAD_BYTES."),
            415: OpenApiResponse(ErrorSerializer, description="The body is not multipart/form-data."),
            503: OpenApiResponse(ErrorSerializer, description="This process has no vision packages."),
        },
    )
    def post(self, request, camera_id):
        camera = self.camera()
        self.require(camera.restaurant_id, roles=MANAGING_ROLES, scopes=(ApiScope.CAMERA,))
        limit = settings.VISION_MAX_UPLOAD_BYTES
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > limit + MULTIPART_SLACK:
            raise UploadTooLarge("image", f"image: the upload is over the {limit}-byte limit")
        frame = upload_read(request.FILES.get("image"), max_bytes=limit)
        result = camera_frame_push(camera=camera, frame=frame)
        return Response(
            {
                "camera_id": camera.pk,
                "ok": result.ok,
                "status": result.status,
                "error": result.error or result.skipped,
                "frame": None if result.frame is None else result.frame.__dict__,
            }
        )


class LatestView(VisionView):
    """The crops of the camera's newest frame, each with what the classifier saw."""

    serializer_class = LatestFrameSerializer

    @extend_schema(tags=CAMERA_TAGS, summary="Latest crops of a camera")
    def get(self, request, camera_id):
        latest = latest_frame(self.camera())
        return Response(
            LatestFrameSerializer(
                {"camera": latest.camera, "captured_at": latest.captured_at, "crops": latest.crops}
            ).data
        )


JPEG_RESPONSE = {
    (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="A JPEG image."),
}


class FrameView(VisionView):
    """The camera's latest frame as a JPEG; `?annotated=1` draws the regions and latest labels on it."""

    renderer_classes = [renderers.JSONRenderer, JPEGRenderer]

    @extend_schema(
        tags=CAMERA_TAGS,
        summary="Latest frame (JPEG)",
        parameters=[OpenApiParameter("annotated", bool, description="Draw regions and labels")],
        responses=JPEG_RESPONSE,
    )
    def get(self, request, camera_id):
        camera = self.camera()
        annotated = request.query_params.get("annotated", "").lower() in {"1", "true", "yes"}
        data = frame_annotated(camera) if annotated else frame_bytes(camera)
        if data is None:
            return Response(
                {"error": {"code": "not_found", "message": "This camera has no frame yet.", "details": {}}},
                status=status.HTTP_404_NOT_FOUND,
            )
        response = HttpResponse(data, content_type="image/jpeg")
        response["Cache-Control"] = "no-store"
        return response


# --- Crops, labels, predictions, conflicts -----------------------------------------------------------


class CropImageView(VisionView):
    renderer_classes = [renderers.JSONRenderer, JPEGRenderer]

    @extend_schema(tags=CAMERA_TAGS, summary="A crop's image (JPEG)", responses=JPEG_RESPONSE)
    def get(self, request, crop_id):
        crop = get_object_or_404(crops_for(self.readable()), pk=crop_id)
        data = crop_bytes(crop)
        if data is None:
            return Response(
                {"error": {"code": "not_found", "message": "The crop's image was pruned.", "details": {}}},
                status=status.HTTP_404_NOT_FOUND,
            )
        response = HttpResponse(data, content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=3600"
        return response


class CropLabelView(VisionView):
    """A person confirms or corrects what a crop shows; labelled crops are training data."""

    serializer_class = LabelSerializer

    @extend_schema(tags=CAMERA_TAGS, summary="Label a crop", request=LabelSerializer, responses={200: CropSerializer})
    def post(self, request, crop_id):
        crop = get_object_or_404(crops_for(self.readable()).select_related("camera__restaurant"), pk=crop_id)
        self.require(crop.camera.restaurant_id)
        data = LabelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        crop = crop_label(crop=crop, label=data.validated_data["label"], user=request.user)
        return Response(CropSerializer(crops_for(self.readable()).get(pk=crop.pk)).data)


class LabellingQueueView(VisionView):
    serializer_class = CropSerializer

    @extend_schema(
        tags=CAMERA_TAGS,
        summary="Labelling queue: recent unlabelled crops",
        parameters=[RESTAURANT_PARAM],
        responses={200: CropSerializer(many=True)},
    )
    def get(self, request):
        restaurants = self.restaurant_filter(self.readable(), field="pk")
        return Response(CropSerializer(labelling_queue(restaurants), many=True).data)


class PredictionListView(VisionView, generics.ListAPIView):
    """Prediction history, newest first; `?table=<id>` for one table's, `?camera=<id>` for one camera's."""

    serializer_class = PredictionSerializer
    pagination_class = StandardPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return predictions_for([]).none()
        predictions = self.restaurant_filter(predictions_for(self.readable()))
        table, camera = int_param(self.request, "table"), int_param(self.request, "camera")
        if table is not None:
            predictions = predictions.filter(table_id=table)
        if camera is not None:
            predictions = predictions.filter(camera_id=camera)
        return predictions.order_by("-captured_at", "-id")

    @extend_schema(
        tags=CAMERA_TAGS,
        summary="Prediction history",
        parameters=[OpenApiParameter("table", int), OpenApiParameter("camera", int), RESTAURANT_PARAM],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ConflictListView(VisionView):
    """Open conflicts (camera vs. visit); `?all=1` includes resolved ones."""

    serializer_class = ConflictSerializer

    @extend_schema(
        tags=CAMERA_TAGS,
        summary="Conflicts between cameras and the floor",
        parameters=[OpenApiParameter("all", bool), RESTAURANT_PARAM],
        responses={200: ConflictSerializer(many=True)},
    )
    def get(self, request):
        conflicts = self.restaurant_filter(conflicts_for(self.readable()))
        if request.query_params.get("all", "").lower() not in {"1", "true", "yes"}:
            conflicts = conflicts.open()
        return Response(ConflictSerializer(conflicts[:200], many=True).data)


class ConflictDismissView(VisionView):
    serializer_class = ConflictSerializer

    @extend_schema(tags=CAMERA_TAGS, summary="Dismiss a conflict", request=None, responses={200: ConflictSerializer})
    def post(self, request, conflict_id):
        conflict = get_object_or_404(conflicts_for(self.readable()), pk=conflict_id)
        self.require(conflict.restaurant_id)
        conflict = conflict_dismiss(conflict=conflict, user=request.user)
        return Response(ConflictSerializer(conflicts_for(self.readable()).get(pk=conflict.pk)).data)


# --- Regions -------------------------------------------------------------------------------------------


class RegionMixin:
    def region_input(self, *, partial: bool = False, instance=None) -> dict:
        serializer = RegionSerializer(instance=instance, data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def resolve(self, data: dict, region: TableRegion | None = None):
        """The camera and table the input names: among the caller's managed restaurants, else 400."""
        managed = vision_managed_restaurants_for(self.request.user)
        camera_id = data.pop("camera_id", region.camera_id if region else None)
        table_id = data.pop("table_id", region.table_id if region else None)
        camera = cameras_for(managed).filter(pk=camera_id).first()
        if camera is None:
            raise InvalidVisionInput("camera_id", "camera_id: not found among the cameras you manage")
        table = camera.restaurant.tables.filter(pk=table_id).first()
        if table is None:
            raise InvalidVisionInput("table_id", "table_id: not found in the camera's restaurant")
        return camera, table


class RegionListView(RegionMixin, VisionView):
    """Table regions of the caller's cameras; managers add them."""

    serializer_class = RegionSerializer

    @extend_schema(
        tags=CAMERA_TAGS,
        summary="Table regions",
        operation_id="crops_regions_list",
        parameters=[OpenApiParameter("camera", int), RESTAURANT_PARAM],
        responses={200: RegionSerializer(many=True)},
    )
    def get(self, request):
        regions = self.restaurant_filter(regions_for(self.readable()), field="camera__restaurant_id")
        camera = int_param(request, "camera")
        if camera is not None:
            regions = regions.filter(camera_id=camera)
        return Response(RegionSerializer(regions.order_by("camera_id", "table__label", "id"), many=True).data)

    @extend_schema(tags=CAMERA_TAGS, summary="Add a table region", responses={201: RegionSerializer})
    def post(self, request):
        if not vision_managed_restaurants_for(request.user).exists():
            raise PermissionDenied("Regions are set up by owners and managers.")
        data = self.region_input()
        camera, table = self.resolve(data)
        region = region_save(camera=camera, table=table, **data)
        return Response(RegionSerializer(region).data, status=status.HTTP_201_CREATED)


class RegionDetailView(RegionMixin, VisionView):
    serializer_class = RegionSerializer
    lookup_url_kwarg = "region_id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TableRegion.objects.none()
        return regions_for(self.readable())

    def region(self) -> TableRegion:
        return self.get_object()

    @extend_schema(tags=CAMERA_TAGS, summary="One table region", operation_id="crops_region_retrieve")
    def get(self, request, region_id):
        return Response(RegionSerializer(self.region()).data)

    def _update(self, partial: bool):
        region = self.region()
        self.require(region.camera.restaurant_id, roles=MANAGING_ROLES)
        data = self.region_input(partial=partial, instance=region)
        camera, table = self.resolve(data, region)
        region = region_save(region=region, camera=camera, table=table, **data)
        return Response(RegionSerializer(region).data)

    @extend_schema(tags=CAMERA_TAGS, summary="Replace a table region")
    def put(self, request, region_id):
        return self._update(partial=False)

    @extend_schema(tags=CAMERA_TAGS, summary="Change a table region")
    def patch(self, request, region_id):
        return self._update(partial=True)

    @extend_schema(tags=CAMERA_TAGS, summary="Delete a table region", responses={204: None})
    def delete(self, request, region_id):
        region = self.region()
        self.require(region.camera.restaurant_id, roles=MANAGING_ROLES)
        region.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
