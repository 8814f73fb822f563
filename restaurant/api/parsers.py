"""The API's one request parser: JSON, with a size and a nesting limit.

Every endpoint takes JSON and only JSON (settings: DEFAULT_PARSER_CLASSES), so the OpenAPI schema offers
`application/json` alone and a form or multipart body is a 415. A body is parsed when a view first reads
`request.data`, after authentication, permissions and throttling (restaurant/authentication.py keeps the
CSRF check from parsing it early), so a caller who may not use the endpoint is told so whatever they sent.

Limits, both checked before `json.loads` sees the text:
- size: `API_MAX_BODY_BYTES` (1 MiB by default); more is a 413. The stream is read only that far.
- nesting: `API_MAX_JSON_DEPTH` (32 by default); deeper is a 400. Python's parser recurses once per
  level, so about a thousand levels used to end in a RecursionError (a 500); the scan below counts
  brackets outside strings and stops at the first one past the limit."""

import re

from django.conf import settings
from rest_framework import exceptions, parsers, status
from rest_framework.utils import json

# A JSON string, escapes included; what is left once they are removed are the structural characters.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = "The request body is too large."


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Does any value in this JSON text nest deeper than `limit` arrays/objects?"""
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser (strict: no NaN or Infinity) with the limits of the module docstring."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise RequestTooLarge(f"The request body is over {limit} bytes.")  # not even read
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(f"The request body is over {limit} bytes.")
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise exceptions.ParseError(f"The request body is not {encoding} text.") from exc
        max_depth = settings.API_MAX_JSON_DEPTH
        if json_depth_exceeds(text, max_depth):
            raise exceptions.ParseError(f"JSON parse error - nested deeper than {max_depth} levels.")
        try:
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc
