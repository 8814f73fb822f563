"""A host's floor dashboard in a real chromium against the real ASGI server (uvicorn, WebSockets): a
change made elsewhere through the API shows on the open page without a reload within 2 s, and seating
the recommended table from the page works."""

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from floor.models import RoutingDecision, TableState, Visit, WaitlistStatus
from floor.tests.factories import TableFactory, WaitlistEntryFactory
from floor.tests.floor_setup import dining_room
from restaurant.services import api_client_create
from staff.tests.factories import ShiftFactory, StaffMemberFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"  # what UserFactory sets
LIVE_WITHIN_MS = 2000
TABLET = {"width": 1024, "height": 768}


@pytest.fixture
def floor(restaurant):
    main, twelve, twenty = dining_room(restaurant)
    ana = StaffMemberFactory(restaurant=restaurant, name="Ana Lopez")
    ShiftFactory(staff=ana, section=main)
    return twelve, twenty, ana


def open_floor(page, server, username: str):
    page.set_viewport_size(TABLET)
    page.goto(f"{server.url}/accounts/login/?next=/floor/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}/floor/")
    expect(page.locator("#live-status")).to_have_text("Live")  # the WebSocket is open
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads


def assert_seated_as_recommended(entry, *, table, server, party_size: int) -> None:
    """The waiting party is the one visit, seated where and with whom the routing decision said."""
    visit = Visit.objects.get()
    assert (visit.table_id, visit.server_id, visit.party_size, visit.waitlist_entry_id) == (
        table.pk,
        server.pk,
        party_size,
        entry.pk,
    )
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.SEATED
    assert RoutingDecision.objects.get(visit=visit).followed is True


