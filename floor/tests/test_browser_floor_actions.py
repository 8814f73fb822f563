"""Every action of the floor page, driven in a real chromium against the real ASGI server (uvicorn,
WebSockets): the rotation controls, breaks, the time clock, the waitlist, the mode switch, clearing and
bussing, table states (blocking is a manager's), and the page's reconnection after the server restarts.
Each test checks the outcome in the database and on the page; every wait is on a condition.

Seating from the page is in test_browser_floor.py."""

import json
import re
import urllib.request

import pytest
from django.test import Client
from playwright.sync_api import expect

from floor.models import TableState, TableStateChange, Visit, WaitlistEntry, WaitlistStatus
from floor.services.seating import table_seat
from floor.tests.factories import WaitlistEntryFactory
from floor.tests.floor_setup import dining_room
from restaurant.asgi import application
from restaurant.models import RoutingMode
from restaurant.services import api_client_create
from staff.models import Shift, ShiftBreak, StaffRole
from staff.tests.factories import ShiftFactory, StaffMemberFactory

pytestmark = pytest.mark.browser

TABLET = {"width": 1024, "height": 768}


@pytest.fixture
def floor(restaurant):
    """Two tables in Main, Ana and Ben serving it, a busser on the floor, and Carla off the floor."""
    main, twelve, twenty = dining_room(restaurant)
    ana = StaffMemberFactory(restaurant=restaurant, name="Ana Lopez")
    ben = StaffMemberFactory(restaurant=restaurant, name="Ben Ng")
    for server in (ana, ben):
        ShiftFactory(staff=server, section=main)
    busser = StaffMemberFactory(restaurant=restaurant, name="Bo Busser", role=StaffRole.BUSSER)
    ShiftFactory(staff=busser)
    carla = StaffMemberFactory(restaurant=restaurant, name="Carla Diaz")
    return {"main": main, "12": twelve, "20": twenty, "ana": ana, "ben": ben, "busser": busser, "carla": carla}


