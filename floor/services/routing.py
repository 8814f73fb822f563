"""Routing a party: the engine's ranking (`floor.engine.routing`) on the floor read once
(`floor.selectors.floor_snapshot`), recorded as a RoutingDecision that the seating later completes.

- `route_party`: where to seat one party now, best first;
- `route_next_party`: "seat next", the first waiting party that fits now, and why those ahead wait;
- `routing_mode_set`: the manager switches the restaurant's mode, announced once committed;
- `routing_settings_set`: the manager sets the pacing interval and the rotation basis.
Both routing services read a fixed number of queries whatever the floor's size (docs/routing.md). Both
apply the table mix (`table_mix_minutes`) with an outlook of the open queue and the quote model's
expected free times (`routing_outlook`), as the benchmark drives the engine."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from django.db import transaction

from floor.engine.floor import FloorSnapshot, InvalidValue, Preferences, check_party_size, parse_preferences
from floor.engine.outlook import Outlook
from floor.engine.quotes import table_free_minutes
from floor.engine.routing import DEFAULT_LIMIT, Recommendation, Waiting, next_party, rank_seatings
from floor.events import floor_changed
from floor.exceptions import InvalidFloorInput, ManagerOnly, WaitlistEntryClosed, WrongRestaurant
from floor.models import RoutingDecision
from floor.selectors import day_part, floor_snapshot, load_turn_model, open_queue
from restaurant.models import MANAGING_ROLES, Restaurant, RoutingMode, routing_settings_errors


def party_input(*, party_size, preferences) -> tuple[int, Preferences]:
    """A party's size and preferences by the engine's rules; a refused value is the floor's 400 naming it."""
    try:
        return check_party_size(party_size), parse_preferences(preferences)
    except InvalidValue as refused:
        raise InvalidFloorInput(refused.field, refused.message) from None


def routing_outlook(*, restaurant, snapshot: FloorSnapshot, waiting: list) -> Outlook | None:
    """What the table mix needs beside the floor: the sizes of the parties waiting (first come first) and
    when each busy table should free (the quote model's `table_free_minutes`). None when the restaurant's
    `table_mix_minutes` is 0 or nobody else waits: the rule has nothing to keep a table for. The model is
    the quotes' cached one: no query once loaded (three the first time in a quarter of an hour)."""
    if snapshot.config.table_mix_minutes <= 0 or not waiting:
        return None
    model = load_turn_model(restaurant=restaurant, now=snapshot.now)
    frees_in = table_free_minutes(list(snapshot.tables), model, day_part(restaurant, snapshot.now))
    return Outlook(waiting=tuple(entry.party_size for entry in waiting), frees_in=frees_in)


@dataclass
class RoutingResult:
    """What `route_party` answers: recommendations best first (or none and why) and the decision's id."""

    party_size: int
    mode: str
    recommendations: list[Recommendation]
    reason: str = ""
    decision_id: int | None = None
    preferences: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "decision_id": self.decision_id,
            "party_size": self.party_size,
            "mode": self.mode,
            "preferences": self.preferences,
            "recommendations": [rec.as_dict() for rec in self.recommendations],
            "reason": self.reason,
        }


