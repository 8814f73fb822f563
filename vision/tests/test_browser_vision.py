"""The vision dashboard in a real chromium against a live server: every action on the page (capture now,
confirm a label, correct a label, dismiss a conflict, a table's history) works through the API."""

import re

import pytest
from playwright.sync_api import expect

from restaurant.tests.factories import MembershipFactory
from vision.models import Crop, VisionConflict
from vision.services.polling import camera_poll_now
from vision.tests.factories import CameraFactory, watched_floor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # what UserFactory sets


@pytest.fixture
def floor(restaurant, camera_server, tiny_model):
    return watched_floor(restaurant, source_url=camera_server.snapshot_url(), name="Dining room")


def open_dashboard(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/?next=/vision/")
    page.get_by_label("Username").fill("host")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/vision/")


def test_capture_now_shows_the_frame_status_and_fills_the_labelling_queue(live_server, page, host_user, floor):
    camera, _ = floor
    open_dashboard(page, live_server)
    card = page.get_by_role("article", name="Camera Dining room")
    expect(card.locator('[data-role="status"]')).to_have_text("Not polled yet")
    expect(page.locator("#queue")).to_contain_text("Nothing to label")

    card.get_by_role("button", name="Capture now").click()

    expect(page.locator("#vision-toast")).to_contain_text("Captured: 3 crops, 3 predictions")
    expect(card.locator('[data-role="status"]')).to_have_text("OK")
    frame = card.get_by_role("img", name=re.compile("Last frame of Dining room"))
    expect(frame).to_be_visible()
    expect(frame).to_have_js_property("complete", True)
    assert frame.evaluate("img => img.naturalWidth") == 320  # the JPEG really loaded
    expect(page.locator("#queue .vision-crop")).to_have_count(3)
    assert page.locator("#queue img").first.evaluate("img => img.naturalWidth") > 0


def test_a_host_confirms_one_crop_and_corrects_another(live_server, page, host_user, floor):
    camera, _ = floor
    camera_poll_now(camera=camera)
    open_dashboard(page, live_server)
    items = page.locator("#queue .vision-crop")
    expect(items).to_have_count(3)

    first = items.nth(0)
    first_id = int(first.get_attribute("data-crop-id"))
    first.get_by_role("button", name="Confirm occupied").click()
    expect(page.locator(f'[data-crop-id="{first_id}"]')).to_have_count(0)
    expect(page.locator("#vision-toast")).to_contain_text("as occupied")

    second = page.locator("#queue .vision-crop").nth(0)
    second_id = int(second.get_attribute("data-crop-id"))
    second.get_by_label("Correct label").select_option("dirty")
    second.get_by_role("button", name="Save label").click()
    expect(page.locator(f'[data-crop-id="{second_id}"]')).to_have_count(0)

    labels = dict(Crop.objects.filter(pk__in=[first_id, second_id]).values_list("pk", "label"))
    assert labels == {first_id: "occupied", second_id: "dirty"}


def test_a_host_dismisses_a_conflict_and_reads_a_tables_history(live_server, page, host_user, floor, restaurant):
    camera, tables = floor
    camera_poll_now(camera=camera)
    conflict = VisionConflict.objects.create(
        restaurant=restaurant,
        table=tables[1],
        camera=camera,
        kind="occupied_without_visit",
        seen_label="occupied",
        confidence=0.9,
    )
    open_dashboard(page, live_server)
    row = page.locator(f'[data-conflict-id="{conflict.pk}"]')
    expect(row).to_contain_text("Table T2")
    row.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#conflicts")).to_contain_text("No conflicts.")
    conflict.refresh_from_db()
    assert conflict.resolved_at is not None and conflict.resolved_by.username == "host"

    page.get_by_label("Table", exact=True).select_option(label="T1")
    history = page.get_by_role("list", name="Predictions of the chosen table")
    expect(history.locator("li")).to_have_count(1)
    expect(history).to_contain_text("occupied 0.90")


def test_a_host_of_two_restaurants_switches_between_them(live_server, page, host_user, floor, other_restaurant):
    MembershipFactory(user=host_user, restaurant=other_restaurant, role="host")
    CameraFactory(restaurant=other_restaurant, name="Rival terrace")
    open_dashboard(page, live_server)
    expect(page.get_by_role("article", name="Camera Dining room")).to_be_visible()
    page.get_by_label("Restaurant").select_option(label="Rival Grill")
    page.wait_for_url(re.compile(rf"/vision/\?restaurant={other_restaurant.pk}$"))
    expect(page.get_by_role("article", name="Camera Rival terrace")).to_be_visible()
    expect(page.get_by_role("article", name="Camera Dining room")).to_have_count(0)
