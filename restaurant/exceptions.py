"""The base of every domain error, so the API maps them without importing a domain app.

A domain app's services raise a subclass (`floor.exceptions.FloorError`, `staff.exceptions.StaffError`)
with a machine `code`, a one-line `message` for people, JSON-able `details` and the HTTP `status_code`
the API answers with (409 by default: the request makes no sense in the current state). An error about
one input field sets `field`, and the API names it in `details` the way it names a serializer's field."""


class DomainError(Exception):
    """A rule of the domain refused the request; `restaurant.api.errors` turns it into the one error shape."""

    status_code = 409
    code = "conflict"
    field: str | None = None

    def __init__(self, message: str, *, details: dict | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code is not None:
            self.code = code


class InvalidInput(DomainError):
    """The input is wrong whatever the current state; `details["field"]` names the field (a 400)."""

    status_code = 400
    code = "invalid"

    def __init__(self, field: str, message: str, *, details: dict | None = None, code: str | None = None):
        super().__init__(message, details={"field": field, **(details or {})}, code=code)
        self.field = field


class NotInRestaurant(InvalidInput):
    """An object passed to a service belongs to another restaurant (the API never reveals which)."""

    code = "wrong_restaurant"

    def __init__(self, field: str):
        super().__init__(field, f"{field}: not found in this restaurant")
