"""Domain errors of the time clock and the host's rotation overrides.

Same shape as `floor.exceptions.FloorError` (`code`, `message`, `details`, `status_code`), so the API
layer maps both the same way: 409 when the transition makes no sense (clocking in twice, ending a break
that never started), 400 for wrong input with `details["field"]` naming the field."""

from restaurant.exceptions import DomainError, InvalidInput, NotInRestaurant


class StaffError(DomainError):
    """Base of the staff domain errors: a conflict with the current state unless a subclass says otherwise."""

    code = "staff_conflict"


class InvalidStaffInput(InvalidInput, StaffError):
    """The input is wrong whatever the staff member's state; `details["field"]` names the field."""


class StaffWrongRestaurant(NotInRestaurant, InvalidStaffInput):
    """A staff member or section passed to a service belongs to another restaurant."""


class StaffInactive(StaffError):
    """The staff member is no longer active and cannot clock in."""

    code = "staff_inactive"


class AlreadyClockedIn(StaffError):
    """Clocking in while a shift is open."""

    code = "already_clocked_in"


class NotClockedIn(StaffError):
    """Clocking out, taking a break or changing the rotation with no open shift."""

    code = "not_clocked_in"


class AlreadyOnBreak(StaffError):
    """Starting a break during a break."""

    code = "already_on_break"


class NotOnBreak(StaffError):
    """Ending a break that was never started."""

    code = "not_on_break"
