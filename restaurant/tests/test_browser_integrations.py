"""The integrations page in a real chromium against a live server (under the CSP): a manager
reaches it from the home page, sees each endpoint's health with the reason one was turned off, recent
deliveries with their attempts, failures, the inbox with its errors and the hourly chart, and uses every
button: send a test event, turn an endpoint back on, replay a delivery, replay an inbox event."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from floor.models import MenuItem
from restaurant.celery import app
from restaurant.models import DeliveryAttempt, InboxEvent, InboxStatus, OutboxEvent, OutboxStatus
from restaurant.services.webhooks import webhook_endpoint_create

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"  # what UserFactory sets

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""

CHART_TOTALS = """() => {
  const chart = window.Chart.getChart(document.getElementById("deliveries-chart"));
  return chart && chart.data.datasets.map((set) => [set.label, set.data.reduce((a, b) => a + b, 0)]);
}"""


def delivery(endpoint, *, status, outcomes, at):
    """An outbox event with attempts that ended as `outcomes` (status codes, None for no answer)."""
    event = OutboxEvent.objects.create(
        restaurant=endpoint.restaurant,
        endpoint=endpoint,
        event_id=uuid.uuid4(),
        event_type="visit.closed",
        payload={"type": "visit.closed", "data": {"visit_id": 1}},
        status=status,
        attempts=len(outcomes),
        created_at=at,
        last_error="" if status == OutboxStatus.DELIVERED else "HTTP 502: bad gateway",
    )
    for i, code in enumerate(outcomes):
        DeliveryAttempt.objects.create(
            restaurant=endpoint.restaurant,
            outbox_event=event,
            started_at=at + timedelta(seconds=30 * i),
            duration_ms=40,
            status_code=code,
            error="" if code == 200 else f"HTTP {code}: bad gateway",
            succeeded=code == 200,
        )
    return event


@pytest.fixture
def integrations(restaurant):
    now = timezone.now() - timedelta(minutes=5)
    pos = webhook_endpoint_create(
        restaurant=restaurant, name="Main POS", url="https://pos.example.com/hook", event_types=["visit.closed"]
    ).endpoint
    crm = webhook_endpoint_create(
        restaurant=restaurant, name="Old CRM", url="https://crm.example.com/hook", event_types=["party.seated"]
    ).endpoint
    crm.active, crm.consecutive_failures = False, 20
    crm.disabled_reason = "Turned off after 20 failed deliveries in a row; the last: HTTP 410: gone"
    crm.save()
    delivered = delivery(pos, status=OutboxStatus.DELIVERED, outcomes=[502, 200], at=now)
    gave_up = delivery(pos, status=OutboxStatus.FAILED, outcomes=[502, 502, 502], at=now + timedelta(seconds=1))
    InboxEvent.objects.create(
        restaurant=restaurant,
        event_id="pos-evt-77",
        event_type="check.closed",
        status=InboxStatus.FAILED,
        error="no open check 991",
    )
    # Failed for a cause since gone (the database was restarting): its replay applies it.
    menu_event = InboxEvent.objects.create(
        restaurant=restaurant,
        event_id="pos-evt-78",
        event_type="menu.item_upserted",
        status=InboxStatus.FAILED,
        attempts=8,
        error="OperationalError: the database system is starting up",
        payload={
            "type": "menu.item_upserted",
            "timestamp": now.isoformat(),
            "data": {"menu_item_id": "M-12", "name": "Tiramisu", "category": "dessert", "price": "8.50"},
        },
    )
    yield pos, crm, delivered, gave_up, menu_event
    app.control.purge()  # the page's buttons queued deliveries no worker took


def test_a_manager_sees_the_health_and_uses_every_button(live_server, page, manager_user, integrations):
    pos, crm, delivered, gave_up, menu_event = integrations
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator("a.tile[href='/integrations/']").click()
    page.wait_for_url(f"{live_server.url}/integrations/")
    expect(page.get_by_role("heading", name="Integrations", exact=True)).to_be_visible()

    # Health: the turned-off endpoint says why; failures in a row and the last success are shown.
    crm_row = page.locator(f"[data-endpoint='{crm.pk}']")
    expect(crm_row.locator("[data-health]")).to_contain_text("Off")
    expect(crm_row.locator("[data-disabled-reason]")).to_have_text(crm.disabled_reason)
    expect(crm_row.locator("[data-consecutive-failures]")).to_have_text("20")
    pos_row = page.locator(f"[data-endpoint='{pos.pk}']")
    expect(pos_row.locator("[data-health]")).to_contain_text("Active")
    expect(pos_row.get_by_role("button", name="Turn back on")).to_have_count(0)

    # Deliveries with their attempts, the failed attempts, the inbox's error, the chart (5 failed, 1 delivered).
    gave_up_row = page.locator(f"[data-delivery='{gave_up.pk}']")
    expect(gave_up_row).to_contain_text("Failed (gave up)")
    gave_up_row.get_by_text("3 attempts").click()
    expect(gave_up_row.locator(".attempts li")).to_have_count(3)
    expect(page.locator("[data-failures] tbody tr")).to_have_count(4)
    expect(page.locator("[data-inbox]")).to_contain_text("no open check 991")
    page.wait_for_function("() => window.Chart && window.Chart.getChart(document.getElementById('deliveries-chart'))")
    assert page.evaluate(CHART_TOTALS) == [["Delivered", 1], ["Failed", 4]]

    # Send a test event: it is queued for Main POS and listed.
    pos_row.get_by_role("button", name="Send test event").click()
    expect(page.locator(".messages")).to_contain_text("A test event is on its way to Main POS")
    test_event = OutboxEvent.objects.get(event_type="webhook.test")
    expect(page.locator(f"[data-delivery='{test_event.pk}']")).to_contain_text("Pending")

    # Turn the old CRM back on: active, no reason, the failure count starts again.
    page.locator(f"[data-endpoint='{crm.pk}']").get_by_role("button", name="Turn back on").click()
    expect(page.locator(".messages")).to_contain_text("Old CRM is on again")
    crm_row = page.locator(f"[data-endpoint='{crm.pk}']")
    expect(crm_row.locator("[data-health]")).to_contain_text("Active")
    expect(crm_row.locator("[data-consecutive-failures]")).to_have_text("0")

    # Replay the delivery that gave up: pending again, due now.
    page.locator(f"[data-delivery='{gave_up.pk}']").get_by_role("button", name="Replay").click()
    expect(page.locator(".messages")).to_contain_text("will be sent again")
    expect(page.locator(f"[data-delivery='{gave_up.pk}']")).to_have_attribute("data-status", "pending")
    gave_up.refresh_from_db()
    assert gave_up.status == OutboxStatus.PENDING and gave_up.attempts == 0

    # Replay the inbox event that failed for a passing cause: applied now, and no button once processed.
    menu_row = page.locator(f"[data-inbox-event='{menu_event.pk}']")
    menu_row.get_by_role("button", name="Replay event").click()
    expect(page.locator(".messages")).to_contain_text("menu.item_upserted pos-evt-78 replayed: applied")
    menu_row = page.locator(f"[data-inbox-event='{menu_event.pk}']")
    expect(menu_row).to_have_attribute("data-status", "processed")
    expect(menu_row.get_by_role("button", name="Replay event")).to_have_count(0)
    assert MenuItem.objects.get(restaurant=menu_event.restaurant, pos_item_id="M-12").name == "Tiramisu"

    assert page.evaluate("window.__cspViolations") == []
