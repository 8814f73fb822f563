"""Outgoing webhooks end to end against a real HTTP receiver on loopback: floor changes written to the
outbox in their transaction, signed deliveries retried with backoff until the receiver recovers, the
endpoint turned off after failures in a row and back on, replays, and safe claiming.

The scheduling clock is passed in (`now=`): the tests step it to each row's `next_attempt_at` instead of
sleeping through real backoff. Signatures are checked by the receiver with the wall clock."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from floor.events import floor_changed
from floor.models import TableState
from floor.services.seating import table_seat, visit_close
from floor.services.table_states import table_state_set
from floor.services.waitlist import waitlist_add, waitlist_cancel
from floor.tests.floor_setup import server_on_floor, table_in
from restaurant.celery import app
from restaurant.models import DeliveryAttempt, OutboxEvent, OutboxStatus, Role, WebhookEventType
from restaurant.services.webhooks import (
    due_outbox_event_ids,
    outbox_dispatch_due,
    outbox_event_deliver,
    outbox_event_replay,
    retry_delay,
    webhook_endpoint_create,
    webhook_endpoint_enable,
    webhook_endpoint_send_test,
)
from restaurant.tests.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.django_db

ALL_TYPES = list(WebhookEventType.values)
BASE, CAP, JITTER = 10.0, 10_000.0, 0.2


@pytest.fixture
def backoff(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = BASE
    settings.WEBHOOK_RETRY_CAP_SECONDS = CAP
    settings.WEBHOOK_RETRY_JITTER = JITTER
    settings.WEBHOOK_MAX_ATTEMPTS = 8
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 100
    settings.WEBHOOK_TIMEOUT_SECONDS = 5.0
    return settings


@pytest.fixture
def receiver():
    running = WebhookReceiver().start()
    yield running
    running.stop()


def endpoint_for(restaurant, receiver, types=ALL_TYPES, name="POS"):
    return webhook_endpoint_create(restaurant=restaurant, name=name, url=receiver.url, event_types=types)


def run_until_settled(now, *, rounds=50):
    """What workers and the beat sweep do, on a stepped clock: deliver every due row, then jump to the
    next row's due time. Returns the clock at the end."""
    for _ in range(rounds):
        for pk in due_outbox_event_ids(now=now):
            outbox_event_deliver(event_id=pk, now=now)
        pending = OutboxEvent.objects.filter(status=OutboxStatus.PENDING, endpoint__active=True)
        upcoming = pending.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
        if upcoming is None:
            return now
        now = max(now, upcoming)
    pytest.fail("the outbox did not settle")


def floor_day(restaurant):
    """A few real floor changes: a party waits, is seated from the list, pays; the table is bussed;
    another party joins the list and leaves it."""
    table = table_in(restaurant, label="T1")
    server = server_on_floor(restaurant)
    entry = waitlist_add(restaurant=restaurant, party_name="Ada", party_size=2).entry
    visit = table_seat(restaurant=restaurant, table=table, party_size=2, server=server, waitlist_entry=entry)
    visit_close(restaurant=restaurant, visit=visit, subtotal="40.00", tax="3.20", tip="8.00")
    table.refresh_from_db()
    table_state_set(restaurant=restaurant, table=table, to_state=TableState.AVAILABLE, source="host")
    other = waitlist_add(restaurant=restaurant, party_name="Bo", party_size=3).entry
    waitlist_cancel(restaurant=restaurant, entry=other)
    return visit


def test_every_event_arrives_once_the_receiver_recovers_with_attempts_spaced_as_configured(restaurant, backoff):
    receiver = WebhookReceiver(fail_first=3).start()
    try:
        issued = endpoint_for(restaurant, receiver)
        floor_day(restaurant)
        events = list(OutboxEvent.objects.order_by("id"))
        start = timezone.now()
        run_until_settled(start)

        # Every event arrived, accepted exactly once, after three refusals each.
        assert sorted(receiver.accepted_ids()) == sorted(e.webhook_id for e in events)
        assert len(receiver.received) == 4 * len(events)
        assert all(e.status == OutboxStatus.DELIVERED for e in OutboxEvent.objects.all())
        # The receiver verifies every request, refused or not, with the secret it was given once.
        bodies = receiver.verify_all(issued.secret)
        assert {body["type"] for body in bodies} == set(ALL_TYPES)

        # Attempts n -> n+1 are BASE x 2^(n-1) apart, less at most JITTER of it.
        gaps = []
        for event in events:
            times = list(
                DeliveryAttempt.objects.filter(outbox_event=event)
                .order_by("started_at")
                .values_list("started_at", flat=True)
            )
            assert len(times) == 4
            for n, (earlier, later) in enumerate(zip(times, times[1:], strict=False), start=1):
                full = BASE * 2 ** (n - 1)
                gap = (later - earlier).total_seconds()
                assert full * (1 - JITTER) <= gap <= full, (event.event_type, n, gap)
                gaps.append((n, gap))
        endpoint = issued.endpoint
        endpoint.refresh_from_db()
        assert endpoint.consecutive_failures == 0 and endpoint.active and endpoint.last_success_at is not None
        print(f"\n{len(events)} events, {len(receiver.received)} requests; gaps by attempt: {sorted(gaps)}")
    finally:
        receiver.stop()


