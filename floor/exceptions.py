"""Domain errors of the floor services.

Every error carries a machine `code`, a host-readable `message`, `details` (a JSON-able dict) and the
HTTP `status_code` the API answers with: 409 when the request makes no sense in the floor's current
state (a table already taken, an illegal state change), 400 when the input itself is wrong (a party
too big for the table, another restaurant's server), with the offending field in `details["field"]`.
The API layer maps any `FloorError` (and `staff.exceptions.StaffError`, which has the same shape) to
`{"error": {"code", "message", "details"}}` without knowing the subclasses."""

from restaurant.exceptions import DomainError, InvalidInput, NotInRestaurant


class FloorError(DomainError):
    """Base of the floor's domain errors: a conflict with the current state unless a subclass says otherwise.

    A subclass names its `code` (and a `status_code` other than its base's) in its class line,
    `class TableTaken(TableUnavailable, code="table_taken")`: most errors are nothing else."""

    code = "floor_conflict"

    def __init_subclass__(cls, *, code: str | None = None, status_code: int | None = None, **kwargs):
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.code = code
        if status_code is not None:
            cls.status_code = status_code


class InvalidFloorInput(InvalidInput, FloorError):
    """The input is wrong whatever the floor's state; `details["field"]` names the field."""


class WrongRestaurant(NotInRestaurant, InvalidFloorInput):
    """An object passed to a floor service belongs to another restaurant."""


class PartyDoesNotFit(InvalidFloorInput, code="party_does_not_fit"):
    """The party is smaller or larger than the table seats."""


class IllegalTransition(FloorError, code="illegal_transition"):
    """A table state change the state machine does not allow from the current state."""

    def __init__(self, message: str, *, table_id: int, current_state: str, requested_state: str, allowed: list[str]):
        super().__init__(
            message,
            details={
                "table_id": table_id,
                "current_state": current_state,
                "requested_state": requested_state,
                "allowed_states": allowed,
            },
        )
        self.current_state = current_state
        self.requested_state = requested_state
        self.allowed_states = allowed


class ManagerOnly(FloorError, code="permission_denied", status_code=403):
    """Only an owner or a manager may make this change (blocking a table or unblocking it)."""


class TableUnavailable(FloorError, code="table_unavailable"):
    """The table cannot take a party now (dirty, blocked, out of service)."""


class TableTaken(TableUnavailable, code="table_taken"):
    """Another party sits at the table: the loser of two hosts seating one table gets this."""


class NotOnFloor(FloorError, code="server_not_on_floor"):
    """The server cannot take a party now; `details["reason"]` says why (not clocked in, on break, cut...)."""


class WaitlistEntryClosed(FloorError, code="waitlist_entry_closed"):
    """The waitlist entry was already seated, cancelled or marked a no-show."""


class DecisionAlreadyUsed(FloorError, code="routing_decision_used"):
    """The routing decision already led to a seating; a new party needs a new decision."""


class SectionInUse(FloorError, code="conflict"):
    """A section that still has tables cannot be deleted; `details["tables"]` says how many."""
