"""Tonight's fairness panel and the routing settings beside the mode, in a real chromium against the real
ASGI server: the manager sets the pacing interval and the rotation basis (saved, announced), a host sees
the settings but has no form, and the panel shows the chart, the Gini, who is behind and the double seats."""

import pytest
from playwright.sync_api import expect

from floor.tests.test_browser_floor_actions import open_floor

pytestmark = pytest.mark.browser


def test_the_floor_page_shows_tonights_fairness(asgi_live_server, page, host_user, restaurant, fairness_night):
    open_floor(page, asgi_live_server, host_user)
    expect(page.locator("#fairness-summary")).to_contain_text("Gini 0.3")
    expect(page.locator("#fairness-summary")).to_contain_text("1 double seat tonight")
    behind = page.locator(f'#fairness-behind [data-staff-id="{fairness_night["ben"].pk}"]')
    expect(behind).to_contain_text("Ben Ng is 3")
    expect(behind).to_contain_text("covers behind")
    expect(page.locator("#fairness-table tr")).to_have_count(2)
    # The chart is drawn (Chart.js, vendored) with one bar per server.
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('fairness-chart'))"
        " && Chart.getChart(document.getElementById('fairness-chart')).data.labels.length === 2"
    )
    # A host reads the settings and has no form to change them.
    expect(page.locator("#routing-settings-form")).to_have_count(0)
    expect(page.locator(".floor-head")).to_contain_text(
        "A table every 5 min per server; rotation by covers per hour; tables lent across sections"
    )


def test_a_manager_sets_the_pacing_interval_and_the_rotation_basis(
    asgi_live_server, page, manager_user, restaurant, fairness_night
):
    open_floor(page, asgi_live_server, manager_user)
    form = page.locator("#routing-settings-form")
    form.locator("#pacing-minutes").fill("8")
    form.locator("#rotation-basis").select_option("turns")
    form.locator("#borrow-tables").uncheck()
    form.locator("button[type=submit]").click()
    expect(page.locator("#toast")).to_have_text(
        "Routing settings saved: a table every 8 min per server, rotation by turns, tables not lent across sections"
    )
    restaurant.refresh_from_db()
    assert restaurant.routing_config["pacing_minutes"] == 8
    assert restaurant.routing_config["rotation_basis"] == "turns"
    assert restaurant.routing_config["borrow_tables"] is False
    # Out of bounds: the server's message, nothing written.
    form.locator("#pacing-minutes").evaluate("input => input.removeAttribute('max')")
    form.locator("#pacing-minutes").fill("45")
    form.locator("button[type=submit]").click()
    expect(page.locator("#toast")).to_contain_text("pacing_minutes")
    restaurant.refresh_from_db()
    assert restaurant.routing_config["pacing_minutes"] == 8
