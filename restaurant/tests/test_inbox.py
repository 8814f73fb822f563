"""The inbox over `POST /api/v1/pos/events`: who may deliver, the signature and body rules (each refusal a
400 or 401 naming its reason, nothing written), one record per delivery id (also for two copies at the
same moment), holds released in order, failures kept and retried with backoff, and the replay."""

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from standardwebhooks import Webhook

from floor.models import Table, TableState, Visit, VisitItem
from floor.tests.factories import SectionFactory, TableFactory
from restaurant.models import ApiScope, InboxEvent, InboxStatus
from restaurant.services import api_client_create
from restaurant.services.inbox import (
    INBOX_MAX_ATTEMPTS,
    inbox_event_replay,
    inbox_event_retry,
    inbox_retry_due,
    retry_delay,
)
from restaurant.tests.admin_support import admin_client, admin_url
from restaurant.tests.webhook_sender import URL, PosSender, envelope, signed_headers
from staff.models import Shift
from staff.tests.conftest import worker  # noqa: F401  (the real Celery worker fixture)
from staff.tests.factories import StaffMemberFactory

AT = datetime(2026, 3, 6, 18, 0, tzinfo=UTC)
T = AT.isoformat()
OPENED = {"check_id": "C1", "table_label": "T1", "server_id": "EMP-1", "party_size": 2}
ITEM = {
    "check_id": "C1",
    "line_id": "L1",
    "menu_item_id": "SKU-1",
    "name": "Pinot Noir",
    "category": "alcohol",
    "quantity": 2,
    "unit_price": "14.00",
}


@pytest.fixture
def floor(restaurant):
    section = SectionFactory(restaurant=restaurant)
    table = TableFactory(section=section, label="T1", min_seats=1, max_seats=4)
    server = StaffMemberFactory(restaurant=restaurant, pos_id="EMP-1", name="Ana")
    return {"table": table, "server": server}


@pytest.fixture
def pos(restaurant):
    return PosSender(api_client_create(restaurant=restaurant, name="POS", scopes=[ApiScope.POS]))


def clock_in(pos, at=AT - timedelta(hours=1)):
    response = pos.send("staff.clock_in", {"staff_id": "EMP-1"}, at=at)
    assert response.status_code == 200, response.json()


# --- Who may deliver, and what is refused --------------------------------------------------------------


@pytest.mark.django_db
def test_a_missing_or_wrong_key_is_a_401_and_a_key_without_the_pos_scope_a_403(restaurant, pos, floor):
    body = envelope("staff.clock_in", {"staff_id": "EMP-1"}, AT)
    pos.api.credentials()
    assert pos.post(body, "evt_1").status_code == 401
    pos.api.credentials(HTTP_AUTHORIZATION="Api-Key not-a-real-key-at-all")
    response = pos.post(body, "evt_1")
    assert response.status_code == 401 and response.json()["error"]["code"] == "authentication_failed"
    frontend = PosSender(api_client_create(restaurant=restaurant, name="Front", scopes=[ApiScope.FRONTEND]))
    response = frontend.post(body, "evt_1")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert not InboxEvent.objects.exists() and not Shift.objects.exists()


@pytest.mark.django_db
def test_a_session_cannot_deliver_events(manager_api):
    response = manager_api.post(URL, {"type": "staff.clock_in"}, format="json")
    assert response.status_code == 401


def refused(response, code: str, field: str) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["details"]["field"] == field, error


@pytest.mark.django_db
def test_each_bad_signature_is_a_400_naming_its_reason_and_nothing_is_written(pos, floor):
    body = envelope("staff.clock_in", {"staff_id": "EMP-1"}, AT)
    now = datetime.now(UTC)
    good = signed_headers(pos.secret, "evt_1", body)
    other_secret = api_client_create(restaurant=floor["table"].restaurant, name="Other", scopes=["pos"])
    wrong = signed_headers(other_secret.client.signing_secret, "evt_1", body)
    api = pos.api

    def post(**headers):
        return api.generic("POST", URL, body, content_type="application/json", **headers)

    refused(post(), "missing_signature_headers", "webhook-signature")
    refused(post(**{**good, "HTTP_WEBHOOK_SIGNATURE": ""}), "missing_signature_headers", "webhook-signature")
    refused(post(**wrong), "invalid_signature", "webhook-signature")
    refused(post(**{**good, "HTTP_WEBHOOK_ID": "evt_2"}), "invalid_signature", "webhook-signature")
    refused(post(**{**good, "HTTP_WEBHOOK_SIGNATURE": "v1"}), "invalid_signature", "webhook-signature")
    refused(post(**{**good, "HTTP_WEBHOOK_SIGNATURE": "v1,%%%"}), "invalid_signature", "webhook-signature")
    refused(post(**{**good, "HTTP_WEBHOOK_TIMESTAMP": "soon"}), "invalid_timestamp", "webhook-timestamp")
    stale = signed_headers(pos.secret, "evt_1", body, signed_at=now - timedelta(minutes=6))
    refused(post(**stale), "timestamp_too_old", "webhook-timestamp")
    ahead = signed_headers(pos.secret, "evt_1", body, signed_at=now + timedelta(minutes=6))
    refused(post(**ahead), "timestamp_too_new", "webhook-timestamp")
    tampered = api.generic("POST", URL, body.replace("EMP-1", "EMP-2"), content_type="application/json", **good)
    refused(tampered, "invalid_signature", "webhook-signature")
    assert not InboxEvent.objects.exists() and not Shift.objects.exists()
    assert post(**good).status_code == 200  # the same delivery, signed right, goes through


