"""OpenAPI schema additions: the one error shape, documented on every operation."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorBody",
            fields={
                "code": serializers.CharField(help_text="Machine-readable: invalid, not_found, conflict, throttled..."),
                "message": serializers.CharField(help_text="One line for people; names the field for a 400."),
                "details": serializers.JSONField(help_text="Per-field messages for a 400, extra facts for a 409."),
            },
        )
    },
)

_ERRORS_ON_EVERY_CALL = {
    "400": "Invalid input or query parameter; the message names the field.",
    "401": "No credentials, or an invalid or revoked API key.",
    "403": "Authenticated, but this role or key scope may not do this (or no CSRF token with a session).",
    "404": "Unknown id, or an object of another restaurant.",
    "429": "Too many requests; retry after the Retry-After header's seconds.",
}
_ERRORS_ON_WRITES = {
    "409": "The change conflicts with existing data or the current state.",
    "415": "The body's content type is not one this operation takes.",
}


class ErrorDocumentingAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error responses every endpoint can give, in the one shape."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(_ERRORS_ON_EVERY_CALL)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            errors.update(_ERRORS_ON_WRITES)
        for code, description in errors.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = description
                responses[code] = response
        return responses


def local_times_as_partial_time(result, generator, request, public):
    """DRF writes a time of day as "17:00:00", a restaurant's local wall-clock time with no offset. OpenAPI's
    `format: time` means RFC 3339's full-time, offset included, so validators and generated clients would
    reject our own answers; RFC 3339's `partial-time` and a pattern say what we send."""

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "string" and node.get("format") == "time":
                node["format"] = "partial-time"
                node["pattern"] = r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
