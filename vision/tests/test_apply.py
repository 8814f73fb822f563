"""Predictions into the floor (vision/services/apply.py): only K agreeing confident frames change a
table, only through floor's table-state service (source vision, reaching the live floor), never over a
person's recent change; conflicts with a visit are flagged, not applied, and resolve themselves."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from floor.events import floor_group
from floor.models import StateSource, Table, TableState, TableStateChange, Visit
from floor.services.table_states import table_state_set
from floor.tests.factories import VisitFactory
from restaurant.models import Role
from vision.models import PredictionOutcome, VisionConflict, VisionSettings
from vision.services.polling import camera_poll_now
from vision.tests.factories import watched_floor
from vision.tests.support import set_head

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor(restaurant, camera_server, tiny_model):
    camera, tables = watched_floor(restaurant, source_url=camera_server.snapshot_url())
    VisionSettings.objects.create(
        restaurant=restaurant, stable_frames=3, confidence_threshold=0.8, host_override_minutes=10
    )
    return camera, tables


def poll(camera, at):
    result = camera_poll_now(camera=camera, now=at)
    assert result.ok, result.error
    return result


def long_ago():
    return timezone.now() - timedelta(hours=1)


def seat(restaurant, table, at):
    """A party seated long before the test's frames (no recent change by a person)."""
    visit = VisitFactory(table=table, seated_at=at)
    Table.objects.filter(pk=table.pk).update(state=TableState.OCCUPIED)
    table.refresh_from_db()
    return visit


def test_a_table_is_cleared_only_after_k_agreeing_confident_frames(restaurant, floor, weights_dir):
    camera, (t1, *_) = floor
    start = long_ago()
    seat(restaurant, t1, start - timedelta(minutes=30))
    set_head(weights_dir, label="dirty", confidence=0.95)
    outcomes = []
    for frame in range(3):
        result = poll(camera, start + timedelta(seconds=10 * frame))
        t1.refresh_from_db()
        outcomes.append((result.frame.applied, t1.state))
    # Frames 1 and 2: waiting, still occupied; frame 3: the third agreeing frame clears it.
    assert outcomes == [(0, "occupied"), (0, "occupied"), (3 - 2, "dirty")]
    change = TableStateChange.objects.filter(table=t1).order_by("-at", "-id").first()
    assert (change.source, change.to_state, change.confidence) == (StateSource.VISION, "dirty", 0.95)
    assert Visit.objects.get(table=t1).closed_at is not None  # clearing closed the visit, as the floor does
    assert t1.predictions.filter(applied=True).count() == 1


def test_frames_below_the_threshold_change_nothing(restaurant, floor, weights_dir):
    camera, (t1, *_) = floor
    seat(restaurant, t1, long_ago() - timedelta(minutes=30))
    set_head(weights_dir, label="dirty", confidence=0.7)
    for frame in range(4):
        poll(camera, long_ago() + timedelta(seconds=10 * frame))
    t1.refresh_from_db()
    assert t1.state == TableState.OCCUPIED
    assert set(t1.predictions.values_list("outcome", flat=True)) == {PredictionOutcome.LOW_CONFIDENCE}


def test_one_disagreeing_frame_restarts_the_count(restaurant, floor, weights_dir):
    camera, (t1, *_) = floor
    start = long_ago()
    seat(restaurant, t1, start - timedelta(minutes=30))
    for frame, label in enumerate(["dirty", "dirty", "occupied", "dirty", "dirty"]):
        set_head(weights_dir, label=label, confidence=0.95)
        poll(camera, start + timedelta(seconds=10 * frame))
    t1.refresh_from_db()
    assert t1.state == TableState.OCCUPIED  # only two agreeing frames since the disagreement


