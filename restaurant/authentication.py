"""API key authentication: `Authorization: Api-Key <key>`. Keys are stored hashed; the prefix
finds the row, the hash confirms the key."""

import copy

from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from restaurant.models import API_KEY_PREFIX_LENGTH, ApiClient

KEYWORD = "Api-Key"


class ApiKeyUser(AnonymousUser):
    """The request.user of an API-key call: authenticated, bound to one client and restaurant."""

    def __init__(self, client: ApiClient):
        super().__init__()
        self.client = client

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def __str__(self) -> str:
        return f"api-client:{self.client.pk}"


def touch_last_used(client: ApiClient) -> None:
    """Note when a key was last used, at most once a minute: avoids a write on every call."""
    now = timezone.now()
    if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Api-Key <key>`; a wrong, malformed or revoked key is a 401, never a silent anonymous.
    A view that must write nothing for a request it refuses sets `notes_key_use_itself = True` and calls
    `touch_last_used` once it accepts the request."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, key = header.partition(" ")
        if scheme != KEYWORD:
            return None
        key = key.strip()
        if len(key) <= API_KEY_PREFIX_LENGTH:
            raise exceptions.AuthenticationFailed("Malformed API key.")
        client = (
            ApiClient.objects.select_related("restaurant")
            .filter(key_prefix=key[:API_KEY_PREFIX_LENGTH], active=True)
            .first()
        )
        if client is None or not client.check_key(key):
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if not getattr(view, "notes_key_use_itself", False):
            touch_last_used(client)
        return ApiKeyUser(client), client

    def authenticate_header(self, request):
        return KEYWORD


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication, with a CSRF check that never reads the body.

    DRF hands Django's CSRF check its own request, whose `.POST` parses the body with the API's parsers:
    parsing (and its errors) before the permission check. The API takes JSON only, so a session caller
    sends the token in the `X-CSRFToken` header; the check gets the Django request with no form fields."""

    def enforce_csrf(self, request):
        headers_only = copy.copy(request._request)
        headers_only._post, headers_only._files = QueryDict(), MultiValueDict()
        super().enforce_csrf(headers_only)


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Describes ApiKeyAuthentication in the OpenAPI schema. Lives here so it is registered whenever
    the authentication class is loaded."""

    target_class = ApiKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Send `Authorization: Api-Key <key>`. Create a key with "
            "`python manage.py create_api_key --restaurant <id> --name <name> --scopes pos,frontend,camera`; "
            "a key sees only its own restaurant and writes only what its scopes allow (`pos`: menu items).",
        }


class ApiSessionScheme(SessionScheme):
    """Describes our SessionAuthentication as drf-spectacular describes DRF's (the session cookie)."""

    target_class = SessionAuthentication
    priority = 0
