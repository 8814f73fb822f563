from rest_framework.throttling import SimpleRateThrottle


class ClientRateThrottle(SimpleRateThrottle):
    """Throttles each authenticated caller, user or API client, on its own budget."""

    scope = "client"

    def get_cache_key(self, request, view):
        auth = request.auth
        client_id = getattr(auth, "pk", None) if auth is not None and hasattr(auth, "key_prefix") else None
        if client_id is not None:
            ident = f"key-{client_id}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None  # anonymous callers fall under AnonRateThrottle
        return self.cache_format % {"scope": self.scope, "ident": ident}
