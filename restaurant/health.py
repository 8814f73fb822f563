"""Liveness and readiness probes.

/healthz says the process answers (no database, no broker: a slow database must not get a healthy
process restarted). /readyz says it can do work: the database answers a trivial query and the Celery
broker accepts a connection, each within a short timeout; a 503 names what failed."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

BROKER_TIMEOUT_SECONDS = 2


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _require_writable_folder(key: str, folder) -> None:
    if not Path(folder).is_dir():
        raise OSError(f"{key} {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OSError(f"{key} {folder} is not writable")


def check_broker() -> None:
    url = settings.CELERY_BROKER_URL
    scheme = urlsplit(url).scheme
    if scheme in ("redis", "rediss"):
        client = redis.Redis.from_url(
            url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS, socket_timeout=BROKER_TIMEOUT_SECONDS
        )
        try:
            client.ping()
        finally:
            client.close()
    elif scheme == "filesystem":
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for key in ("data_folder_in", "data_folder_out"):
            _require_writable_folder(key, options.get(key, "."))
        control = options.get("control_folder")
        if control is not None:
            # kombu creates the control folder itself (not its parents) when a worker starts.
            control = Path(control)
            _require_writable_folder("control_folder", control if control.exists() else control.parent)
    else:  # any other kombu transport (amqp...): open and close a connection
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)


CHECKS = {"database": check_database, "broker": check_broker}


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure means "not ready"; the body says which and why
            results[name] = f"error: {type(exc).__name__}: {exc}"
        else:
            results[name] = "ok"
    ready = all(result == "ok" for result in results.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": results}, status=200 if ready else 503)
