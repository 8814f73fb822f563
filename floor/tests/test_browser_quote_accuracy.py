"""The floor dashboard's quote-accuracy panel in a real chromium: the vendored Chart.js loads, draws quoted
against actual wait per bucket for today, and the "Last 4 weeks" button switches both charts to that period."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from floor.models import WaitlistStatus
from floor.tests.factories import WaitlistEntryFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"  # what UserFactory sets
TABLET = {"width": 1024, "height": 768}

CHART_STATE = """() => Array.from(document.querySelectorAll("canvas[data-accuracy-chart]")).map((canvas) => {
  const chart = window.Chart.getChart(canvas);
  return chart && {
    key: canvas.dataset.accuracyChart,
    labels: chart.data.labels,
    series: chart.data.datasets.map((dataset) => [dataset.label, dataset.data]),
    height: canvas.clientHeight,
  };
})"""


def seated(restaurant, *, size: int, quoted: int, arrived: datetime, waited: int):
    return WaitlistEntryFactory(
        restaurant=restaurant,
        party_size=size,
        status=WaitlistStatus.SEATED,
        quoted_wait_minutes=quoted,
        added_at=arrived,
        seated_at=arrived + timedelta(minutes=waited),
    )


@pytest.fixture
def history(restaurant):
    """Two parties seated today (sizes 2 and 4) and three more earlier this month (sizes 2, 6 and 8, at
    local noon 3, 10 and 20 days ago). Returns the local hours of arrival: today's, and the four weeks'."""
    zone = ZoneInfo(restaurant.timezone)
    now = timezone.now()
    midnight = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    # Today's parties arrived after local midnight even when the test runs just after it.
    today = [max(now - timedelta(minutes=minutes), midnight + timedelta(seconds=1)) for minutes in (40, 5)]
    seated(restaurant, size=2, quoted=15, arrived=today[0], waited=25)
    seated(restaurant, size=4, quoted=10, arrived=today[1], waited=4)
    for days, size in ((3, 2), (10, 6), (20, 8)):
        noon = (midnight.replace(tzinfo=None) - timedelta(days=days)).replace(hour=12, tzinfo=zone)
        seated(restaurant, size=size, quoted=20, arrived=noon, waited=30)
    today_hours = {arrived.astimezone(zone).hour for arrived in today}
    return SimpleNamespace(today_hours=sorted(today_hours), weeks_hours=sorted(today_hours | {12}))


def open_floor(page, server):
    page.set_viewport_size(TABLET)
    page.goto(f"{server.url}/accounts/login/?next=/floor/")
    page.get_by_label("Username").fill("host")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/floor/")


def test_chart_js_draws_today_and_the_last_four_weeks_on_the_floor_page(
    asgi_live_server, page, host_user, restaurant, history
):
    open_floor(page, asgi_live_server)
    panel = page.locator(".panel-accuracy")
    expect(panel.get_by_role("button", name="Today")).to_have_attribute("aria-pressed", "true")

    assert page.evaluate("typeof window.Chart") == "function"
    assert page.evaluate("window.Chart.version").startswith("4.")
    today = {chart["key"]: chart for chart in page.evaluate(CHART_STATE)}
    assert today["by_party_size"]["labels"] == ["1-2", "3-4"]
    assert today["by_party_size"]["series"] == [["Quoted", [15, 10]], ["Actual wait", [25, 4]]]
    assert today["by_hour"]["labels"] == [f"{hour:02d}:00" for hour in history.today_hours]
    assert all(chart["height"] > 100 for chart in today.values())  # drawn at its box's size, not collapsed
    expect(panel.locator("[data-accuracy-panel=weeks]")).to_be_hidden()

    panel.get_by_role("button", name="Last 4 weeks").click()

    expect(panel.get_by_role("button", name="Last 4 weeks")).to_have_attribute("aria-pressed", "true")
    expect(panel.get_by_role("button", name="Today")).to_have_attribute("aria-pressed", "false")
    expect(panel.locator("[data-accuracy-panel=weeks]")).to_contain_text("5 seated parties")
    weeks = {chart["key"]: chart for chart in page.evaluate(CHART_STATE)}
    assert weeks["by_party_size"]["labels"] == ["1-2", "3-4", "5-6", "7+"]
    assert weeks["by_party_size"]["series"][0] == ["Quoted", [17.5, 10, 20, 20]]
    assert weeks["by_hour"]["labels"] == [f"{hour:02d}:00" for hour in history.weeks_hours]
    # The tables stay for screen readers: the table of the period shown is in the accessibility tree.
    expect(panel.get_by_role("table", name="By party size · Last 4 weeks")).to_be_attached()
