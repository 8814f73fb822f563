"""Time-off requests: the one rule admin and the API share.

A staff member may change their own request while it is pending. Changing the dates or reason of a
request a manager already decided sends it back to pending (status `requested`, no decider) and
stamps `resubmitted_at` with the dates that had been decided, so the manager sees it again in the
time-off list ("changed after decision") and decides anew. Only managers change the status."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from scheduling.exceptions import InvalidSchedulingInput
from scheduling.models import TimeOff, TimeOffStatus

STAFF_EDITABLE = ("start_date", "end_date", "reason")


@transaction.atomic
def time_off_change(*, time_off: TimeOff, changes: dict, by_manager: bool, actor=None) -> TimeOff:
    """Apply `changes` to a request. Staff: dates and reason only; a decided request goes back to
    pending when they change it. Managers: also the status, and they become the decider."""
    changes = dict(changes)
    if not by_manager:
        changes.pop("status", None)
        unknown = set(changes) - set(STAFF_EDITABLE)
        if unknown:
            raise InvalidSchedulingInput(sorted(unknown)[0], "only the dates and the reason can be changed")
    locked = TimeOff.objects.select_for_update().get(pk=time_off.pk) if time_off.pk else time_off
    changed = {name for name, value in changes.items() if getattr(locked, name) != value}
    if not by_manager and changed and locked.status != TimeOffStatus.REQUESTED:
        locked.previous_dates = f"{locked.start_date}..{locked.end_date} ({locked.status})"[:40]
        locked.status = TimeOffStatus.REQUESTED
        locked.decided_by = None
        locked.resubmitted_at = timezone.now()
    for name, value in changes.items():
        setattr(locked, name, value)
    if by_manager and "status" in changed:
        locked.decided_by = None if locked.status == TimeOffStatus.REQUESTED else actor
    if locked.end_date < locked.start_date:
        raise InvalidSchedulingInput("end_date", "must not be before the start date")
    locked.save()
    return locked


def time_off_request(*, staff, start_date, end_date, reason: str = "") -> TimeOff:
    """A new request, always pending whatever the caller sends."""
    if end_date < start_date:
        raise InvalidSchedulingInput("end_date", "must not be before the start date")
    return TimeOff.objects.create(
        restaurant=staff.restaurant, staff=staff, start_date=start_date, end_date=end_date, reason=reason
    )