def open_floor(page, server, user):
    """The floor page in a logged-in session (the login form itself is exercised in test_browser_floor.py)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}])
    page.set_viewport_size(TABLET)
    page.goto(f"{server.url}/floor/")
    expect(page.locator("#live-status")).to_have_text("Live")  # the WebSocket is open
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    return page


def staff_row(page, staff):
    return page.locator(f'[data-staff-id="{staff.pk}"]')


def button(scope, name):
    return scope.get_by_role("button", name=name, exact=True)


def shift_of(staff) -> Shift:
    return Shift.objects.filter(staff=staff).latest("clock_in")


def test_the_rotation_controls_skip_move_cut_and_uncut_a_server(asgi_live_server, page, host_user, floor):
    ana, ben = floor["ana"], floor["ben"]
    open_floor(page, asgi_live_server, host_user)
    toast = page.locator("#toast")

    button(staff_row(page, ana), "Skip").click()
    expect(toast).to_have_text("Ana Lopez skipped once")
    assert shift_of(ana).skip_next is True
    expect(staff_row(page, ana)).to_contain_text("skipped once")
    expect(button(staff_row(page, ana), "Skip")).to_have_count(0)

    button(staff_row(page, ben), "Move Ben Ng down").click()
    expect(toast).to_have_text("Ben Ng moved")
    assert shift_of(ben).rotation_offset == 1
    expect(staff_row(page, ben)).to_contain_text("moved down 1")
    button(staff_row(page, ben), "Reset").click()
    expect(staff_row(page, ben)).not_to_contain_text("moved")
    assert shift_of(ben).rotation_offset == 0

    button(staff_row(page, ana), "Cut").click()
    expect(toast).to_have_text("Ana Lopez cut: no new parties")
    assert shift_of(ana).cut is True
    expect(staff_row(page, ana)).to_have_class(re.compile(r"\bis-out\b"))
    expect(staff_row(page, ana).locator(".chip-cut")).to_have_text("cut")
    expect(staff_row(page, ana).locator(".pos")).to_have_text("–")  # out of the rotation

    button(staff_row(page, ana), "Uncut").click()
    expect(toast).to_have_text("Ana Lopez back in the rotation")
    assert shift_of(ana).cut is False
    expect(staff_row(page, ana).locator(".chip-cut")).to_have_count(0)
    expect(staff_row(page, ana)).not_to_have_class(re.compile(r"\bis-out\b"))
    assert page.evaluate("window.__sameDocument") is True


def test_clocking_in_taking_a_break_and_clocking_out(asgi_live_server, page, host_user, floor):
    carla, busser = floor["carla"], floor["busser"]
    open_floor(page, asgi_live_server, host_user)
    toast = page.locator("#toast")
    form = page.locator("#clock-in-form")

    form.locator("select[name=staff_id]").select_option(label="Carla Diaz")
    form.locator("select[name=section_id]").select_option(label="Main")
    button(form, "Clock in").click()
    expect(toast).to_have_text("Carla Diaz clocked in")
    shift = Shift.objects.get(staff=carla, clock_out__isnull=True)
    assert (shift.role, shift.section_id) == (StaffRole.SERVER, floor["main"].pk)
    row = page.locator(f'#rotation [data-staff-id="{carla.pk}"]')
    expect(row).to_contain_text("Carla Diaz Main")
    expect(form.locator("select[name=staff_id] option")).to_have_count(0)  # everyone is in: no form

    button(row, "Break").click()
    expect(toast).to_have_text("Carla Diaz on break")
    assert ShiftBreak.objects.get(shift=shift).ended_at is None
    expect(row.locator(".chip-break")).to_have_text("on break")

    button(row, "End break").click()
    expect(toast).to_have_text("Carla Diaz back from break")
    assert ShiftBreak.objects.get(shift=shift).ended_at is not None
    expect(row.locator(".chip-break")).to_have_count(0)

    button(row, "Clock out").click()
    expect(toast).to_have_text("Carla Diaz clocked out")
    shift.refresh_from_db()
    assert shift.clock_out is not None
    expect(row).to_have_count(0)
    expect(page.locator("#clock-in-form select[name=staff_id]")).to_contain_text("Carla Diaz")

    # Someone who takes no tables has the same controls, under "Also on the floor".
    support = page.locator(f'#clock [data-staff-id="{busser.pk}"]')
    button(support, "Break").click()
    expect(support.locator(".chip-break")).to_have_text("on break")
    assert ShiftBreak.objects.filter(shift__staff=busser, ended_at__isnull=True).count() == 1
    assert page.evaluate("window.__sameDocument") is True


def test_the_waitlist_adds_notifies_cancels_and_marks_no_shows(asgi_live_server, page, host_user, restaurant, floor):
    lee = WaitlistEntryFactory(restaurant=restaurant, party_name="Lee", party_size=2, quoted_wait_minutes=10)
    moss = WaitlistEntryFactory(restaurant=restaurant, party_name="Moss", party_size=5, quoted_wait_minutes=20)
    open_floor(page, asgi_live_server, host_user)
    toast = page.locator("#toast")

    page.locator("#add-party summary").click()
    page.locator("#party-name").fill("Kim")
    page.locator("#party-size").fill("3")
    page.locator("#party-phone").fill("555-0100")
    page.locator("#party-feature").select_option(label="Booth")
    page.get_by_role("button", name="Add to waitlist").click()
    expect(toast).to_contain_text("Kim added: #3, quoted")
    kim = WaitlistEntry.objects.get(party_name="Kim")
    assert (kim.party_size, kim.phone, kim.preferences, kim.status) == (3, "555-0100", {"feature": "booth"}, "waiting")
    kim_row = page.locator(f'#waitlist [data-entry-id="{kim.pk}"]')
    expect(kim_row).to_contain_text("Kim · 3 Booth")
    expect(page.locator("#waitlist-count")).to_have_text("3 parties · 10 guests")

    button(kim_row, "Notify").click()
    expect(toast).to_have_text("Kim notified")
    kim.refresh_from_db()
    assert (kim.status, kim.notified_at is not None) == (WaitlistStatus.NOTIFIED, True)
    expect(kim_row.locator(".chip-notified")).to_have_text("notified")
    expect(button(kim_row, "Notify")).to_have_count(0)

    button(page.locator(f'#waitlist [data-entry-id="{lee.pk}"]'), "Cancel").click()
    expect(toast).to_have_text("Lee taken off the list")
    button(page.locator(f'#waitlist [data-entry-id="{moss.pk}"]'), "No-show").click()
    expect(toast).to_have_text("Moss marked a no-show")
    expect(page.locator("#waitlist [data-entry-id]")).to_have_count(1)
    expect(page.locator("#waitlist .pos")).to_have_text("1")  # Kim moved up to first
    lee.refresh_from_db()
    moss.refresh_from_db()
    assert (lee.status, moss.status) == (WaitlistStatus.CANCELLED, WaitlistStatus.NO_SHOW)
    assert page.evaluate("window.__sameDocument") is True


def test_a_manager_switches_the_routing_mode_and_a_host_sees_it_but_has_no_switch(
    asgi_live_server, page, browser, manager_user, host_user, restaurant, floor
):
    host_page = open_floor(browser.new_context().new_page(), asgi_live_server, host_user)
    open_floor(page, asgi_live_server, manager_user)

    page.locator("#mode-select").select_option(label="Balanced covers")
    expect(page.locator("#toast")).to_have_text("Routing mode: Balanced covers")
    restaurant.refresh_from_db()
    assert restaurant.routing_mode == RoutingMode.BALANCED
    # The host's page follows live, as a label: no switch to use.
    expect(host_page.locator("#mode-label")).to_have_text("Balanced covers")
    expect(host_page.locator("#mode-select")).to_have_count(0)
    # Not through the API either.
    status = host_page.evaluate(
        """async (url) => {
            const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const response = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json",
                "X-CSRFToken": token}, body: JSON.stringify({mode: "performance"})});
            return response.status;
        }""",
        f"/api/v1/restaurants/{restaurant.pk}/mode",
    )
    assert status == 403
    restaurant.refresh_from_db()
    assert restaurant.routing_mode == RoutingMode.BALANCED
    host_page.context.close()


def test_a_host_clears_a_table_the_party_left_and_then_busses_it(asgi_live_server, page, host_user, restaurant, floor):
    twelve = floor["12"]
    visit = table_seat(restaurant=restaurant, table=twelve, party_size=3, server=floor["ana"])
    open_floor(page, asgi_live_server, host_user)
    drawn = page.locator(f'#floor-map [data-table-id="{twelve.pk}"]')
    panel = page.locator("#table-panel")

    drawn.click()
    expect(panel).to_contain_text("Party of 3 with Ana Lopez, seated 0 min ago.")
    button(panel, "Clear (party left)").click()
    expect(page.locator("#toast")).to_have_text("Table cleared: it is dirty until bussed")
    visit.refresh_from_db()
    twelve.refresh_from_db()
    assert (visit.closed_at is not None, twelve.state) == (True, TableState.DIRTY)
    expect(drawn).to_have_class(re.compile(r"\bstate-dirty\b"))

    button(panel, "Bussed").click()
    expect(page.locator("#toast")).to_have_text("Table bussed: available")
    twelve.refresh_from_db()
    assert twelve.state == TableState.AVAILABLE
    expect(drawn).to_have_class(re.compile(r"\bstate-available\b"))
    expect(panel.locator("form.seat-here")).to_be_visible()  # free again: it can be seated
    assert page.evaluate("window.__sameDocument") is True


def test_table_states_and_blocking_which_only_a_manager_may_do(
    asgi_live_server, page, browser, manager_user, host_user, restaurant, floor
):
    twelve, twenty = floor["12"], floor["20"]
    twelve.state = TableState.BLOCKED
    twelve.save(update_fields=["state"])
    host_page = open_floor(browser.new_context().new_page(), asgi_live_server, host_user)
    open_floor(page, asgi_live_server, manager_user)
    panel = page.locator("#table-panel")
    drawn = page.locator(f'#floor-map [data-table-id="{twenty.pk}"]')

    drawn.click()
    button(panel, "Mark reserved").click()
    expect(drawn).to_have_class(re.compile(r"\bstate-reserved\b"))
    twenty.refresh_from_db()
    assert twenty.state == TableState.RESERVED

    button(panel, "Mark blocked").click()
    expect(page.locator("#toast")).to_have_text("Table marked blocked")
    expect(drawn).to_have_class(re.compile(r"\bstate-blocked\b"))
    change = TableStateChange.objects.filter(table=twenty).first()  # newest first
    assert (change.from_state, change.to_state, change.actor_id) == ("reserved", "blocked", manager_user.pk)

    button(panel, "Mark available").click()  # unblock
    expect(drawn).to_have_class(re.compile(r"\bstate-available\b"))
    twenty.refresh_from_db()
    assert twenty.state == TableState.AVAILABLE

    # The host may reserve, but neither block a table nor unblock one: no such button.
    host_panel = host_page.locator("#table-panel")
    host_page.locator(f'#floor-map [data-table-id="{twenty.pk}"]').click()
    expect(button(host_panel, "Mark reserved")).to_be_visible()
    expect(button(host_panel, "Mark blocked")).to_have_count(0)
    host_page.locator(f'#floor-map [data-table-id="{twelve.pk}"]').click()
    expect(host_panel.locator("h3")).to_have_text("Table 12")
    expect(host_panel.locator(".chip")).to_have_text(re.compile(r"^Blocked · \d+ min$"))
    expect(host_panel.locator(".actions")).to_have_count(0)
    twelve.refresh_from_db()
    assert twelve.state == TableState.BLOCKED
    host_page.context.close()


def test_the_page_reconnects_after_the_server_restarts_and_shows_what_changed(
    asgi_live_server, page, host_user, restaurant, floor
):
    twelve, ana = floor["12"], floor["ana"]
    key = api_client_create(restaurant=restaurant, name="Other host stand", scopes=["frontend"]).key
    open_floor(page, asgi_live_server, host_user)
    status = page.locator("#live-status")

    asgi_live_server.stop()
    expect(status).to_have_text("Reconnecting…")
    asgi_live_server.start()  # a new server on the same port
    expect(status).to_have_text("Live", timeout=20_000)  # backoff: 0.5 s, 1 s, 2 s ... after the drop

    request = urllib.request.Request(
        f"{asgi_live_server.url}/api/v1/restaurants/{restaurant.pk}/tables/{twelve.pk}/seat",
        data=json.dumps({"party_size": 2, "server_id": ana.pk}).encode(),
        headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
    visit = Visit.objects.get(table=twelve)
    assert (visit.party_size, visit.server_id, visit.closed_at) == (2, ana.pk, None)

    drawn = page.locator(f'#floor-map [data-table-id="{twelve.pk}"]')
    expect(drawn).to_have_class(re.compile(r"\bstate-occupied\b"))
    expect(drawn.locator(".map-sub")).to_have_text("AL 0′")
    assert page.evaluate("window.__sameDocument") is True


def with_policy(application, policy: str):
    """The ASGI application with a Content-Security-Policy header on every HTTP response."""

    async def app(scope, receive, send):
        async def send_with_policy(message):
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (b"content-security-policy", policy.encode())]
                message = {**message, "headers": headers}
            await send(message)

        await application(scope, receive, send_with_policy if scope["type"] == "http" else send)

    return app


def test_the_page_works_under_a_strict_content_security_policy_and_shows_names_as_text(
    asgi_live_server, page, host_user, restaurant, floor
):
    """No inline script, no inline style, no eval: the policy the project's hardening adds, set here by a
    server of this test's own, so this test holds whatever the settings say."""
    WaitlistEntryFactory(restaurant=restaurant, party_name='<img src=x id="injected">', party_size=2)
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'"
    )
    strict = type(asgi_live_server)(with_policy(application, policy))  # conftest's AsgiLiveServer
    strict.start()
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Security Policy" in message.text else None)
    try:
        open_floor(page, strict, host_user)

        twenty = floor["20"]
        page.locator(f'#floor-map [data-table-id="{twenty.pk}"]').click()  # the panel, the section colours
        expect(page.locator("#table-panel")).to_contain_text("Table 20")
        row = page.locator("#waitlist [data-entry-id]")
        expect(row.locator("strong")).to_have_text('<img src=x id="injected">')
        expect(page.locator("#injected")).to_have_count(0)
        button(row, "Notify").click()
        expect(row.locator(".chip-notified")).to_have_text("notified")
        assert WaitlistEntry.objects.get().status == WaitlistStatus.NOTIFIED
        assert refused == []
    finally:
        strict.stop()
