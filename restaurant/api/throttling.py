"""Rate limits. Rates are read when a request is checked, not when the class is imported, so a changed
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (environment, test settings) takes effect without a restart of
the import machinery; DRF's own classes freeze the rates on the class at import time."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _LiveRatesMixin:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_LiveRatesMixin, SimpleRateThrottle):
    """Throttles unauthenticated callers by address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None  # authenticated callers fall under ClientRateThrottle
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ClientRateThrottle(_LiveRatesMixin, SimpleRateThrottle):
    """Throttles each authenticated caller, user or API client, on its own budget."""

    scope = "client"

    def get_cache_key(self, request, view):
        client = getattr(request.user, "client", None)
        if client is not None:
            ident = f"key-{client.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None  # anonymous callers fall under AnonThrottle
        return self.cache_format % {"scope": self.scope, "ident": ident}
