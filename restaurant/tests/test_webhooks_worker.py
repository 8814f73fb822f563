"""A real Celery worker process delivers webhooks; killed with SIGKILL in the middle of a POST and
replaced, it loses nothing: the killed attempt's claim expires, the beat sweep's task hands the rows to
the new worker, and every event reaches the receiver (the interrupted one twice, with one webhook-id)."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from restaurant.celery import app
from restaurant.models import OutboxEvent, OutboxStatus
from restaurant.services.webhooks import webhook_endpoint_create, webhook_endpoint_send_test
from restaurant.tests.webhook_receiver import WebhookReceiver

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SWEEP_TASK = "restaurant.tasks.sweep_webhook_deliveries"
CLAIM_SECONDS = 6  # a killed attempt is handed on after it; the POST timeout is a second less


def wait_for(condition, what: str, timeout: float = 60, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(every)


def test_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def start_worker(redis_url: str) -> subprocess.Popen:
    """`celery worker` in its own process group, on the test database and the tests' Redis."""
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": redis_url,
        "WEBHOOK_TIMEOUT_SECONDS": str(CLAIM_SECONDS - 1),
        "WEBHOOK_CLAIM_SECONDS": str(CLAIM_SECONDS),
        "DJANGO_ENV_FILE": "/dev/null",
    }
    command = [sys.executable, "-m", "celery", "-A", "restaurant", "worker", "-P", "solo", "-c", "1", "-Q", "default"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop(worker: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


def test_a_worker_killed_mid_delivery_loses_nothing(restaurant, redis_url, using_postgres):
    app.control.purge()
    receiver = WebhookReceiver(hold=threading.Event()).start()
    workers = []
    try:
        issued = webhook_endpoint_create(
            restaurant=restaurant, name="POS", url=receiver.url, event_types=["table.state_changed"]
        )
        workers.append(start_worker(redis_url))
        events = [webhook_endpoint_send_test(endpoint=issued.endpoint) for _ in range(3)]  # committed: sent now

        # The worker posts the first event; the receiver holds the request; the worker dies mid-POST.
        assert receiver.arrived.wait(timeout=60), "the worker never posted"
        stop(workers[0], signal.SIGKILL)
        assert workers[0].returncode == -signal.SIGKILL
        receiver.hold.set()  # the answer goes to a dead socket: nobody records it
        wait_for(lambda: len(receiver.received) == 1, "the held request to finish")
        interrupted = receiver.received[0].webhook_id
        claimed = OutboxEvent.objects.get(event_id=interrupted)
        assert claimed.status == OutboxStatus.PENDING and claimed.claimed_until is not None

        # A new worker; beat's sweep task, every second, as the beat entry would (every 15 s in production).
        workers.append(start_worker(redis_url))

        def all_delivered() -> bool:
            app.send_task(SWEEP_TASK)
            return not OutboxEvent.objects.exclude(status=OutboxStatus.DELIVERED).exists()

        started = time.monotonic()
        wait_for(all_delivered, "every event to be delivered", timeout=90, every=1.0)
        print(f"\nall delivered {time.monotonic() - started:.1f} s after the new worker started")

        accepted = receiver.accepted_ids()
        assert set(accepted) == {e.webhook_id for e in events}
        assert accepted.count(interrupted) == 2  # answered to the dead worker, then again to the new one
        assert OutboxEvent.objects.get(event_id=interrupted).delivery_attempts.count() == 1
        receiver.verify_all(issued.secret)
    finally:
        for worker in workers:
            stop(worker)
        receiver.stop()
        app.control.purge()
