"""One error shape for the whole API: {"error": {"code", "message", "details"}}."""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from restaurant.api.parsers import RequestTooLarge
from restaurant.exceptions import DomainError


class Conflict(exceptions.APIException):
    """The request makes no sense in the current state (a table already taken, clocking in twice)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The request conflicts with the current state."

    def __init__(self, detail=None, code=None, extra: dict | None = None):
        super().__init__(detail, code)
        self.extra = extra


def error_body(code: str, message: str, details=None) -> dict:
    return {"error": {"code": code, "message": message, "details": details if details is not None else {}}}


def _message(detail) -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            inner = _message(value)
            return inner if field in ("non_field_errors", "__all__", "detail") else f"{field}: {inner}"
        return "Invalid input."
    if isinstance(detail, list):
        return _message(detail[0]) if detail else "Invalid input."
    return str(detail)


def _code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return getattr(exc, "default_code", "error")


def _blocked_delete(exc: ProtectedError | RestrictedError) -> Conflict:
    """A delete the database refused because other rows still point here: say which, and how many."""
    counts: dict[str, int] = {}
    for obj in exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects:
        name = str(obj._meta.verbose_name_plural)
        counts[name] = counts.get(name, 0) + 1
    what = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
    return Conflict(
        f"Cannot delete: {what} still refer to it. Move or delete them first, or deactivate it instead.",
        extra={"referenced_by": counts},
    )


def domain_error_body(exc: DomainError) -> dict:
    """A domain error in the one shape; an error about one field also names it as a serializer would
    (`details[field]` holds the messages), so clients read both kinds of 400 the same way."""
    details = dict(exc.details)
    if exc.field:
        details.setdefault(exc.field, [exc.message])
    return error_body(exc.code, exc.message, details)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(domain_error_body(exc), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = _blocked_delete(exc)
    elif isinstance(exc, RequestDataTooBig):
        # Django's own cap (DATA_UPLOAD_MAX_MEMORY_SIZE), met when the body is read, before our parser's.
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(str(exc))
    elif isinstance(exc, IntegrityError):
        # A database constraint caught what validation did not (usually a race): still the caller's input.
        exc = Conflict("The change conflicts with existing data.")

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    code = "invalid" if isinstance(exc, exceptions.ValidationError) else _code(exc)
    body = error_body(code, _message(detail), detail if isinstance(detail, dict | list) else {})
    if isinstance(exc, Conflict) and exc.extra:
        body["error"]["details"] = exc.extra
    return Response(body, status=response.status_code, headers=getattr(response, "headers", None))


@csrf_exempt  # a 404 whatever the method: a CSRF failure page (HTML) would only hide that
def not_found(request, *args, **kwargs):
    """Unknown paths under /api/v1/: the same JSON 404 as an unknown id, not Django's HTML page."""
    return JsonResponse(
        error_body("not_found", f"No API endpoint at {request.path}. See /api/docs/ for the list."), status=404
    )