def test_never_over_a_hosts_change_of_the_last_m_minutes(restaurant, floor, weights_dir):
    camera, (t1, *_) = floor
    table_state_set(restaurant=restaurant, table=t1, to_state=TableState.BLOCKED, source="host", role=Role.MANAGER)
    table_state_set(restaurant=restaurant, table=t1, to_state=TableState.AVAILABLE, source="host", role=Role.MANAGER)
    t1.state = TableState.DIRTY
    t1.save(update_fields=["state"])  # a busser's "dirty" that the host then saw; host changed it just now
    set_head(weights_dir, label="empty", confidence=0.95)
    now = timezone.now()
    for frame in range(3):
        poll(camera, now + timedelta(seconds=frame))
    t1.refresh_from_db()
    assert t1.state == TableState.DIRTY
    assert t1.predictions.order_by("-captured_at").first().outcome == PredictionOutcome.HOST_RECENT
    # Eleven minutes on, the camera's steady view applies.
    poll(camera, now + timedelta(minutes=11))
    t1.refresh_from_db()
    assert t1.state == TableState.AVAILABLE


def test_an_empty_table_with_an_open_visit_is_flagged_not_applied_and_the_flag_clears(restaurant, floor, weights_dir):
    camera, (t1, *_) = floor
    start = long_ago()
    visit = seat(restaurant, t1, start - timedelta(minutes=30))
    set_head(weights_dir, label="empty", confidence=0.95)
    for frame in range(4):
        poll(camera, start + timedelta(seconds=10 * frame))
    t1.refresh_from_db()
    assert t1.state == TableState.OCCUPIED and Visit.objects.get(pk=visit.pk).closed_at is None
    [conflict] = VisionConflict.objects.open()
    assert (conflict.table_id, conflict.kind, conflict.visit_id) == (t1.pk, "empty_with_open_visit", visit.pk)
    assert conflict.last_seen_at > conflict.first_seen_at  # refreshed by each frame, not duplicated
    # The guests are back in view: the camera agrees with the floor again and the flag resolves.
    set_head(weights_dir, label="occupied", confidence=0.95)
    for frame in range(3):
        poll(camera, start + timedelta(seconds=100 + frame))
    assert not VisionConflict.objects.open().filter(table=t1).exists()
    assert VisionConflict.objects.get(table=t1).resolution == "camera and floor agree again"


def test_guests_at_a_table_without_a_visit_are_flagged(restaurant, floor):
    camera, tables = floor  # the tiny model answers "occupied" everywhere; no visit is open
    for frame in range(3):
        poll(camera, long_ago() + timedelta(seconds=frame))
    assert set(VisionConflict.objects.open().values_list("kind", flat=True)) == {"occupied_without_visit"}
    assert VisionConflict.objects.open().count() == len(tables)
    assert all(t.state == TableState.AVAILABLE for t in tables)


def test_a_vision_change_reaches_the_live_floor(
    restaurant, floor, weights_dir, settings, django_capture_on_commit_callbacks
):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(floor_group(restaurant.pk), channel)
    camera, (t1, *_) = floor
    t1.state = TableState.DIRTY
    t1.save(update_fields=["state"])
    set_head(weights_dir, label="empty", confidence=0.95)
    with django_capture_on_commit_callbacks(execute=True):
        for frame in range(3):
            poll(camera, long_ago() + timedelta(seconds=frame))
    message = async_to_sync(layer.receive)(channel)
    assert message["kind"] == "table_state"
    assert (message["data"]["table_id"], message["data"]["state"], message["data"]["source"]) == (
        t1.pk,
        "available",
        "vision",
    )


def test_applying_turned_off_records_but_changes_nothing(restaurant, floor, weights_dir):
    camera, (t1, *_) = floor
    VisionSettings.objects.filter(restaurant=restaurant).update(apply_predictions=False)
    t1.state = TableState.DIRTY
    t1.save(update_fields=["state"])
    set_head(weights_dir, label="empty", confidence=0.95)
    for frame in range(3):
        poll(camera, long_ago() + timedelta(seconds=frame))
    t1.refresh_from_db()
    assert t1.state == TableState.DIRTY
    assert t1.predictions.order_by("-captured_at").first().outcome == PredictionOutcome.OFF


def test_the_same_frame_processed_twice_changes_the_floor_once(restaurant, floor, weights_dir):
    camera, (t1, *_) = floor
    t1.state = TableState.DIRTY
    t1.save(update_fields=["state"])
    set_head(weights_dir, label="empty", confidence=0.95)
    at = long_ago()
    for frame in range(3):
        poll(camera, at + timedelta(seconds=frame))
    poll(camera, at + timedelta(seconds=2))  # a retried frame with the same time
    assert TableStateChange.objects.filter(table=t1, source="vision").count() == 1