@pytest.mark.django_db
def test_four_minutes_of_clock_skew_either_way_is_accepted(pos, floor):
    body = envelope("staff.clock_in", {"staff_id": "EMP-1"}, AT)
    for offset, event_id in ((-4, "evt_behind"), (4, "evt_ahead")):
        signed_at = datetime.now(UTC) + timedelta(minutes=offset)
        headers = signed_headers(pos.secret, event_id, body, signed_at=signed_at)
        response = pos.api.generic("POST", URL, body, content_type="application/json", **headers)
        assert response.status_code == 200, response.json()


@pytest.mark.django_db
def test_a_rotated_secret_is_accepted_among_several_signatures(pos, floor):
    body = envelope("staff.clock_in", {"staff_id": "EMP-1"}, AT)
    signed_at = datetime.now(UTC)
    old = Webhook("whsec_" + "b2xkLXNlY3JldC1vbGQtc2VjcmV0LW9sZC1zZWNyZXQ=").sign("evt_1", signed_at, body)
    new = Webhook(pos.secret).sign("evt_1", signed_at, body)
    headers = signed_headers(pos.secret, "evt_1", body, signed_at=signed_at)
    headers["HTTP_WEBHOOK_SIGNATURE"] = f"{old} v2,ignored {new}"
    response = pos.api.generic("POST", URL, body, content_type="application/json", **headers)
    assert response.status_code == 200, response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ("not json", "parse_error", None),
        ("[]", "invalid", "body"),
        ('{"type": "check.reopened", "timestamp": "2026-03-06T18:00:00Z", "data": {}}', "unknown_event_type", "type"),
        ('{"type": "staff.clock_in", "timestamp": "yesterday", "data": {"staff_id": "1"}}', "invalid", "timestamp"),
        ('{"type": "staff.clock_in", "timestamp": "2026-03-06T18:00", "data": {}}', "invalid", "timestamp"),
        ('{"type": "staff.clock_in", "timestamp": "2026-03-06T18:00:00Z", "data": []}', "invalid", "data"),
        ('{"type": "staff.clock_in", "timestamp": "2026-03-06T18:00:00Z", "data": {}, "x": 1}', "invalid", "x"),
        (json.dumps({"type": "check.opened", "timestamp": T, "data": {**OPENED, "party_size": 0}}),
         "invalid", "data.party_size"),
        (json.dumps({"type": "check.item_added", "timestamp": T, "data": {**ITEM, "unit_price": 14.0}}),
         "invalid", "data.unit_price"),
        (json.dumps({"type": "check.item_added", "timestamp": T, "data": {**ITEM, "category": "wine"}}),
         "invalid", "data.category"),
        (json.dumps({"type": "check.closed", "timestamp": T,
                     "data": {"check_id": "C1", "subtotal": "1.005", "tax": "0", "tip": "0", "discounts": "0"}}),
         "invalid", "data.subtotal"),
        (json.dumps({"type": "check.item_voided", "timestamp": T, "data": {"check_id": "C1"}}),
         "invalid", "data.line_id"),
    ],
)  # fmt: skip
def test_a_signed_but_malformed_body_is_a_400_naming_the_field_and_nothing_is_written(pos, floor, body, code, field):
    response = pos.post(body, "evt_bad")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code
    if field:
        assert error["details"]["field"] == field, error
    assert not InboxEvent.objects.exists()


# --- Once per delivery id; held events -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_duplicate_answers_200_and_changes_nothing(pos, floor):
    clock_in(pos)
    first = pos.send("check.opened", OPENED, at=AT, event_id="evt_open")
    again = pos.send("check.opened", {**OPENED, "party_size": 4}, at=AT, event_id="evt_open")
    assert first.status_code == again.status_code == 200
    assert first.json()["duplicate"] is False and again.json()["duplicate"] is True
    assert again.json()["status"] == "processed"
    assert Visit.objects.get().party_size == 2
    assert InboxEvent.objects.filter(event_id="evt_open").count() == 1


