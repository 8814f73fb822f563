"""Read queries of the vision app: who sees which cameras, the latest crops, prediction history, the
labelling queue, open conflicts, and the floor as the hysteresis needs it (read from floor's models,
which are the shared data layer; every write to the floor goes through floor's services)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, QuerySet

from floor.models import StateSource, Table, TableStateChange, Visit
from restaurant.models import FLOOR_ROLES, MANAGING_ROLES, ApiScope, Restaurant
from restaurant.selectors import api_client_of, restaurants_for
from vision.engine.geometry import RotatedBox
from vision.engine.hysteresis import Observation, TableView
from vision.models import (
    Camera,
    ClassifierModel,
    Crop,
    Prediction,
    TableRegion,
    VisionConflict,
    VisionSettings,
)

# Changes by a person (the host stand, the POS's cashier) that a camera never overrides for M minutes.
PERSON_SOURCES = (StateSource.HOST, StateSource.POS)
# Key scopes that may read the cameras (a camera bridge, a frontend) and those that may push or capture.
READ_SCOPES = (ApiScope.CAMERA, ApiScope.FRONTEND)
CAPTURE_SCOPES = (ApiScope.CAMERA,)


# --- Who sees what ---------------------------------------------------------------------------------------


def vision_restaurants_for(user, *, roles=FLOOR_ROLES, scopes=READ_SCOPES) -> QuerySet[Restaurant]:
    """Restaurants whose cameras a caller may see (or act on, with narrower roles/scopes): members with
    one of `roles`, keys with one of `scopes`; superusers everywhere."""
    client = api_client_of(user)
    if client is not None:
        if any(client.has_scope(scope) for scope in scopes):
            return Restaurant.objects.filter(pk=client.restaurant_id)
        return Restaurant.objects.none()
    if not user or not user.is_authenticated:
        return Restaurant.objects.none()
    if user.is_superuser:
        return Restaurant.objects.all()
    return restaurants_for(user).filter(memberships__user=user, memberships__role__in=roles).distinct()


def vision_managed_restaurants_for(user) -> QuerySet[Restaurant]:
    """Where a caller may change the setup (regions, settings): owners and managers; no key."""
    return vision_restaurants_for(user, roles=MANAGING_ROLES, scopes=())


def cameras_for(restaurants) -> QuerySet[Camera]:
    return Camera.objects.for_restaurants(restaurants).select_related("restaurant").order_by("restaurant_id", "name")


def crops_for(restaurants) -> QuerySet[Crop]:
    return Crop.objects.for_restaurants(restaurants).select_related("table", "camera", "prediction")


def regions_for(restaurants) -> QuerySet[TableRegion]:
    return TableRegion.objects.for_restaurants(restaurants).select_related("table", "camera")


def predictions_for(restaurants) -> QuerySet[Prediction]:
    return Prediction.objects.for_restaurants(restaurants).select_related("table", "camera")


def conflicts_for(restaurants) -> QuerySet[VisionConflict]:
    return VisionConflict.objects.for_restaurants(restaurants).select_related("table", "camera")


def open_conflicts(*, restaurant) -> QuerySet[VisionConflict]:
    """What the floor dashboard shows: tables whose camera disagrees with an open (or missing) visit."""
    return conflicts_for([restaurant]).open()


# --- Camera state ----------------------------------------------------------------------------------------


def region_box(region: TableRegion) -> RotatedBox:
    return RotatedBox(region.center_x, region.center_y, region.width, region.height, region.angle)


def camera_regions(camera: Camera) -> list[TableRegion]:
    return list(camera.regions.select_related("table").order_by("table__label", "id"))


@dataclass(frozen=True)
class LatestFrame:
    """The crops of a camera's newest frame, with what the classifier saw in each."""

    camera: Camera
    captured_at: datetime | None
    crops: list[Crop]


def latest_frame(camera: Camera) -> LatestFrame:
    newest = Crop.objects.filter(camera=camera).aggregate(at=Max("captured_at"))["at"]
    if newest is None:
        return LatestFrame(camera, None, [])
    crops = list(
        Crop.objects.filter(camera=camera, captured_at=newest)
        .select_related("table", "prediction")
        .order_by("table__label", "id")
    )
    return LatestFrame(camera, newest, crops)


