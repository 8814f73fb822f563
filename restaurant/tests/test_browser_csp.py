"""Pages under the Content-Security-Policy, in a real chromium against the real ASGI server: the floor
dashboard draws, its WebSocket connects and a change made elsewhere arrives, its Chart.js panel draws; the
staff, schedule and vision dashboards, the login page, the admin and the API docs load; and the browser
reports no violation of the policy on the way (no inline script, style block or style attribute)."""

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from floor.tests.factories import SectionFactory, TableFactory
from restaurant.services import api_client_create
from restaurant.tests.factories import UserFactory
from staff.tests.factories import ShiftFactory, StaffMemberFactory
from vision.tests.factories import CameraFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"  # what UserFactory sets
LIVE_WITHIN_MS = 2000

# Recorded from the first script of every document, before the page's own (Playwright's init scripts are
# not subject to the page's policy).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def watched_page(page):
    """The page, with every CSP violation it reports collected (events and console messages)."""
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)

    def violations() -> list[str]:
        recorded = page.evaluate("window.__cspViolations || []")
        return recorded + [text for text in console if "Content Security Policy" in text]

    page.csp_violations = violations
    return page


def log_in(page, server, username: str, next_path: str) -> None:
    page.goto(f"{server.url}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}{next_path}")


def test_the_floor_dashboard_works_under_the_policy(asgi_live_server, watched_page, host_user, restaurant):
    page = watched_page
    main = SectionFactory(restaurant=restaurant, name="Main")
    twelve = TableFactory(section=main, label="12", min_seats=2, max_seats=4, x=40, y=40, width=90, height=70)
    ana = StaffMemberFactory(restaurant=restaurant, name="Ana Lopez")
    ShiftFactory(staff=ana, section=main)
    key = api_client_create(restaurant=restaurant, name="POS", scopes=["frontend"]).key

    response = page.goto(f"{asgi_live_server.url}/accounts/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy
    log_in(page, asgi_live_server, "host", "/floor/")

    expect(page.locator("#live-status")).to_have_text("Live")  # the WebSocket connected under connect-src
    table = page.locator(f'#floor-map [data-table-id="{twelve.pk}"]')
    expect(table).to_have_class(re.compile(r"\bstate-available\b"))
    # The quote-accuracy panel is drawn by Chart.js on a canvas.
    expect(page.locator(".panel-accuracy canvas").first).to_be_attached()

    request = urllib.request.Request(
        f"{asgi_live_server.url}/api/v1/restaurants/{restaurant.pk}/tables/{twelve.pk}/seat",
        data=json.dumps({"party_size": 2, "server_id": ana.pk}).encode(),
        headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 201
        assert "no-store" in answer.headers["Cache-Control"]
    expect(table).to_have_class(re.compile(r"\bstate-occupied\b"), timeout=LIVE_WITHIN_MS)

    assert page.csp_violations() == []


def test_the_api_docs_start_under_the_policy(asgi_live_server, watched_page, manager_user):
    page = watched_page
    log_in(page, asgi_live_server, "manager", "/")
    page.goto(f"{asgi_live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Restaurant Ops API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.csp_violations() == []


def test_the_other_dashboards_load_under_the_policy(asgi_live_server, watched_page, manager_user, restaurant):
    page = watched_page
    main = SectionFactory(restaurant=restaurant, name="Main")
    TableFactory(section=main, label="12")
    ana = StaffMemberFactory(restaurant=restaurant, name="Ana Lopez")
    ShiftFactory(staff=ana, section=main)
    CameraFactory(restaurant=restaurant, name="Dining room")
    log_in(page, asgi_live_server, "manager", "/staff/")
    expect(page.get_by_text("Ana Lopez").first).to_be_visible()

    for path, drawn in (
        (f"/staff/{ana.pk}/", page.get_by_text("Ana Lopez").first),
        ("/schedule/", page.locator("main")),
        ("/vision/", page.get_by_role("article", name="Camera Dining room")),
    ):
        page.goto(f"{asgi_live_server.url}{path}")
        expect(drawn).to_be_visible()
        page.wait_for_load_state("networkidle")  # the scripts have drawn what they fetch
        assert page.csp_violations() == [], path


def test_the_admin_works_under_the_policy(asgi_live_server, watched_page, restaurant):
    page = watched_page
    UserFactory(username="root", is_staff=True, is_superuser=True)
    table = TableFactory(section=SectionFactory(restaurant=restaurant, name="Main"), label="12")
    page.goto(f"{asgi_live_server.url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{asgi_live_server.url}/admin/")

    page.goto(f"{asgi_live_server.url}/admin/floor/table/")
    expect(page.locator("#result_list")).to_contain_text("12")
    page.goto(f"{asgi_live_server.url}/admin/floor/table/{table.pk}/change/")
    page.locator("#id_section ~ .select2 .select2-selection").click()  # the autocomplete widget (select2)
    expect(page.locator(".select2-results")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.csp_violations() == []
