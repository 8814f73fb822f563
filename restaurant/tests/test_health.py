"""/healthz (the process answers) and /readyz (database and broker reachable, 503 naming what failed)."""

import socket

import pytest
from django.db import OperationalError, connections


def free_loopback_port() -> int:
    """A loopback port where nothing listens (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_without_touching_the_database(client):
    # No db marker: pytest-django would refuse any query.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_with_the_real_redis_broker(client, settings, redis_url):
    settings.CELERY_BROKER_URL = redis_url
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_readyz_is_503_naming_the_broker_when_nothing_listens(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_loopback_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error: ")
    assert "Connection" in body["checks"]["broker"]


@pytest.mark.django_db
def test_readyz_is_ok_with_a_writable_filesystem_broker_folder(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path),
        "data_folder_out": str(tmp_path),
        "control_folder": str(tmp_path / "control"),  # kombu makes this one when a worker starts
    }
    response = client.get("/readyz")
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_readyz_is_503_when_the_filesystem_broker_folder_is_missing(client, settings, tmp_path):
    missing = tmp_path / "not-created"
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(missing), "data_folder_out": str(missing)}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "does not exist" in response.json()["checks"]["broker"]


@pytest.mark.django_db
def test_readyz_is_503_naming_the_database_when_it_fails(client, settings, tmp_path, monkeypatch):
    # A database outage cannot be provoked from inside the test's own connection: simulate the driver error.
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)}

    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "error: OperationalError: could not connect to server",
        "broker": "ok",
    }


def test_probes_answer_get_only(client):
    assert client.post("/healthz").status_code == 405
