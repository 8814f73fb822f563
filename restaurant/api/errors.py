"""One error shape for the whole API: {"error": {"code", "message", "details"}}."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    """The request makes no sense in the current state (a table already taken, clocking in twice)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The request conflicts with the current state."


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


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, IntegrityError):
        # A database constraint caught what validation did not: still the caller's input, so a 409.
        exc = Conflict("The change conflicts with existing data.")

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    body = {
        "error": {
            "code": "invalid" if isinstance(exc, exceptions.ValidationError) else _code(exc),
            "message": _message(detail),
            "details": detail if isinstance(detail, dict | list) else {},
        }
    }
    if isinstance(exc, Conflict) and getattr(exc, "extra", None):
        body["error"]["details"] = exc.extra
    return Response(body, status=response.status_code, headers=getattr(response, "headers", None))