def route_party(
    *,
    restaurant,
    party_size: int,
    preferences: dict | None = None,
    waitlist_entry=None,
    now: datetime | None = None,
    requested_by=None,
    record: bool = True,
    limit: int = DEFAULT_LIMIT,
) -> RoutingResult:
    """Where to seat a party now, best first. With a waitlist entry, its preferences apply unless others
    are given. With `record`, the answer is saved as a RoutingDecision (seating later notes whether the
    host followed it). The other parties waiting may keep a table from this one (the table mix). Six
    queries whatever the floor's size (the queue, the snapshot's four, the decision; three more when the
    quote model is not cached yet and someone else waits)."""
    if waitlist_entry is not None:
        if waitlist_entry.restaurant_id != restaurant.pk:
            raise WrongRestaurant("waitlist_entry_id")
        if not waitlist_entry.is_open:
            raise WaitlistEntryClosed(
                f"{waitlist_entry.party_name}'s entry is {waitlist_entry.status}; it cannot be routed.",
                details={"waitlist_entry_id": waitlist_entry.pk, "status": waitlist_entry.status},
            )
        if preferences is None:
            preferences = waitlist_entry.preferences
    party_size, prefs = party_input(party_size=party_size, preferences=preferences)
    snapshot = replace(floor_snapshot(restaurant=restaurant, now=now), timezone=restaurant.timezone)
    if prefs.section_id is not None and prefs.section_id not in snapshot.section_names:
        raise InvalidFloorInput("preferences.section_id", f"section {prefs.section_id} not found in this restaurant")
    others = [
        entry for entry in open_queue(restaurant=restaurant) if waitlist_entry is None or entry.pk != waitlist_entry.pk
    ]
    outlook = routing_outlook(restaurant=restaurant, snapshot=snapshot, waiting=others)
    ranking = rank_seatings(snapshot, party_size=party_size, preferences=prefs, limit=limit, outlook=outlook)
    result = RoutingResult(
        party_size=party_size,
        mode=snapshot.mode,
        recommendations=ranking.recommendations,
        reason=ranking.reason,
        preferences=prefs.as_dict(),
    )
    if record:
        decision = _record_decision(
            restaurant, result, at=snapshot.now, waitlist_entry=waitlist_entry, requested_by=requested_by
        )
        result.decision_id = decision.pk
    return result


def _record_decision(restaurant, result, *, at: datetime, waitlist_entry, requested_by) -> RoutingDecision:
    """Persist what was recommended (`result`: a RoutingResult or NextPartyResult; the top one apart, for
    the follow rate) as a RoutingDecision, by whom and for which waitlist entry."""
    top = result.recommendations[0] if result.recommendations else None
    return RoutingDecision.objects.create(
        restaurant=restaurant,
        party_size=result.party_size,
        preferences=result.preferences,
        waitlist_entry=waitlist_entry,
        mode=result.mode,
        recommendations=[rec.as_dict() for rec in result.recommendations],
        recommended_table_id=top.table_id if top else None,
        recommended_server_id=top.server_id if top else None,
        requested_by=requested_by if getattr(requested_by, "pk", None) else None,
        created_at=at,
    )


# --------------------------------------------------------------------------------------------------
# Seat next: the first waiting party that fits now
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PassedOver:
    """A waiting party "seat next" could not seat now, and why, in words a host reads at a glance."""

    waitlist_entry_id: int
    party_name: str
    party_size: int
    reason: str


@dataclass
class NextPartyResult:
    """What `route_next_party` answers: the party to seat next (the first on the list when nobody fits,
    None when nobody waits), its recommendations, and the parties checked and passed over."""

    entry: object | None
    position: int | None
    mode: str
    recommendations: list[Recommendation]
    passed_over: list[PassedOver]
    reason: str = ""
    decision_id: int | None = None
    preferences: dict = field(default_factory=dict)
    party_size: int | None = None  # the party answered's


def _waiting(entry) -> Waiting:
    try:
        prefs = parse_preferences(entry.preferences)
    except InvalidValue:
        prefs = None  # stored preferences the engine cannot read (edited by hand in admin)
    return Waiting(key=entry, party_size=entry.party_size, prefs=prefs)


