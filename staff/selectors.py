"""Read queries about staff that other parts of the system use."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef

from staff.models import PERFORMANCE_TRACKED_ROLES, Shift, ShiftBreak


@dataclass(frozen=True)
class OnFloor:
    """A staff member clocked in now, as the floor sees them."""

    shift: Shift
    on_break: bool

    @property
    def staff(self):
        return self.shift.staff

    @property
    def can_take_tables(self) -> bool:
        """Clocked in as a server or bartender, not on break, not cut."""
        return not self.on_break and not self.shift.cut and self.shift.role in PERFORMANCE_TRACKED_ROLES


def shifts_on_floor(*, restaurant, at: datetime | None = None) -> list[OnFloor]:
    """Everyone clocked in now (or at `at`), with whether they are on break. One query."""
    shifts = Shift.objects.for_restaurant(restaurant).select_related("staff", "section")
    if at is None:
        shifts = shifts.open()
        open_breaks = ShiftBreak.objects.filter(shift=OuterRef("pk"), ended_at__isnull=True)
    else:
        shifts = shifts.filter(clock_in__lte=at).exclude(clock_out__lte=at)
        open_breaks = ShiftBreak.objects.filter(shift=OuterRef("pk"), started_at__lte=at).exclude(ended_at__lte=at)
    shifts = shifts.annotate(on_break=Exists(open_breaks)).order_by("clock_in", "id")
    return [OnFloor(shift=shift, on_break=shift.on_break) for shift in shifts]


def servers_available_for_tables(*, restaurant, at: datetime | None = None) -> list[OnFloor]:
    """Who may be given a new party now: the routing engine's hard rule on servers."""
    return [entry for entry in shifts_on_floor(restaurant=restaurant, at=at) if entry.can_take_tables]
