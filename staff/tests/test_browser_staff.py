"""The staff dashboards in a real chromium: the team page (tier chart, sorting, filtering, locking and
unlocking a tier, "Recalculate now" run by a real worker with live progress) and a staff member's own page
(cards, trend charts, insights with their source, recent shifts); a colleague's page is refused."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from restaurant.models import Role
from restaurant.tests.factories import MembershipFactory
from staff.models import StaffMember, TierJob, TierJobStatus
from staff.services.jobs import tiers_recalculate
from staff.services.llm import LLMScorer
from staff.services.metrics import period_end_for
from staff.tests.performance_setup import Floor, synthetic_team

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"  # what UserFactory sets

CHARTS = """(selector) => Array.from(document.querySelectorAll(selector)).map((canvas) => {
  const chart = window.Chart.getChart(canvas);
  return chart && {key: canvas.dataset.trendChart, labels: chart.data.labels, data: chart.data.datasets[0].data};
})"""


@pytest.fixture
def team(restaurant, staff_user):
    """Six synthetic servers and Sam (the staff login) with a few shifts; tiers computed once."""
    end = period_end_for(restaurant)
    skills = synthetic_team(restaurant, servers=6, days=20, end=end)
    sam = StaffMember.objects.get(user=staff_user)
    floor = Floor(restaurant)
    for day in (2, 5, 8):
        start = end.replace(hour=17) - timedelta(days=day)
        floor.shift(sam, start, 5)
        floor.visit(sam, start, party=3, minutes=70, subtotal="150", tip="30", items=[("dessert", 2, 8)])
    tiers_recalculate(restaurant=restaurant, period_end=end, scorer=LLMScorer(api_key=""))
    return skills, sam


def log_in(page, server, username, then):
    page.goto(f"{server.url}/accounts/login/?next={then}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def names(page):
    return page.locator("[data-team-table] tbody tr:visible td:first-child").all_inner_texts()


def test_team_page_charts_tiers_sorts_filters_and_locks_a_tier(asgi_live_server, page, manager_user, team):
    skills, sam = team
    log_in(page, asgi_live_server, "manager", "/staff/")
    page.wait_for_url(f"{asgi_live_server.url}/staff/")
    expect(page.get_by_role("heading", name="Team performance")).to_be_visible()
    expect(page.locator("[data-team-table] tbody tr")).to_have_count(7)

    chart = page.evaluate(CHARTS, "#tier-chart")[0]
    assert chart["labels"] == ["Strong", "Standard", "Developing"] and sum(chart["data"]) == 7

    page.get_by_role("button", name="Name").click()
    assert names(page) == sorted(names(page))
    page.get_by_role("button", name="Name").click()
    assert names(page) == sorted(names(page), reverse=True)
    page.get_by_role("button", name="Tier", exact=True).click()  # ascending score
    scores = [
        float(s)
        for s in page.locator("[data-team-table] tbody tr").evaluate_all("rows => rows.map(r => r.dataset.score)")
    ]
    assert scores == sorted(scores)

    page.locator('select[data-filter="tier"]').select_option("strong")
    strong = StaffMember.objects.filter(restaurant=sam.restaurant, tier="strong").count()
    expect(page.locator("[data-team-table] tbody tr:visible")).to_have_count(strong)
    page.locator('select[data-filter="tier"]').select_option("")
    expect(page.locator("[data-team-table] tbody tr:visible")).to_have_count(7)
    page.locator('select[data-filter="role"]').select_option("bartender")
    expect(page.locator("[data-team-table] tbody tr:visible")).to_have_count(0)
    expect(page.locator("[data-empty-filter]")).to_be_visible()
    page.locator('select[data-filter="role"]').select_option("server")
    expect(page.locator("[data-team-table] tbody tr:visible")).to_have_count(7)

    row = page.locator(f'tr[data-staff-id="{sam.pk}"]')
    row.get_by_label(f"Tier for {sam.name}").select_option("strong")
    row.get_by_role("button", name="Lock").click()
    expect(page.locator(f'tr[data-staff-id="{sam.pk}"] [data-locked]')).to_be_visible()
    expect(page.locator(f'tr[data-staff-id="{sam.pk}"] [data-tier-badge]')).to_have_text("Strong")
    sam.refresh_from_db()
    assert (sam.tier, sam.tier_locked) == ("strong", True)

    page.locator(f'tr[data-staff-id="{sam.pk}"]').get_by_role("button", name="Unlock").click()
    expect(page.locator(f'tr[data-staff-id="{sam.pk}"] [data-locked]')).to_have_count(0)
    sam.refresh_from_db()
    assert sam.tier_locked is False


@pytest.mark.redis
def test_recalculate_now_shows_live_progress_until_done(asgi_live_server, page, manager_user, team, worker):
    log_in(page, asgi_live_server, "manager", "/staff/")
    page.wait_for_url(f"{asgi_live_server.url}/staff/")
    page.get_by_role("button", name="Recalculate now").click()
    expect(page.locator("[data-job-status]")).to_contain_text("Done: 7 scored", timeout=60_000)
    job = TierJob.objects.get()
    assert job.status == TierJobStatus.DONE and job.requested_by == manager_user
    page.wait_for_load_state()  # the page reloads with the job's outcome
    expect(page.locator("[data-job-status]")).to_contain_text("Last job: Done", timeout=20_000)


def test_a_staff_member_sees_their_own_page_and_not_a_colleagues(asgi_live_server, page, team):
    skills, sam = team
    log_in(page, asgi_live_server, "staffer", "/staff/")
    page.wait_for_url(f"{asgi_live_server.url}/staff/{sam.pk}/")  # the team page sends them to their own
    expect(page.get_by_role("heading", name=sam.name)).to_be_visible()
    expect(page.locator('[data-stat="covers"] .stat-value')).not_to_have_text("—")
    charts = page.evaluate(CHARTS, "canvas[data-trend-chart]")
    assert len(charts) == 4 and all(len(chart["labels"]) == 6 for chart in charts)
    by_key = {chart["key"]: chart for chart in charts}
    assert sum(d or 0 for d in by_key["covers"]["data"]) == 9  # three visits of three
    assert 50 in by_key["sales_per_cover"]["data"]  # $150 for three, in the month they were served
    expect(page.locator("[data-insight-source]")).to_contain_text("Rule-based")
    expect(page.locator("[data-shift-table] tbody tr")).to_have_count(3)

    colleague = next(iter(skills))
    response = page.goto(f"{asgi_live_server.url}/staff/{colleague}/")
    assert response.status == 403


def test_a_manager_opens_a_members_page_from_the_team(asgi_live_server, page, manager_user, team):
    skills, sam = team
    log_in(page, asgi_live_server, "manager", "/staff/")
    page.get_by_role("link", name=sam.name).click()
    page.wait_for_url(f"{asgi_live_server.url}/staff/{sam.pk}/")
    expect(page.locator("[data-tier-reason]")).to_be_visible()
    expect(page.get_by_role("link", name="back to the team")).to_be_visible()


def test_a_manager_of_two_restaurants_switches_between_their_teams(
    asgi_live_server, page, manager_user, restaurant, other_restaurant, team
):
    MembershipFactory(user=manager_user, restaurant=other_restaurant, role=Role.MANAGER)
    StaffMember.objects.create(restaurant=other_restaurant, name="Rival Server")
    log_in(page, asgi_live_server, "manager", "/staff/")
    page.wait_for_url(f"{asgi_live_server.url}/staff/")
    page.get_by_label("Restaurant").select_option(str(other_restaurant.pk))
    page.wait_for_url(f"{asgi_live_server.url}/staff/?restaurant={other_restaurant.pk}")
    expect(page.locator("[data-team-table] tbody tr")).to_have_count(1)
    expect(page.get_by_role("link", name="Rival Server")).to_be_visible()