def route_next_party(
    *, restaurant, now: datetime | None = None, requested_by=None, record: bool = True, limit: int = DEFAULT_LIMIT
) -> NextPartyResult:
    """Seat next: walk the open waitlist first come first and answer the first party that fits now, with
    its recommendations and why each party ahead of it waits; nobody fits: the first party, no
    recommendations and its reason. With `record`, one RoutingDecision for the party answered, linked to
    its entry, as `route_party` records it, the table mix applied to each party against the others waiting.
    One snapshot for the whole list: six queries (the queue, the snapshot's four, the decision) whatever
    the queue's length; three more when the quote model is not cached yet."""
    entries = open_queue(restaurant=restaurant)
    if not entries:
        return NextPartyResult(
            entry=None,
            position=None,
            mode=restaurant.routing_mode,
            recommendations=[],
            passed_over=[],
            reason="nobody is waiting",
        )
    snapshot = replace(floor_snapshot(restaurant=restaurant, now=now), timezone=restaurant.timezone)
    outlook = routing_outlook(restaurant=restaurant, snapshot=snapshot, waiting=entries if len(entries) > 1 else [])
    chosen, passed = next_party(snapshot, [_waiting(entry) for entry in entries], limit=limit, outlook=outlook)
    entry = chosen.party.key
    result = NextPartyResult(
        entry=entry,
        position=chosen.position,
        mode=snapshot.mode,
        recommendations=chosen.ranking.recommendations,
        passed_over=[
            PassedOver(
                waitlist_entry_id=other.party.key.pk,
                party_name=other.party.key.party_name,
                party_size=other.party.party_size,
                reason=f"{other.party.key.party_name} ({other.party.party_size}): {other.reason}",
            )
            for other in passed
        ],
        reason=chosen.reason,
        preferences=chosen.prefs.as_dict(),
        party_size=entry.party_size,
    )
    if record:
        decision = _record_decision(
            restaurant, result, at=snapshot.now, waitlist_entry=entry, requested_by=requested_by
        )
        result.decision_id = decision.pk
    return result


# --------------------------------------------------------------------------------------------------
# The routing mode
# --------------------------------------------------------------------------------------------------


def routing_mode_set(*, restaurant, mode: str) -> bool:
    """Switch the restaurant's routing mode (it changes every host's recommendations). Returns whether it
    changed; the same mode again changes nothing and tells nobody. Open dashboards hear of a change once
    it is committed (`floor.events`)."""
    if mode not in RoutingMode.values:
        raise InvalidFloorInput("mode", f"mode must be one of {', '.join(RoutingMode.values)}")
    with transaction.atomic():
        changed = Restaurant.objects.filter(pk=restaurant.pk).exclude(routing_mode=mode).update(routing_mode=mode)
        if changed:
            floor_changed(restaurant.pk, "mode_changed", {"mode": mode})
    restaurant.routing_mode = mode
    return bool(changed)


# The routing settings a manager sets from the floor page, beside the mode.
FLOOR_ROUTING_SETTINGS = ("pacing_minutes", "rotation_basis", "borrow_tables")


def routing_settings_set(*, restaurant, role: str | None, changes: dict) -> dict:
    """Set the pacing interval (`pacing_minutes`: a server gets a new party at most every this many
    minutes, 0 for no pacing), the rotation basis (`rotation_basis`: "turns" or "covers") and whether a
    lighter server may be lent a table of another section (`borrow_tables`). Owners and
    managers only (`ManagerOnly` otherwise): it changes every host's recommendations. Returns the
    restaurant's routing settings, defaults filled in; a value out of bounds is a 400 naming it and
    nothing is written. Open dashboards hear of a change once it is committed."""
    if role not in MANAGING_ROLES:
        raise ManagerOnly("Only an owner or a manager may change the routing settings.")
    unknown = sorted(set(changes) - set(FLOOR_ROUTING_SETTINGS))
    if unknown:
        raise InvalidFloorInput(unknown[0], f"{unknown[0]} cannot be set here; use {', '.join(FLOOR_ROUTING_SETTINGS)}")
    errors = routing_settings_errors(changes)
    if errors:
        key = sorted(errors)[0]
        raise InvalidFloorInput(key, errors[key])
    with transaction.atomic():
        locked = Restaurant.objects.select_for_update().get(pk=restaurant.pk)
        updated = {**(locked.routing_settings or {}), **changes}
        if updated != (locked.routing_settings or {}):
            locked.routing_settings = updated
            locked.save(update_fields=["routing_settings"])
            floor_changed(restaurant.pk, "routing_settings_changed", {key: updated[key] for key in changes})
    restaurant.routing_settings = updated
    return restaurant.routing_config
