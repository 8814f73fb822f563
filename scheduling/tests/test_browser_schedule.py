"""The schedule dashboard in a real chromium: generate (a real Celery worker runs it while the page
follows its progress), edit, lock, add and remove shifts with the rule check shown as you go, publish;
and a staff member keeping their availability in admin and seeing their published shifts."""

import pytest
from playwright.sync_api import expect

from conftest import require
from scheduling.models import Schedule, ScheduleItem, StaffAvailability
from scheduling.services import SchedulingEngine, schedule_publish
from scheduling.tests.week_setup import WEEK, small_week
from staff.models import StaffMember

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"  # what UserFactory sets
DESKTOP = {"width": 1400, "height": 1000}
DASHBOARD = "/schedule/?week=2026-12-07"


def log_in(page, server, username: str, next_url: str):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{server.url}/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server.url}{next_url}")


def test_manager_generates_a_draft_and_follows_the_run_to_the_grid_and_fairness_chart(
    asgi_live_server, page, manager_user, restaurant, settings, using_postgres, redis_url
):
    from celery.contrib.testing.worker import start_worker

    from restaurant.celery import app

    require(settings.CELERY_BROKER_URL.startswith("redis://"), "Redis as the Celery broker")
    small_week(restaurant)
    app.conf.broker_url = settings.CELERY_BROKER_URL
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        log_in(page, asgi_live_server, "manager", DASHBOARD)
        expect(page.get_by_role("heading", name="No schedule yet")).to_be_visible()
        page.get_by_label("Engine").select_option("cpsat")
        page.get_by_label("Time limit (s)").fill("3")
        page.get_by_role("button", name="Generate a draft").click()
        expect(page.locator("#run-status")).to_be_visible()
        # The page follows the run and reloads on success; the note says what the engine found.
        expect(page.locator("#sched-toast")).to_contain_text("Draft ready (cpsat ", timeout=60_000)
    expect(page.get_by_role("heading", name="Version 1 Draft")).to_be_visible()
    schedule = Schedule.objects.get(restaurant=restaurant)
    chips = page.locator(".chip[data-item-id]")
    expect(chips).to_have_count(schedule.items.count())
    # A reason on hover for every shift.
    first = ScheduleItem.objects.filter(schedule=schedule).select_related("reasoning").first()
    expect(page.locator(f'.chip[data-item-id="{first.pk}"]')).to_have_attribute("title", first.reasoning.summary)
    # Coverage heatmap: every block met or coloured by how short it is.
    assert page.locator(".block.level-met").count() > 0
    expect(page.locator("#fairness-figures")).to_contain_text("Gini of hours")
    expect(page.locator("#hours-chart")).to_have_attribute("data-chart-ready", "3")


def test_manager_edits_locks_adds_removes_and_publishes(asgi_live_server, page, manager_user, restaurant):
    small_week(restaurant)
    draft = SchedulingEngine(restaurant, engine="greedy").generate(WEEK).schedule
    log_in(page, asgi_live_server, "manager", DASHBOARD)
    expect(page.locator("#check-panel")).to_contain_text("No rule broken")

    # Lock a shift: kept when the engine runs again.
    item = draft.items.filter(role="server").order_by("date", "day_part").first()
    page.locator(f'.chip[data-item-id="{item.pk}"]').click()
    expect(page.locator("#edit-panel")).to_be_visible()
    page.get_by_label("Locked (kept when the engine runs again)").check()
    page.locator("#edit-save").click()
    expect(page.locator("#sched-toast")).to_contain_text("Shift saved. No rule broken.")
    expect(page.locator(f'.chip[data-item-id="{item.pk}"]')).to_have_class("chip chip-locked")
    item.refresh_from_db()
    assert item.locked

    # Add a shift that breaks a rule: saved, flagged at once, and publishing is refused until it goes.
    ana = StaffMember.objects.get(name="Ana Alvarez")
    ScheduleItem.objects.filter(schedule=draft, staff=ana, date=WEEK).delete()
    page.reload()
    page.locator("#add-staff").select_option(str(ana.pk))
    page.locator("#add-date").select_option("2026-12-07")
    page.locator("#add-day-part").select_option("lunch")
    page.locator("#add-role").select_option("server")
    page.get_by_role("button", name="Add shift").click()
    expect(page.locator("#sched-toast")).to_contain_text("Ana Alvarez is not available Monday")
    expect(page.locator(".check-hard")).to_contain_text("Ana Alvarez is not available Monday")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#sched-toast")).to_contain_text("rule(s) broken")
    assert Schedule.objects.get(pk=draft.pk).status == "draft"

    # Remove it again, then publish.
    added = ScheduleItem.objects.get(schedule=draft, staff=ana, date=WEEK)
    page.locator(f'.chip[data-item-id="{added.pk}"]').click()
    page.get_by_role("button", name="Remove shift").click()
    expect(page.locator("#sched-toast")).to_contain_text("Shift removed.")
    expect(page.locator(f'.chip[data-item-id="{added.pk}"]')).to_have_count(0)
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#sched-toast")).to_contain_text("Version 1 published")
    expect(page.locator("#schedule-status")).to_have_text("Published")
    draft.refresh_from_db()
    assert draft.status == "published"
    assert list(draft.audit.values_list("action", flat=True))[:1] == ["published"]