def latest_predictions_by_table(camera: Camera) -> dict[int, Prediction]:
    """The newest prediction of each table the camera watches (captions on its frame)."""
    newest = Prediction.objects.filter(camera=camera).aggregate(at=Max("captured_at"))["at"]
    if newest is None:
        return {}
    return {p.table_id: p for p in Prediction.objects.filter(camera=camera, captured_at=newest)}


def labelling_queue(restaurants, *, limit: int = 24) -> QuerySet[Crop]:
    """Recent crops nobody has labelled yet, newest first, with the classifier's guess when there is one."""
    return crops_for(restaurants).filter(label="").order_by("-captured_at", "-id")[:limit]


def labelled_crops(restaurants=None) -> QuerySet[Crop]:
    """Crops a person labelled: training data."""
    crops = Crop.objects.exclude(label="")
    if restaurants is not None:
        crops = crops.for_restaurants(restaurants)
    return crops.order_by("id")


def table_history(*, restaurants, table_id: int, limit: int = 50) -> QuerySet[Prediction]:
    return predictions_for(restaurants).filter(table_id=table_id).order_by("-captured_at", "-id")[:limit]


# --- What the hysteresis reads ---------------------------------------------------------------------------


def vision_settings_for(restaurant) -> VisionSettings:
    """The restaurant's settings, or the defaults (unsaved) when none were stored."""
    found = VisionSettings.objects.filter(restaurant=restaurant).first()
    return found or VisionSettings(restaurant=restaurant)


def recent_observations(*, camera: Camera, table_ids: list[int], frames: int) -> dict[int, list[Observation]]:
    """The newest `frames` predictions of each table by this camera, newest first (one query: the
    camera's newest `frames` frame times, then their predictions)."""
    times = list(
        Prediction.objects.filter(camera=camera)
        .order_by("-captured_at")
        .values_list("captured_at", flat=True)
        .distinct()[:frames]
    )
    found: dict[int, list[Observation]] = defaultdict(list)
    if not times:
        return found
    rows = (
        Prediction.objects.filter(camera=camera, table_id__in=table_ids, captured_at__in=times)
        .order_by("-captured_at", "-id")
        .values_list("table_id", "label", "confidence")
    )
    for table_id, label, confidence in rows:
        found[table_id].append(Observation(label, confidence))
    return found


def table_views(*, restaurant, table_ids: list[int]) -> dict[int, TableView]:
    """Each table's state, whether an open visit sits at it (as its own table or pushed together), and
    when a person last changed it."""
    tables = Table.objects.for_restaurant(restaurant).filter(pk__in=table_ids).values_list("pk", "state")
    open_visits = Visit.objects.for_restaurant(restaurant).filter(closed_at__isnull=True)
    taken = set(open_visits.filter(table_id__in=table_ids).values_list("table_id", flat=True))
    taken |= set(
        Visit.joined_tables.through.objects.filter(table_id__in=table_ids, visit__closed_at__isnull=True).values_list(
            "table_id", flat=True
        )
    )
    person_changes = dict(
        TableStateChange.objects.filter(table_id__in=table_ids, source__in=PERSON_SOURCES)
        .values("table_id")
        .annotate(at=Max("at"))
        .values_list("table_id", "at")
    )
    return {pk: TableView(state, pk in taken, person_changes.get(pk)) for pk, state in tables}


def open_visit_ids(*, table_ids: list[int]) -> dict[int, int]:
    """The open visit at each table, by table id."""
    found = dict(Visit.objects.filter(table_id__in=table_ids, closed_at__isnull=True).values_list("table_id", "pk"))
    for table_id, visit_id in Visit.joined_tables.through.objects.filter(
        table_id__in=table_ids, visit__closed_at__isnull=True
    ).values_list("table_id", "visit_id"):
        found.setdefault(table_id, visit_id)
    return found


def active_classifier_row() -> ClassifierModel | None:
    return ClassifierModel.objects.filter(active=True).first()
