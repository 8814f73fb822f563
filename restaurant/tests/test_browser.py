"""A person logs in through a real chromium against a live server and lands on their home page."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # what UserFactory sets


def test_manager_logs_in_through_the_login_page_and_sees_their_restaurant(live_server, page, manager_user):
    page.goto(f"{live_server.url}/")

    # Anonymous: the home page sends them to log in, remembering where they were going.
    assert re.search(r"/accounts/login/\?next=/$", page.url)
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Welcome, manager").is_visible()
    memberships = page.get_by_role("list", name="Your restaurants")
    assert memberships.get_by_text("Home Bistro").is_visible()
    assert memberships.get_by_text("Manager").is_visible()
    # The stylesheet is served, so the page is laid out rather than bare HTML.
    assert page.locator(".topbar").evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(31, 42, 54)"


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(live_server, page, manager_user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()

    assert page.get_by_role("alert").get_by_text("Please enter a correct username and password").is_visible()
    assert page.url.startswith(f"{live_server.url}/accounts/login/")


def test_logout_button_ends_the_session(live_server, page, manager_user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/$"))
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
