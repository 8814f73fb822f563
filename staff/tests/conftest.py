"""Fixtures of the staff tests: a real Celery worker on Redis."""

import pytest
from celery.contrib.testing.worker import start_worker

from restaurant.celery import app


@pytest.fixture
def worker(redis_url):
    """A real Celery worker (solo pool, in a thread) consuming the Redis broker the settings name. Tests that
    use it need committed rows: `django_db(transaction=True)` or a live server."""
    assert app.conf.broker_url.startswith("redis://"), "settings give Celery the REDIS_URL broker"
    app.control.purge()  # nothing left over from another test run
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=20) as running:
        yield running
