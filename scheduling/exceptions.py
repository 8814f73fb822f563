"""Domain errors of scheduling, in the shape every app's API maps the same way (restaurant.exceptions)."""

from restaurant.exceptions import DomainError, InvalidInput


class SchedulingError(DomainError):
    """A scheduling rule refused the request in the current state (409)."""

    code = "scheduling_conflict"


class InvalidSchedulingInput(InvalidInput, SchedulingError):
    """Wrong input whatever the state; `details["field"]` names the field (400)."""


class ScheduleNotEditable(SchedulingError):
    code = "schedule_not_editable"


class PublishBlocked(SchedulingError):
    """Hard rule violations in the schedule; `details["violations"]` lists them."""

    code = "publish_blocked"


class RunNotClaimable(SchedulingError):
    code = "run_not_claimable"
