"""When a camera's predictions may change a table: K consecutive agreeing frames, each above the
confidence threshold, and only through moves the floor allows a camera to make.

Pure functions over plain values; `vision.services.apply` feeds them from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Outcomes, as `vision.models.PredictionOutcome` stores them.
APPLIED = "applied"
SAME = "same"
WAITING = "waiting"
LOW_CONFIDENCE = "low_confidence"
HOST_RECENT = "host_recent"
CONFLICT = "conflict"
NOT_ALLOWED = "not_allowed"
NO_STATE = "no_state"
OFF = "off"

# Conflict kinds, as `vision.models.ConflictKind` stores them.
EMPTY_WITH_OPEN_VISIT = "empty_with_open_visit"
OCCUPIED_WITHOUT_VISIT = "occupied_without_visit"

# What a camera may do to a table, by its current state. Reserved and blocked tables are a person's
# decision, and seating needs a party and a server: a camera only clears a table (the party left: dirty)
# and marks a bussed table available.
CAMERA_MOVES: dict[str, frozenset[str]] = {
    "occupied": frozenset({"dirty"}),
    "dirty": frozenset({"available"}),
}


@dataclass(frozen=True)
class Observation:
    """One frame's prediction for one table."""

    label: str
    confidence: float


@dataclass(frozen=True)
class Stability:
    """The verdict over the newest frames: the label they agree on (or None) and why not."""

    label: str | None
    confidence: float
    reason: str  # APPLIED-able ("stable"), WAITING or LOW_CONFIDENCE


def stable_label(newest_first: list[Observation], *, frames: int, threshold: float) -> Stability:
    """The label of the newest `frames` observations if they all agree and each is at least `threshold`
    confident. Fewer observations, or disagreement: WAITING; agreement below the threshold: LOW_CONFIDENCE."""
    if frames < 1:
        raise ValueError("frames must be >= 1")
    if not newest_first:
        return Stability(None, 0.0, WAITING)
    newest = newest_first[0]
    if newest.confidence < threshold:
        return Stability(None, newest.confidence, LOW_CONFIDENCE)
    window = newest_first[:frames]
    if len(window) < frames or any(obs.label != newest.label for obs in window):
        return Stability(None, newest.confidence, WAITING)
    if any(obs.confidence < threshold for obs in window):
        return Stability(None, min(obs.confidence for obs in window), LOW_CONFIDENCE)
    return Stability(newest.label, min(obs.confidence for obs in window), "stable")


@dataclass(frozen=True)
class TableView:
    """What the floor says about a table, as the decision needs it."""

    state: str
    has_open_visit: bool
    last_person_change_at: datetime | None  # the latest change by a host or the POS


@dataclass(frozen=True)
class Decision:
    outcome: str
    to_state: str | None = None
    conflict: str | None = None


def decide(
    *,
    stability: Stability,
    label_states: dict[str, str],
    table: TableView,
    now: datetime,
    host_override: timedelta,
    apply_enabled: bool = True,
) -> Decision:
    """What to do with a table given the newest frames' verdict.

    Conflicts are flagged whatever a person did recently (the floor shows them; nothing is applied): the
    camera sees the table empty while its visit is open, or guests at a table with no open visit."""
    if stability.label is None:
        return Decision(stability.reason)
    seen = label_states.get(stability.label)
    if seen is None:
        return Decision(NO_STATE)
    if seen == "available" and table.has_open_visit:
        return Decision(CONFLICT, conflict=EMPTY_WITH_OPEN_VISIT)
    if seen == "occupied" and not table.has_open_visit and table.state not in ("reserved", "blocked"):
        return Decision(CONFLICT, conflict=OCCUPIED_WITHOUT_VISIT)
    if seen == table.state:
        return Decision(SAME)
    if not apply_enabled:
        return Decision(OFF)
    if seen not in CAMERA_MOVES.get(table.state, frozenset()):
        return Decision(NOT_ALLOWED)
    if table.last_person_change_at is not None and now - table.last_person_change_at < host_override:
        return Decision(HOST_RECENT)
    return Decision(APPLIED, to_state=seen)
