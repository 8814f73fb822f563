"""K-of-consecutive hysteresis and what a camera may do to a table (vision/engine/hysteresis.py), and
the backoff of failing cameras (vision/engine/backoff.py)."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vision.engine import hysteresis as h
from vision.engine.backoff import BackoffPolicy, backoff_delay, status_after

NOW = datetime(2026, 5, 1, 19, 30, tzinfo=UTC)
STATES = {"empty": "available", "occupied": "occupied", "dirty": "dirty"}


def obs(*pairs):
    return [h.Observation(label, conf) for label, conf in pairs]


def test_k_agreeing_frames_above_the_threshold_are_stable():
    stable = h.stable_label(obs(("dirty", 0.9), ("dirty", 0.95), ("dirty", 0.85)), frames=3, threshold=0.8)
    assert (stable.label, stable.confidence, stable.reason) == ("dirty", 0.85, "stable")


@pytest.mark.parametrize(
    ("history", "reason"),
    [
        ([("dirty", 0.9), ("dirty", 0.9)], h.WAITING),  # only two frames so far
        ([("dirty", 0.9), ("occupied", 0.9), ("dirty", 0.9)], h.WAITING),  # one disagrees
        ([("dirty", 0.5), ("dirty", 0.9), ("dirty", 0.9)], h.LOW_CONFIDENCE),  # the newest is unsure
        ([("dirty", 0.9), ("dirty", 0.7), ("dirty", 0.9)], h.LOW_CONFIDENCE),  # one of them is unsure
        ([], h.WAITING),
    ],
)
def test_anything_less_is_not_stable(history, reason):
    stable = h.stable_label(obs(*history), frames=3, threshold=0.8)
    assert (stable.label, stable.reason) == (None, reason)


@given(
    st.lists(st.tuples(st.sampled_from(["empty", "occupied", "dirty"]), st.floats(0, 1)), max_size=8),
    st.integers(1, 5),
    st.floats(0, 1),
)
def test_a_stable_label_is_always_the_newest_k_all_agreeing_and_confident(history, frames, threshold):
    stable = h.stable_label(obs(*history), frames=frames, threshold=threshold)
    window = history[:frames]
    expected = (
        len(window) == frames and len({label for label, _ in window}) == 1 and all(c >= threshold for _, c in window)
    )
    assert (stable.label is not None) == expected
    if expected:
        assert stable.label == window[0][0] and stable.confidence == min(c for _, c in window)


def decide(label, state, *, visit=False, person_at=None, apply=True):
    stability = h.Stability(label, 0.9, "stable")
    view = h.TableView(state=state, has_open_visit=visit, last_person_change_at=person_at)
    return h.decide(
        stability=stability,
        label_states=STATES,
        table=view,
        now=NOW,
        host_override=timedelta(minutes=10),
        apply_enabled=apply,
    )


def test_a_camera_clears_an_occupied_table_and_marks_a_bussed_one_available():
    assert decide("dirty", "occupied", visit=True) == h.Decision(h.APPLIED, "dirty")
    assert decide("empty", "dirty") == h.Decision(h.APPLIED, "available")


def test_never_over_a_persons_change_of_the_last_m_minutes():
    assert decide("empty", "dirty", person_at=NOW - timedelta(minutes=9)).outcome == h.HOST_RECENT
    assert decide("empty", "dirty", person_at=NOW - timedelta(minutes=11)).outcome == h.APPLIED


def test_conflicts_with_the_visit_are_flagged_even_right_after_a_person_acted():
    recent = NOW - timedelta(minutes=1)
    assert decide("empty", "occupied", visit=True, person_at=recent) == h.Decision(
        h.CONFLICT, conflict=h.EMPTY_WITH_OPEN_VISIT
    )
    assert decide("occupied", "available", person_at=recent) == h.Decision(
        h.CONFLICT, conflict=h.OCCUPIED_WITHOUT_VISIT
    )


@pytest.mark.parametrize(
    ("label", "state", "outcome"),
    [
        ("occupied", "occupied", h.SAME),
        ("empty", "available", h.SAME),
        ("dirty", "available", h.NOT_ALLOWED),  # a bussed table stays bussed
        ("empty", "reserved", h.NOT_ALLOWED),  # a reservation is a person's decision
        ("dirty", "blocked", h.NOT_ALLOWED),
        ("occupied", "reserved", h.NOT_ALLOWED),
    ],
)
def test_a_camera_makes_only_the_moves_it_may(label, state, outcome):
    assert decide(label, state, visit=state == "occupied").outcome == outcome


def test_labels_without_a_state_and_applying_turned_off_change_nothing():
    assert decide("unknown", "dirty").outcome == h.NO_STATE
    assert decide("empty", "dirty", apply=False).outcome == h.OFF


def test_backoff_grows_exponentially_with_jitter_and_offline_cameras_wait_the_slow_interval():
    policy = BackoffPolicy(offline_after=5, offline_interval=60, max_delay=60, jitter=0.2)
    rng = random.Random(1)
    assert backoff_delay(0, interval=5, policy=policy, rng=rng) == 5
    for failures, base in [(1, 10), (2, 20), (3, 40), (4, 60), (5, 60), (9, 60)]:
        delays = [backoff_delay(failures, interval=5, policy=policy, rng=rng) for _ in range(50)]
        assert all(base * 0.8 <= d <= base * 1.2 for d in delays)
        assert len(set(delays)) > 1  # jittered
    assert [status_after(n, policy=policy) for n in (0, 1, 4, 5, 6)] == [
        "ok",
        "degraded",
        "degraded",
        "offline",
        "offline",
    ]
    with pytest.raises(ValueError):
        backoff_delay(-1, interval=5, policy=policy)