def test_the_floor_changes_become_public_events_with_documented_payloads(restaurant, receiver, backoff):
    endpoint_for(restaurant, receiver)
    visit = floor_day(restaurant)
    run_until_settled(timezone.now())

    bodies = endpoint_body_list(receiver)
    kinds = [(b["type"], b["data"].get("state") or b["data"].get("change") or "") for b in bodies]
    assert sorted(kinds) == sorted(
        [
            ("waitlist.changed", "added"),
            ("table.state_changed", "occupied"),
            ("party.seated", ""),
            ("waitlist.changed", "seated"),
            ("table.state_changed", "dirty"),
            ("visit.closed", ""),
            ("table.state_changed", "available"),
            ("waitlist.changed", "added"),
            ("waitlist.changed", "cancelled"),
        ]
    )
    closed = next(b for b in bodies if b["type"] == "visit.closed")
    assert closed["restaurant_id"] == restaurant.pk and closed["timestamp"].endswith("Z")
    assert closed["data"]["visit_id"] == visit.pk and closed["data"]["table_label"] == "T1"
    assert (closed["data"]["subtotal"], closed["data"]["tax"], closed["data"]["tip"]) == ("40.00", "3.20", "8.00")
    seated = next(b for b in bodies if b["type"] == "table.state_changed" and b["data"]["state"] == "occupied")
    assert seated["data"]["from_state"] == "available" and seated["data"]["source"] == "host"


def endpoint_body_list(receiver):
    return [json.loads(r.body) for r in receiver.received]


def test_an_endpoint_gets_only_the_types_it_subscribes_to(restaurant, receiver, backoff):
    endpoint_for(restaurant, receiver, types=["visit.closed"])
    floor_day(restaurant)
    assert list(OutboxEvent.objects.values_list("event_type", flat=True)) == ["visit.closed"]


def test_a_rolled_back_change_writes_no_outbox_row(restaurant, receiver):
    endpoint_for(restaurant, receiver)
    table = table_in(restaurant)
    with pytest.raises(RuntimeError), transaction.atomic():
        table_state_set(
            restaurant=restaurant, table=table, to_state=TableState.BLOCKED, source="host", role=Role.MANAGER
        )
        assert OutboxEvent.objects.count() == 1  # written inside the change's transaction
        raise RuntimeError("something later in the same transaction failed")
    assert not OutboxEvent.objects.exists()


def test_a_restaurant_without_endpoints_pays_one_query_per_change(restaurant, django_assert_num_queries):
    table = table_in(restaurant)
    with django_assert_num_queries(1):
        floor_changed(restaurant.pk, "table_state", {"table_id": table.pk})


def test_an_endpoint_failing_n_times_in_a_row_is_turned_off_then_back_on(restaurant, backoff):
    backoff.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    receiver = WebhookReceiver(always_fail=True).start()
    try:
        endpoint = endpoint_for(restaurant, receiver).endpoint
        event = webhook_endpoint_send_test(endpoint=endpoint)
        now = timezone.now()
        for _ in range(3):
            assert outbox_event_deliver(event_id=event.pk, now=now) is not None
            event.refresh_from_db()
            now = event.next_attempt_at
        endpoint.refresh_from_db()
        assert not endpoint.active and endpoint.consecutive_failures == 3
        assert endpoint.disabled_reason.startswith("Turned off after 3 failed deliveries in a row")
        assert "HTTP 500" in endpoint.disabled_reason
        # Off: nothing is tried, and new changes are not queued for it.
        assert outbox_event_deliver(event_id=event.pk, now=now + timedelta(days=1)) is None
        table_state_set(restaurant=restaurant, table=table_in(restaurant), to_state="reserved", source="host")
        assert OutboxEvent.objects.count() == 1

        receiver.always_fail = False
        webhook_endpoint_enable(endpoint=endpoint, now=now)
        endpoint.refresh_from_db()
        assert endpoint.active and endpoint.consecutive_failures == 0 and endpoint.disabled_reason == ""
        assert outbox_event_deliver(event_id=event.pk, now=now).succeeded  # pending events are due at once
        endpoint.refresh_from_db()
        assert endpoint.last_success_at == now
    finally:
        receiver.stop()


