"""The waitlist: adding a party with a learned quote, notifying it, cancelling it, marking a no-show.

`waitlist_add` works the quote out before its write transaction (the queue simulation is a read, and
SQLite's write lock must not wait on it), then creates the entry unless the same party was just added.

Seating an entry is `floor.services.seating.table_seat(..., waitlist_entry=...)`: it marks the entry
seated. Status changes follow one rule: an open entry (waiting or notified) may be notified, cancelled
or marked a no-show; repeating the change an entry already had changes nothing (a retried request); any
other change of a closed entry (seated, cancelled, no-show) raises `WaitlistEntryClosed` (409)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from floor.events import floor_changed
from floor.exceptions import InvalidFloorInput, WaitlistEntryClosed, WrongRestaurant
from floor.models import WAITLIST_OPEN, Section, WaitlistEntry, WaitlistStatus
from floor.selectors import QuotedEntry, quote_new_party, waitlist_open_with_quotes
from floor.selectors.quotes import quoted_entry
from floor.services.routing import party_input

# The same party added again this soon (a double tap, a retried request) is the same entry.
DUPLICATE_WINDOW = timedelta(minutes=2)
PHONE_PATTERN = re.compile(r"^\+?[0-9 ().-]{5,32}$")


def _text(value, field: str, max_length: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidFloorInput(field, f"{field} must be text")
    value = value.strip()
    if required and not value:
        raise InvalidFloorInput(field, f"{field} is required")
    if len(value) > max_length:
        raise InvalidFloorInput(field, f"{field} is too long ({max_length} characters at most)")
    return value


@dataclass(frozen=True)
class WaitlistAdded:
    """What `waitlist_add` answers: the entry, whether this call made it (False: the same party was added
    moments ago and this is their first entry), and the entry with its place and live quote."""

    entry: WaitlistEntry
    created: bool
    quoted: QuotedEntry


def waitlist_add(
    *,
    restaurant,
    party_name: str,
    party_size: int,
    phone: str = "",
    preferences: dict | None = None,
    notes: str = "",
    now: datetime | None = None,
) -> WaitlistAdded:
    """Put a party on the waitlist with the wait we quote them (learned, see floor.engine.quotes).

    The same party (name, size, phone) added again within two minutes returns the first entry, with
    `created` False. A new entry goes last in the queue: its live quote is the one it was quoted."""
    party_name = _text(party_name, "party_name", 100, required=True)
    party_size, prefs = party_input(party_size=party_size, preferences=preferences)
    phone = _text(phone, "phone", 32)
    if phone and not PHONE_PATTERN.match(phone):
        raise InvalidFloorInput("phone", "phone may hold digits, spaces, +, -, ( and ) only")
    notes = _text(notes, "notes", 200)
    if (
        prefs.section_id is not None
        and not Section.objects.for_restaurant(restaurant).filter(pk=prefs.section_id).exists()
    ):
        raise InvalidFloorInput("preferences.section_id", f"section {prefs.section_id} not found in this restaurant")
    now = now or timezone.now()
    duplicate = _recent_duplicate(restaurant, party_name=party_name, party_size=party_size, phone=phone, now=now)
    if duplicate is not None:
        return _already_added(restaurant, duplicate, now)
    new = quote_new_party(restaurant=restaurant, party_size=party_size, preferences=prefs.as_dict(), now=now)
    if new.minutes is None:
        raise InvalidFloorInput("party_size", f"no table or combination of tables here seats a party of {party_size}")

    with transaction.atomic():
        # Looked for again now that the quote is worked out: a second tap may have landed meanwhile.
        duplicate = _recent_duplicate(restaurant, party_name=party_name, party_size=party_size, phone=phone, now=now)
        if duplicate is None:
            entry = WaitlistEntry.objects.create(
                restaurant=restaurant,
                party_name=party_name,
                party_size=party_size,
                phone=phone,
                preferences=prefs.as_dict(),
                notes=notes,
                quoted_wait_minutes=new.minutes,
                added_at=now,
            )
            _announce(restaurant, "waitlist_added", entry)
    if duplicate is not None:
        return _already_added(restaurant, duplicate, now)
    return WaitlistAdded(
        entry=entry, created=True, quoted=quoted_entry(entry, position=new.position, quote=new.quote, now=now)
    )


def _recent_duplicate(restaurant, *, party_name: str, party_size: int, phone: str, now: datetime):
    return (
        WaitlistEntry.objects.for_restaurant(restaurant)
        .filter(
            status__in=WAITLIST_OPEN,
            party_name__iexact=party_name,
            party_size=party_size,
            phone=phone,
            added_at__gte=now - DUPLICATE_WINDOW,
        )
        .order_by("added_at", "id")
        .first()
    )


def _already_added(restaurant, entry: WaitlistEntry, now: datetime) -> WaitlistAdded:
    quoted = next(item for item in waitlist_open_with_quotes(restaurant=restaurant, now=now) if item.id == entry.pk)
    return WaitlistAdded(entry=entry, created=False, quoted=quoted)


def waitlist_notify(*, restaurant, entry: WaitlistEntry, now: datetime | None = None) -> WaitlistEntry:
    """Tell a waiting party their table is ready. Notifying again changes nothing."""
    return _change(restaurant, entry, WaitlistStatus.NOTIFIED, now, verb="notified")


def waitlist_cancel(*, restaurant, entry: WaitlistEntry, now: datetime | None = None) -> WaitlistEntry:
    """The party left the list (told the host, or the host took them off)."""
    return _change(restaurant, entry, WaitlistStatus.CANCELLED, now, verb="cancelled")


def waitlist_no_show(*, restaurant, entry: WaitlistEntry, now: datetime | None = None) -> WaitlistEntry:
    """The party was called and did not come."""
    return _change(restaurant, entry, WaitlistStatus.NO_SHOW, now, verb="marked a no-show")


def _change(restaurant, entry: WaitlistEntry, to_status: str, now: datetime | None, *, verb: str) -> WaitlistEntry:
    if entry.restaurant_id != restaurant.pk:
        raise WrongRestaurant("waitlist_entry")
    now = now or timezone.now()
    with transaction.atomic():
        locked = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.status == to_status:
            return locked
        if not locked.is_open:
            raise WaitlistEntryClosed(
                f"{locked.party_name} is already {locked.get_status_display().lower()}; they cannot be {verb}.",
                details={
                    "waitlist_entry_id": locked.pk,
                    "current_status": locked.status,
                    "requested_status": to_status,
                    "allowed_statuses": [],
                },
            )
        locked.status = to_status
        fields = ["status"]
        if to_status == WaitlistStatus.NOTIFIED:
            locked.notified_at = now
            fields.append("notified_at")
        else:
            locked.removed_at = now
            fields.append("removed_at")
        locked.save(update_fields=fields)
        _announce(restaurant, f"waitlist_{to_status}", locked)
    return locked


def _announce(restaurant, kind: str, entry: WaitlistEntry) -> None:
    floor_changed(
        restaurant.pk,
        kind,
        {
            "waitlist_entry_id": entry.pk,
            "party_name": entry.party_name,
            "party_size": entry.party_size,
            "status": entry.status,
            "quoted_wait_minutes": entry.quoted_wait_minutes,
        },
    )