def test_manager_moves_a_shift_to_another_day_part(asgi_live_server, page, manager_user, restaurant):
    small_week(restaurant)
    draft = SchedulingEngine(restaurant, engine="greedy").generate(WEEK).schedule
    item = draft.items.filter(role="server", day_part="lunch").first()
    ScheduleItem.objects.filter(schedule=draft, staff=item.staff, date=item.date).exclude(pk=item.pk).delete()
    log_in(page, asgi_live_server, "manager", DASHBOARD)
    page.locator(f'.chip[data-item-id="{item.pk}"]').click()
    page.locator("#edit-day-part").select_option("dinner")
    page.locator("#edit-save").click()
    expect(page.locator("#sched-toast")).to_contain_text("Shift saved.")
    moved = page.locator(f'.block[data-day-part="dinner"][data-date="{item.date}"] .chip[data-item-id="{item.pk}"]')
    expect(moved).to_have_count(1)

    # Cancel closes the editor without a change; the week links move between weeks.
    page.locator(f'.chip[data-item-id="{item.pk}"]').click()
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#edit-panel")).to_be_hidden()
    page.get_by_role("link", name="next week →").click()
    expect(page.locator(".sched-week")).to_have_text("week of Mon 14 Dec 2026")
    expect(page.get_by_role("heading", name="No schedule yet")).to_be_visible()
    page.get_by_role("link", name="← previous week").click()
    expect(page.locator(f'.chip[data-item-id="{item.pk}"]')).to_have_count(1)


def test_staff_member_edits_availability_in_admin_and_sees_their_published_shifts(
    asgi_live_server, page, staff_user, restaurant
):
    sam = StaffMember.objects.get(user=staff_user)
    small_week(restaurant, extra_staff=[sam])
    schedule = SchedulingEngine(restaurant, engine="greedy").generate(WEEK).schedule
    ScheduleItem.objects.filter(schedule=schedule, staff=sam).delete()
    ScheduleItem.objects.create(
        schedule=schedule,
        staff=sam,
        date=WEEK,
        day_part="dinner",
        role="server",
        start_time="17:00",
        end_time="23:00",
    )
    schedule_publish(schedule=schedule, force_check=False)
    staff_user.is_staff = True
    staff_user.save(update_fields=["is_staff"])

    log_in(page, asgi_live_server, "staffer", "/admin/scheduling/staffavailability/add/")
    page.locator("#id_weekday").select_option("2")
    page.locator("#id_start_time").fill("10:00")
    page.locator("#id_end_time").fill("18:00")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert StaffAvailability.objects.filter(staff=sam, weekday=2).exists()

    page.goto(f"{asgi_live_server.url}/schedule/mine/?restaurant={restaurant.pk}")
    rows = page.locator("#my-shifts tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("dinner")
    expect(rows.first).to_contain_text("17:00–23:00")