@pytest.mark.django_db
def test_an_item_before_its_check_is_held_then_applied_when_the_check_opens(pos, floor):
    clock_in(pos)
    held = pos.send("check.item_added", ITEM, at=AT + timedelta(minutes=5))
    assert held.status_code == 202
    assert held.json()["status"] == "held" and held.json()["held_key"] == "check:C1"
    void = pos.send("check.item_voided", {"check_id": "C1", "line_id": "L1"}, at=AT + timedelta(minutes=6))
    assert void.json()["status"] == "held"
    opened = pos.send("check.opened", OPENED, at=AT)
    assert opened.status_code == 200 and opened.json()["status"] == "processed"
    item = VisitItem.objects.get()
    assert item.visit.pos_check_id == "C1" and item.category == "alcohol" and item.voided
    assert set(InboxEvent.objects.values_list("status", flat=True)) == {InboxStatus.PROCESSED}


@pytest.mark.django_db
def test_a_check_opened_before_its_server_clocks_in_waits_for_the_clock_in(pos, floor):
    held = pos.send("check.opened", OPENED, at=AT)
    assert held.status_code == 202 and held.json()["held_key"] == f"staff:{floor['server'].pk}"
    assert not Visit.objects.exists()
    clock_in(pos)
    assert Visit.objects.get().seated_at == AT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_copies_at_the_same_moment_are_recorded_and_applied_once(using_postgres, restaurant, floor):
    issued = api_client_create(restaurant=restaurant, name="POS", scopes=[ApiScope.POS])
    clock_in(PosSender(issued))
    for round_number in range(5):
        check = f"C{round_number}"
        body = envelope("check.opened", {**OPENED, "check_id": check}, AT + timedelta(minutes=round_number))
        answers = []
        start = threading.Barrier(4)

        def deliver(body=body, check=check, answers=answers, start=start):
            try:
                sender = PosSender(issued)
                start.wait()
                response = sender.post(body, f"evt_{check}")
                answers.append((response.status_code, response.json()))
            finally:
                connection.close()

        threads = [threading.Thread(target=deliver) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(status for status, _ in answers) == [200] * 4
        assert sum(not body["duplicate"] for _, body in answers) == 1
        assert Visit.objects.filter(pos_check_id=check).count() == 1
        assert InboxEvent.objects.filter(event_id=f"evt_{check}").count() == 1
        close = pos_close(issued, check, AT + timedelta(minutes=round_number, seconds=30))
        assert close.status_code == 200
        Table.objects.filter(pk=floor["table"].pk).update(state=TableState.AVAILABLE)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_release_locks_only_the_event_row_never_the_restaurant_s(using_postgres, restaurant, floor):
    """The cause of the 500s under several POS clients: applying a held event again locked the restaurant's
    row FOR UPDATE (select_related followed by select_for_update), while every transaction's deferred
    foreign-key checks take FOR KEY SHARE on that row at COMMIT: a commit waited behind the release, the
    release behind a lock that commit held, and PostgreSQL killed the COMMIT (the event was lost)."""
    pos = PosSender(api_client_create(restaurant=restaurant, name="POS", scopes=[ApiScope.POS]))
    held = pos.send("check.item_added", ITEM, at=AT, event_id="evt_item")
    assert held.status_code == 202 and held.json()["status"] == "held"
    replaying, probed = threading.Event(), threading.Event()

    def replay_and_keep_the_locks():
        try:
            with transaction.atomic():
                inbox_event_replay(event=InboxEvent.objects.get(event_id="evt_item"))
                replaying.set()
                probed.wait(timeout=30)
        finally:
            connection.close()

    replayer = threading.Thread(target=replay_and_keep_the_locks)
    replayer.start()
    try:
        assert replaying.wait(timeout=30)
        with transaction.atomic(), connection.cursor() as cursor:
            # What a committing transaction's foreign-key check runs; NOWAIT: it must not have to wait.
            cursor.execute("SELECT 1 FROM restaurant_restaurant WHERE id = %s FOR KEY SHARE NOWAIT", [restaurant.pk])
            assert cursor.fetchone() == (1,)
    finally:
        probed.set()
        replayer.join()
    assert InboxEvent.objects.get(event_id="evt_item").status == InboxStatus.HELD


def pos_close(issued, check, at):
    totals = {"check_id": check, "subtotal": "10.00", "tax": "1.00", "tip": "2.00", "discounts": "0.00"}
    return PosSender(issued).send("check.closed", totals, at=at)


# --- Failures: kept, retried with backoff, replayed -----------------------------------------------------


@pytest.mark.django_db
def test_a_failing_event_keeps_its_error_and_is_retried_with_backoff_until_it_gives_up(pos, floor):
    opened = pos.send("check.opened", {**OPENED, "table_label": "T9"}, at=AT, event_id="evt_t9")
    assert opened.status_code == 202
    assert opened.json()["status"] == "failed" and "unknown_table" in opened.json()["error"]
    event = InboxEvent.objects.get()
    assert event.attempts == 1 and event.next_attempt_at is not None
    assert retry_delay(1) < retry_delay(2) < retry_delay(3) and retry_delay(30).total_seconds() == 3600

    assert inbox_event_retry(event_pk=event.pk) is None  # not due yet: an early message does nothing
    for attempt in range(2, INBOX_MAX_ATTEMPTS + 1):
        event.refresh_from_db()
        retried = inbox_event_retry(event_pk=event.pk, now=event.next_attempt_at)
        assert retried.status == InboxStatus.FAILED and retried.attempts == attempt
    assert retried.next_attempt_at is None  # gave up: waits for a replay
    assert inbox_retry_due(now=AT + timedelta(days=365)) == []

    TableFactory(section=floor["table"].section, label="T9")
    clock_in(pos)
    replayed = inbox_event_replay(event=retried)
    assert replayed.status == InboxStatus.PROCESSED and replayed.error == ""
    assert Visit.objects.get().table.label == "T9"
    with pytest.raises(Exception, match="processed already"):
        inbox_event_replay(event=replayed)


@pytest.mark.django_db
def test_the_beat_sweep_retries_what_is_due(pos, floor):
    held = pos.send("check.opened", {**OPENED, "server_id": str(floor["server"].pk)}, at=AT)  # our staff id
    assert held.json()["status"] == "held"
    failing = pos.send("staff.clock_in", {"staff_id": "EMP-404"}, at=AT - timedelta(hours=1))
    assert failing.json()["status"] == "failed"
    floor["server"].pos_id = "EMP-404"
    floor["server"].save()
    due = InboxEvent.objects.get(event_type="staff.clock_in").next_attempt_at
    assert inbox_retry_due(now=due - timedelta(seconds=1)) == []
    assert len(inbox_retry_due(now=due)) == 1
    assert Visit.objects.get().server == floor["server"]  # the held check came in behind the clock-in


@pytest.mark.django_db
def test_admin_shows_payload_and_attempts_and_a_manager_replays_a_failed_event(pos, floor, manager_user):
    pos.send("check.opened", {**OPENED, "table_label": "T9"}, at=AT, event_id="evt_t9")
    event = InboxEvent.objects.get()
    client = admin_client(manager_user)
    page = client.get(admin_url(InboxEvent, "change", event.pk)).content.decode()
    assert "unknown_table" in page and "&quot;table_label&quot;: &quot;T9&quot;" in page
    listing = client.get(admin_url(InboxEvent, "changelist")).content.decode()
    assert "evt_t9" in listing and "Replay selected" in listing

    TableFactory(section=floor["table"].section, label="T9")
    clock_in(pos)
    response = client.post(
        admin_url(InboxEvent, "changelist"), {"action": "replay", "_selected_action": [event.pk]}, follow=True
    )
    assert "Replayed: 1 processed" in response.content.decode()
    event.refresh_from_db()
    assert event.status == InboxStatus.PROCESSED and event.attempts == 2
    assert Visit.objects.get().table.label == "T9"


@pytest.mark.django_db
def test_a_host_may_not_replay(pos, floor, host_user):
    pos.send("check.opened", {**OPENED, "table_label": "T9"}, at=AT, event_id="evt_t9")
    response = admin_client(host_user).get(admin_url(InboxEvent, "changelist"))
    assert "Replay selected" not in response.content.decode()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_a_failed_event_after_its_backoff(restaurant, floor, worker, settings):  # noqa: F811
    settings.INBOX_RETRY_BASE_SECONDS = 1
    pos = PosSender(api_client_create(restaurant=restaurant, name="POS", scopes=[ApiScope.POS]))
    failed = pos.send("staff.clock_in", {"staff_id": "EMP-404"}, at=AT)
    assert failed.json()["status"] == "failed"
    event = InboxEvent.objects.get()
    StaffMemberFactory(restaurant=restaurant, pos_id="EMP-404")  # the cause goes away; the worker retries
    deadline = time.monotonic() + 60
    while InboxEvent.objects.get(pk=event.pk).status != InboxStatus.PROCESSED:
        assert time.monotonic() < deadline, InboxEvent.objects.get(pk=event.pk).error
        time.sleep(0.1)
    event.refresh_from_db()
    assert event.attempts in (2, 3) and Shift.objects.get().staff.pos_id == "EMP-404"
