"""Domain errors of the vision services, in the one error pipeline (restaurant/exceptions.py)."""

from restaurant.exceptions import DomainError, InvalidInput


class VisionError(DomainError):
    """Base of the vision app's errors: a conflict with the current state unless a subclass says otherwise."""

    code = "vision_conflict"


class InvalidVisionInput(InvalidInput, VisionError):
    """The input is wrong whatever the state; `details["field"]` names the field (a 400)."""


class UploadTooLarge(InvalidVisionInput):
    status_code = 413
    code = "too_large"


class ClassifierNotConfigured(VisionError):
    """No classifier can run: vision off, no active model, missing weights or packages (a 503)."""

    status_code = 503
    code = "classifier_not_configured"


class PollInFlight(VisionError):
    """Another poll holds the camera's lease."""

    code = "poll_in_flight"