def test_an_event_gives_up_after_the_last_attempt_and_a_replay_delivers_it(restaurant, backoff):
    backoff.WEBHOOK_MAX_ATTEMPTS = 2
    receiver = WebhookReceiver(fail_first=2).start()
    try:
        endpoint = endpoint_for(restaurant, receiver).endpoint
        event = webhook_endpoint_send_test(endpoint=endpoint)
        run_until_settled(timezone.now())
        event.refresh_from_db()
        assert event.status == OutboxStatus.FAILED and event.attempts == 2 and "HTTP 503" in event.last_error

        outbox_event_replay(event=event)
        run_until_settled(timezone.now())
        event.refresh_from_db()
        assert event.status == OutboxStatus.DELIVERED
        assert receiver.accepted_ids() == [event.webhook_id]  # the same webhook-id on every attempt
        assert {r.webhook_id for r in receiver.received} == {event.webhook_id}
        assert event.delivery_attempts.count() == 3
    finally:
        receiver.stop()


def test_a_connection_refused_is_a_failed_attempt_with_the_reason(restaurant, backoff):
    receiver = WebhookReceiver().start()
    receiver.stop()  # nobody listens on that port any more
    endpoint = endpoint_for(restaurant, receiver).endpoint
    event = webhook_endpoint_send_test(endpoint=endpoint)
    attempt = outbox_event_deliver(event_id=event.pk, now=timezone.now())
    assert not attempt.succeeded and attempt.status_code is None and "refused" in attempt.error.lower()


def test_a_claimed_row_is_not_posted_by_a_second_worker(restaurant, receiver, backoff):
    event = webhook_endpoint_send_test(endpoint=endpoint_for(restaurant, receiver).endpoint)
    now = timezone.now()
    assert event.pk in due_outbox_event_ids(now=now)
    OutboxEvent.objects.filter(pk=event.pk).update(claimed_until=now + timedelta(seconds=60))
    assert outbox_event_deliver(event_id=event.pk, now=now) is None  # another worker holds it
    assert receiver.received == []
    # Its claim expired (that worker died): the row is due again and goes out.
    assert outbox_event_deliver(event_id=event.pk, now=now + timedelta(seconds=61)).succeeded


@pytest.mark.django_db(transaction=True)
def test_a_row_locked_by_another_transaction_is_skipped_not_waited_for(restaurant, receiver, backoff, using_postgres):
    event = webhook_endpoint_send_test(endpoint=endpoint_for(restaurant, receiver).endpoint)
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        with transaction.atomic():
            OutboxEvent.objects.select_for_update().get(pk=event.pk)
            locked.set()
            release.wait(timeout=30)
        connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        assert outbox_event_deliver(event_id=event.pk, now=timezone.now()) is None
    finally:
        release.set()
        holder.join()
    assert outbox_event_deliver(event_id=event.pk, now=timezone.now()).succeeded


def test_retry_delay_doubles_up_to_the_cap_and_jitter_only_shortens(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS, settings.WEBHOOK_RETRY_CAP_SECONDS = 30, 600
    settings.WEBHOOK_RETRY_JITTER = 0.25
    assert [retry_delay(n, draw=0).total_seconds() for n in range(1, 7)] == [30, 60, 120, 240, 480, 600]
    assert retry_delay(3, draw=0.999).total_seconds() == pytest.approx(120 * 0.75, rel=1e-2)


@pytest.mark.parametrize("source", ["pos", "vision"])
def test_a_state_set_by_the_pos_or_a_camera_says_so(restaurant, receiver, source):
    endpoint_for(restaurant, receiver, types=["table.state_changed"])
    table = table_in(restaurant, label="P9")
    table_state_set(restaurant=restaurant, table=table, to_state=TableState.RESERVED, source=source)
    event = OutboxEvent.objects.get()
    assert event.payload["data"] == {
        "table_id": table.pk,
        "table_ids": [table.pk],
        "table_label": "P9",
        "from_state": "available",
        "state": "reserved",
        "source": source,
    }


def test_the_sweep_sends_a_row_again_only_once_its_message_may_be_lost(restaurant, receiver, backoff, redis_url):
    event = webhook_endpoint_send_test(endpoint=endpoint_for(restaurant, receiver).endpoint)
    now = timezone.now()
    try:
        assert outbox_dispatch_due(now=now) == []  # the message sent with the change is on its way
        lost = now + timedelta(seconds=backoff.WEBHOOK_CLAIM_SECONDS + 1)
        assert outbox_dispatch_due(now=lost) == [event.pk]
        assert outbox_dispatch_due(now=lost) == []  # one message per row, however often the sweep runs
        attempt = outbox_event_deliver(event_id=event.pk, now=lost)
        assert attempt.succeeded and outbox_dispatch_due(now=lost + timedelta(hours=1)) == []
    finally:
        app.control.purge()
