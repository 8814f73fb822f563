"""A bound on failed logins per account across addresses, which cannot keep the account's owner out.

django-axes locks an account+address pair after AXES_FAILURE_LIMIT failures. An attacker with many
addresses gets that many guesses from each, so each account also has a budget shared by every address:
after LOGIN_ACCOUNT_FAILURE_LIMIT failures (default 20) within LOGIN_ACCOUNT_COOLOFF_MINUTES (default 15)
the account refuses every password, right or wrong, for the rest of that window.

That would let anyone lock a real user out by guessing wrong on purpose. Two things keep it short:
- the window is fixed: it starts at the first failure and ends COOLOFF minutes later, whatever happens
  meanwhile; to keep an account locked an attacker must spend a whole new budget every window;
- a browser that has logged into the account before carries a signed "known device" cookie
  (LOGIN_KNOWN_DEVICE_DAYS, default 90 days) and is exempt from the account-wide lock: the owner at
  their usual tablet logs in during an attack (the per-address lock of axes still applies to it).

Counters live in the cache (Redis in production, so every web replica shares them)."""

import hashlib

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

KNOWN_DEVICE_COOKIE = "known_login"
_SALT = "restaurant.login_guard.known-device"


def _key(username: str) -> str:
    return "login-failures:" + hashlib.sha256(username.strip().lower().encode()).hexdigest()


def account_failures(username: str) -> int:
    return cache.get(_key(username), 0)


def account_locked(username: str) -> bool:
    return account_failures(username) >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT


def record_failure(username: str) -> None:
    key = _key(username)
    # add() sets the window once; incr() keeps its expiry, so the window does not slide.
    cache.add(key, 0, timeout=settings.LOGIN_ACCOUNT_COOLOFF_MINUTES * 60)
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls: a new window
        cache.add(key, 1, timeout=settings.LOGIN_ACCOUNT_COOLOFF_MINUTES * 60)


def known_device_value(username: str) -> str:
    return signing.dumps(username.strip().lower(), salt=_SALT)


def is_known_device(request, username: str) -> bool:
    value = request.COOKIES.get(KNOWN_DEVICE_COOKIE) if request is not None else None
    if not value:
        return False
    try:
        known = signing.loads(value, salt=_SALT, max_age=settings.LOGIN_KNOWN_DEVICE_DAYS * 86400)
    except signing.BadSignature:
        return False
    return known == username.strip().lower()


def remember_device(response, username: str) -> None:
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        known_device_value(username),
        max_age=settings.LOGIN_KNOWN_DEVICE_DAYS * 86400,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


class AccountLockoutBackend:
    """First in AUTHENTICATION_BACKENDS: refuses every password for an account over its budget, unless the
    browser is a known device of that account. Authenticates nobody itself, and has no `get_user`, so no
    session is ever tied to it."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and account_locked(username) and not is_known_device(request, username):
            if request is not None:
                request.account_locked = True
            raise PermissionDenied  # stops authenticate(): no other backend checks the password
        return None

    async def aauthenticate(self, request, username=None, password=None, **kwargs):
        return await sync_to_async(self.authenticate)(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    username = credentials.get("username")
    if username:
        record_failure(username)
