"""Writes on staff: the time clock (clock in and out, breaks) and the host's rotation overrides.

Each service checks the transition makes sense (no second clock-in, no break during a break) and
raises a `staff.exceptions.StaffError` the API answers with 409. The database constraints
`shift_one_open_per_staff` and `break_one_open_per_shift` are the last line of defence when two
requests race: the loser's IntegrityError becomes the same domain error. Every change tells open floor
dashboards through `floor.events.floor_changed`.

Overrides (cut, skip once, move in rotation) live on the open shift, so they end with it. "Skip once"
is spent by the next seating (see floor.services.seating); putting a server on break is `break_start`."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from floor.events import floor_changed
from staff.exceptions import (
    AlreadyClockedIn,
    AlreadyOnBreak,
    InvalidStaffInput,
    NotClockedIn,
    NotOnBreak,
    StaffInactive,
    StaffWrongRestaurant,
)
from staff.models import Shift, ShiftBreak, StaffMember, StaffRole

MAX_ROTATION_OFFSET = 50


def shift_clock_in(
    *, restaurant, staff: StaffMember, role: str | None = None, section=None, at: datetime | None = None
) -> Shift:
    """Open a shift in `role` (default: the staff member's role), optionally in a section."""
    _check_staff(restaurant, staff)
    if not staff.active:
        raise StaffInactive(f"{staff.name} is not an active staff member.", details={"staff_id": staff.pk})
    role = role or staff.role
    if role not in StaffRole.values:
        raise InvalidStaffInput("role", f"role must be one of {', '.join(StaffRole.values)}")
    if section is not None:
        if section.restaurant_id != restaurant.pk:
            raise StaffWrongRestaurant("section")
        if not section.active:
            raise InvalidStaffInput("section", f"section {section.name} is not in use")
    at = at or timezone.now()

    with transaction.atomic():
        if Shift.objects.filter(staff=staff, clock_out__isnull=True).exists():
            raise _already_clocked_in(staff)
        last_out = (
            Shift.objects.filter(staff=staff, clock_out__isnull=False)
            .order_by("-clock_out")
            .values("clock_out")
            .first()
        )
        if last_out and last_out["clock_out"] > at:
            raise InvalidStaffInput("at", "a shift cannot start before the previous one ended")
        try:
            with transaction.atomic():
                shift = Shift.objects.create(
                    restaurant=restaurant, staff=staff, role=role, section=section, clock_in=at
                )
        except IntegrityError:
            # Another clock-in for the same person committed between our check and our insert.
            if Shift.objects.filter(staff=staff, clock_out__isnull=True).exists():
                raise _already_clocked_in(staff) from None
            raise
        _announce(restaurant, "clocked_in", shift)
    return shift


def shift_clock_out(*, restaurant, staff: StaffMember, at: datetime | None = None) -> Shift:
    """Close the open shift, ending an open break at the same instant."""
    at = at or timezone.now()
    with transaction.atomic():
        shift = _lock_open_shift(restaurant, staff)
        if at <= shift.clock_in:
            raise InvalidStaffInput("at", "a shift must end after it started")
        open_break = ShiftBreak.objects.select_for_update().filter(shift=shift, ended_at__isnull=True).first()
        if open_break is not None:
            if at < open_break.started_at:
                raise InvalidStaffInput("at", "a shift cannot end before its open break started")
            open_break.ended_at = at
            open_break.save(update_fields=["ended_at"])
        shift.clock_out = at
        shift.save(update_fields=["clock_out"])
        _announce(restaurant, "clocked_out", shift)
    return shift


def break_start(*, restaurant, staff: StaffMember, at: datetime | None = None, paid: bool = False) -> ShiftBreak:
    """Start a break (also how a host puts a server on break): no new parties until it ends."""
    at = at or timezone.now()
    with transaction.atomic():
        shift = _lock_open_shift(restaurant, staff)
        if ShiftBreak.objects.filter(shift=shift, ended_at__isnull=True).exists():
            raise _already_on_break(staff)
        if at < shift.clock_in:
            raise InvalidStaffInput("at", "a break cannot start before the shift")
        try:
            with transaction.atomic():
                shift_break = ShiftBreak.objects.create(shift=shift, started_at=at, paid=paid)
        except IntegrityError:
            if ShiftBreak.objects.filter(shift=shift, ended_at__isnull=True).exists():
                raise _already_on_break(staff) from None
            raise
        _announce(restaurant, "break_started", shift)
    return shift_break


def break_end(*, restaurant, staff: StaffMember, at: datetime | None = None) -> ShiftBreak:
    """End the open break."""
    at = at or timezone.now()
    with transaction.atomic():
        shift = _lock_open_shift(restaurant, staff)
        shift_break = ShiftBreak.objects.select_for_update().filter(shift=shift, ended_at__isnull=True).first()
        if shift_break is None:
            raise NotOnBreak(f"{staff.name} is not on break.", details={"staff_id": staff.pk})
        if at < shift_break.started_at:
            raise InvalidStaffInput("at", "a break cannot end before it started")
        shift_break.ended_at = at
        shift_break.save(update_fields=["ended_at"])
        _announce(restaurant, "break_ended", shift)
    return shift_break


def server_cut(*, restaurant, staff: StaffMember) -> Shift:
    """Cut a server: no new parties; their open tables stay theirs and release as they clear."""
    return _override(restaurant, staff, cut=True)


def server_uncut(*, restaurant, staff: StaffMember) -> Shift:
    """Take a server back into the rotation after a cut."""
    return _override(restaurant, staff, cut=False)


def server_skip_once(*, restaurant, staff: StaffMember) -> Shift:
    """Pass a server over for the next seating only."""
    return _override(restaurant, staff, skip_next=True)


def server_move_in_rotation(*, restaurant, staff: StaffMember, offset: int) -> Shift:
    """Set how far the host moved a server in the rotation: negative is earlier, positive later, 0 resets.

    The offset is absolute, not added, so a retried request lands on the same place."""
    if not isinstance(offset, int) or isinstance(offset, bool) or abs(offset) > MAX_ROTATION_OFFSET:
        raise InvalidStaffInput(
            "offset", f"offset must be a whole number between {-MAX_ROTATION_OFFSET} and {MAX_ROTATION_OFFSET}"
        )
    return _override(restaurant, staff, rotation_offset=offset)


def _override(restaurant, staff: StaffMember, **changes) -> Shift:
    with transaction.atomic():
        shift = _lock_open_shift(restaurant, staff)
        changed = [field for field, value in changes.items() if getattr(shift, field) != value]
        if not changed:
            return shift
        for field in changed:
            setattr(shift, field, changes[field])
        shift.save(update_fields=changed)
        _announce(restaurant, "rotation_changed", shift)
    return shift


def _check_staff(restaurant, staff: StaffMember) -> None:
    if staff.restaurant_id != restaurant.pk:
        raise StaffWrongRestaurant("staff")


def _lock_open_shift(restaurant, staff: StaffMember) -> Shift:
    _check_staff(restaurant, staff)
    shift = Shift.objects.select_for_update().filter(staff=staff, clock_out__isnull=True).first()
    if shift is None:
        raise NotClockedIn(f"{staff.name} is not clocked in.", details={"staff_id": staff.pk})
    return shift


def _already_clocked_in(staff: StaffMember) -> AlreadyClockedIn:
    return AlreadyClockedIn(f"{staff.name} is already clocked in.", details={"staff_id": staff.pk})


def _already_on_break(staff: StaffMember) -> AlreadyOnBreak:
    return AlreadyOnBreak(f"{staff.name} is already on break.", details={"staff_id": staff.pk})


def _announce(restaurant, kind: str, shift: Shift) -> None:
    floor_changed(restaurant.pk, kind, {"staff_id": shift.staff_id, "shift_id": shift.pk})