def post_as_integration(server, key: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{server.url}{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 201)
        return json.loads(response.read())


def test_a_seating_made_through_the_api_appears_on_an_open_page_within_2_seconds(
    asgi_live_server, page, host_user, restaurant, floor
):
    twelve, _, ana = floor
    key = api_client_create(restaurant=restaurant, name="Other host stand", scopes=["frontend", "pos"]).key
    open_floor(page, asgi_live_server, "host")
    table = page.locator(f'#floor-map [data-table-id="{twelve.pk}"]')
    expect(table).to_have_class(re.compile(r"\bstate-available\b"))

    post_as_integration(
        asgi_live_server,
        key,
        f"/api/v1/restaurants/{restaurant.pk}/tables/{twelve.pk}/seat",
        {"party_size": 3, "server_id": ana.pk},
    )

    expect(table).to_have_class(re.compile(r"\bstate-occupied\b"), timeout=LIVE_WITHIN_MS)
    expect(table.locator(".map-sub")).to_have_text(re.compile(r"^AL 0′$"))
    # The rotation moved too: Ana now has the party's three covers.
    expect(page.locator(f'#rotation [data-staff-id="{ana.pk}"]')).to_contain_text("3 covers now")

    post_as_integration(
        asgi_live_server, key, f"/api/v1/restaurants/{restaurant.pk}/tables/{twelve.pk}/state", {"state": "dirty"}
    )

    expect(table).to_have_class(re.compile(r"\bstate-dirty\b"), timeout=LIVE_WITHIN_MS)
    assert page.evaluate("window.__sameDocument") is True


def test_a_host_seats_the_next_party_from_the_page_with_one_tap(asgi_live_server, page, host_user, restaurant, floor):
    twelve, _, ana = floor
    entry = WaitlistEntryFactory(restaurant=restaurant, party_name="Garcia", party_size=4, quoted_wait_minutes=15)
    open_floor(page, asgi_live_server, "host")

    seat_next = page.locator("#seat-next")
    expect(seat_next).to_contain_text("For Garcia · 4 guests")
    top = seat_next.get_by_role("button", name="Seat at Table 12 with Ana Lopez")
    expect(seat_next.locator(".reason")).to_contain_text("Table 12 (4-top, exact fit) with Ana: next in rotation")
    top.click()

    expect(page.locator("#toast")).to_contain_text("Garcia seated at table 12 with Ana Lopez")
    table = page.locator(f'#floor-map [data-table-id="{twelve.pk}"]')
    expect(table).to_have_class(re.compile(r"\bstate-occupied\b"), timeout=LIVE_WITHIN_MS)
    expect(page.locator("#waitlist")).to_contain_text("Nobody waiting.")
    assert_seated_as_recommended(entry, table=twelve, server=ana, party_size=4)
    twelve.refresh_from_db()
    assert twelve.state == TableState.OCCUPIED


def test_a_host_picks_another_table_on_the_map_and_seats_a_walk_in_there(
    asgi_live_server, page, host_user, restaurant, floor
):
    _, twenty, ana = floor
    open_floor(page, asgi_live_server, "host")
    page.locator("#seat-size").fill("2")
    page.get_by_role("button", name="Find a table").click()
    expect(page.locator("#seat-next")).to_contain_text("Walk-in · 2 guests")

    page.locator(f'#floor-map [data-table-id="{twenty.pk}"]').click()
    panel = page.locator("#table-panel")
    expect(panel).to_contain_text("Table 20")
    expect(panel.locator("input[name=party_size]")).to_have_value("2")
    panel.get_by_role("button", name="Seat here").click()

    expect(page.locator(f'#floor-map [data-table-id="{twenty.pk}"]')).to_have_class(
        re.compile(r"\bstate-occupied\b"), timeout=LIVE_WITHIN_MS
    )
    visit = Visit.objects.get()
    assert (visit.table_id, visit.server_id, visit.party_size) == (twenty.pk, ana.pk, 2)
    # The host did not take the top recommendation (table 12): the decision says so.
    assert RoutingDecision.objects.get(visit=visit).followed is False


def test_a_host_seats_a_large_party_at_tables_pushed_together_with_one_tap(
    asgi_live_server, page, host_user, restaurant, floor
):
    twelve, twenty, ana = floor
    main = twelve.section
    left = TableFactory(
        section=main, label="W1", max_seats=4, combinable_group="window", x=40, y=200, width=80, height=60
    )
    right = TableFactory(
        section=main, label="W2", max_seats=4, combinable_group="window", x=130, y=200, width=80, height=60
    )
    entry = WaitlistEntryFactory(restaurant=restaurant, party_name="Okafor", party_size=8, quoted_wait_minutes=20)
    open_floor(page, asgi_live_server, "host")

    seat_next = page.locator("#seat-next")
    expect(seat_next).to_contain_text("For Okafor · 8 guests")
    expect(seat_next.locator(".reason")).to_contain_text("Tables W1+W2 (pushed together, 8 seats, exact fit) with Ana")
    seat_next.get_by_role("button", name="Seat at Tables W1+W2 with Ana Lopez").click()

    expect(page.locator("#toast")).to_contain_text("Okafor seated at tables W1+W2 with Ana Lopez")
    for table in (left, right):
        drawn = page.locator(f'#floor-map [data-table-id="{table.pk}"]')
        expect(drawn).to_have_class(re.compile(r"\bstate-occupied\b.*\bis-joined\b"), timeout=LIVE_WITHIN_MS)
        expect(drawn.locator(".map-sub")).to_have_text(re.compile(r"^AL 0′$"))
    party = page.locator(f'#floor-map .map-party[data-table-ids="{left.pk},{right.pk}"]')
    expect(party.locator(".map-join")).to_have_count(1)
    expect(page.locator(f'#rotation [data-staff-id="{ana.pk}"]')).to_contain_text("8 covers now")
    visit = Visit.objects.get()
    assert ([t.pk for t in visit.tables], visit.party_size, visit.waitlist_entry_id) == (
        [left.pk, right.pk],
        8,
        entry.pk,
    )
    assert RoutingDecision.objects.get(visit=visit).followed is True

    # Clearing one of them from its panel clears the party: both go dirty, the outline goes.
    page.locator(f'#floor-map [data-table-id="{right.pk}"]').click()
    panel = page.locator("#table-panel")
    expect(panel).to_contain_text("pushed together with table W1")
    panel.get_by_role("button", name="Clear all 2 tables (party left)").click()
    for table in (left, right):
        expect(page.locator(f'#floor-map [data-table-id="{table.pk}"]')).to_have_class(
            re.compile(r"\bstate-dirty\b"), timeout=LIVE_WITHIN_MS
        )
    expect(page.locator("#floor-map .map-party")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True


def test_seat_next_offers_the_first_party_that_fits_and_says_why_those_ahead_wait(
    asgi_live_server, page, host_user, restaurant, floor
):
    twelve, _, ana = floor
    vance = WaitlistEntryFactory(restaurant=restaurant, party_name="Vance", party_size=9, quoted_wait_minutes=40)
    garcia = WaitlistEntryFactory(restaurant=restaurant, party_name="Garcia", party_size=4, quoted_wait_minutes=15)
    open_floor(page, asgi_live_server, "host")

    seat_next = page.locator("#seat-next")
    expect(seat_next).to_contain_text("For Garcia · 4 guests #2 on the list")
    expect(seat_next.locator(".passed-over")).to_have_text(
        "Ahead, still waiting: Vance (9): no table or combination of tables seats 9 (largest table: 6)"
    )
    seat_next.get_by_role("button", name="Seat at Table 12 with Ana Lopez").click()

    expect(page.locator("#toast")).to_contain_text("Garcia seated at table 12 with Ana Lopez")
    expect(page.locator(f'#floor-map [data-table-id="{twelve.pk}"]')).to_have_class(
        re.compile(r"\bstate-occupied\b"), timeout=LIVE_WITHIN_MS
    )
    # Vance is next in line again, and the panel says why he still waits.
    expect(seat_next).to_contain_text("For Vance · 9 guests #1 on the list")
    expect(seat_next.locator(".no-fit")).to_have_text(
        "Nothing fits now: no table or combination of tables seats 9 (largest table: 6)."
    )
    assert_seated_as_recommended(garcia, table=twelve, server=ana, party_size=4)
    vance.refresh_from_db()
    assert vance.status == WaitlistStatus.WAITING
    assert page.evaluate("window.__sameDocument") is True


def test_typing_a_size_still_routes_a_walk_in_while_parties_wait(asgi_live_server, page, host_user, restaurant, floor):
    _, twenty, ana = floor
    WaitlistEntryFactory(restaurant=restaurant, party_name="Garcia", party_size=4, quoted_wait_minutes=15)
    open_floor(page, asgi_live_server, "host")
    expect(page.locator("#seat-next")).to_contain_text("For Garcia · 4 guests")

    page.locator("#seat-size").fill("6")
    page.get_by_role("button", name="Find a table").click()

    seat_next = page.locator("#seat-next")
    expect(seat_next).to_contain_text("For Walk-in · 6 guests")
    seat_next.get_by_role("button", name="Seat at Table 20 with Ana Lopez").click()
    expect(page.locator("#toast")).to_contain_text("Party of 6 seated at table 20 with Ana Lopez")
    visit = Visit.objects.get()
    assert (visit.table_id, visit.server_id, visit.party_size, visit.waitlist_entry_id) == (twenty.pk, ana.pk, 6, None)
    # Back to the list: Garcia fits the 4-top still free.
    expect(seat_next).to_contain_text("For Garcia · 4 guests #1 on the list")
