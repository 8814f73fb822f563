"""Request middleware of the project: the client's address (TrustedProxyMiddleware) and no caching of API
answers (ApiNoStoreMiddleware).

Who is calling: the client's address behind the proxies the operator trusts, and nobody else's word.

`X-Forwarded-For` is whatever the sender wrote. Believed from anyone, it gives every request a fresh
address: django-axes would never lock an account+address pair and the anonymous API budget would never
run out. So the web servers run with their own proxy handling off (`uvicorn --no-proxy-headers`), and
this middleware, first in MIDDLEWARE, decides:

- the peer (REMOTE_ADDR) is one of `TRUSTED_PROXIES` (addresses or networks; default none): walk
  `X-Forwarded-For` from the right, past every trusted proxy; the first other address is the client.
  `X-Forwarded-Proto` is kept (Django's SECURE_PROXY_SSL_HEADER reads it).
- any other peer: it is the client; both headers are dropped, so nothing later can read them.

Every part of the app (axes, the API throttles, logs) then reads REMOTE_ADDR alone."""

import ipaddress

from django.conf import settings
from django.utils.cache import add_never_cache_headers

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries) -> tuple[Network, ...]:
    """`["10.0.0.0/8", "172.18.0.5"]` -> networks; a bad entry raises ValueError (settings fail fast)."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, proxies: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in proxies)


def client_address(peer: str, forwarded_for: str, proxies: tuple[Network, ...]) -> str:
    """The client's address: `peer` unless it is a trusted proxy, else the right-most untrusted hop."""
    client = peer
    if not _trusted(_address(peer), proxies):
        return client
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:
            break  # garbage: the last proxy that wrote a real address answers for it
        client = str(address)
        if not _trusted(address, proxies):
            break
    return client


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.proxies = parse_networks(settings.TRUSTED_PROXIES)

    def __call__(self, request):
        meta = request.META
        forwarded_for = meta.pop("HTTP_X_FORWARDED_FOR", "")
        forwarded_proto = meta.pop("HTTP_X_FORWARDED_PROTO", None)
        peer = meta.get("REMOTE_ADDR", "")
        meta["REMOTE_ADDR"] = client_address(peer, forwarded_for, self.proxies)
        if _trusted(_address(peer), self.proxies) and forwarded_proto is not None:
            meta["HTTP_X_FORWARDED_PROTO"] = forwarded_proto
        return self.get_response(request)


class ApiNoStoreMiddleware:
    """`Cache-Control: no-store` (and Django's other never-cache headers) on every answer under /api/:
    floor states, staff and keys are nothing a browser or a shared proxy should keep. Here rather than in
    the DRF views so the JSON 404s and the errors raised before a view runs carry it too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            add_never_cache_headers(response)
        return response
