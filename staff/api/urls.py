from django.urls import path

from restaurant.api.routers import RESTAURANT_PREFIX, make_router
from staff.api import performance, time_clock, views

router = make_router()
router.register(f"{RESTAURANT_PREFIX}/staff", views.StaffMemberViewSet, basename="staff-member")

# The time clock and the rotation overrides, at the paths of the integrators' contract (no trailing slash).
STAFF = f"{RESTAURANT_PREFIX}/staff/<int:staff_id>"
time_clock_urls = [
    path(f"{STAFF}/clock-in", time_clock.ClockInView.as_view(), name="staff-clock-in"),
    path(f"{STAFF}/clock-out", time_clock.ClockOutView.as_view(), name="staff-clock-out"),
    path(f"{STAFF}/break-start", time_clock.BreakStartView.as_view(), name="staff-break-start"),
    path(f"{STAFF}/break-end", time_clock.BreakEndView.as_view(), name="staff-break-end"),
    path(f"{STAFF}/skip", time_clock.SkipView.as_view(), name="staff-skip"),
    path(f"{STAFF}/move", time_clock.MoveView.as_view(), name="staff-move"),
    path(f"{STAFF}/cut", time_clock.CutView.as_view(), name="staff-cut"),
    path(f"{STAFF}/uncut", time_clock.UncutView.as_view(), name="staff-uncut"),
]

# Performance: the original system's waiter paths (not nested: the waiter names its restaurant), the tier job,
# the team and the manager's tier lock.
WAITER = "waiters/<int:waiter_id>"
performance_urls = [
    path(f"{WAITER}/stats", performance.WaiterStatsView.as_view(), name="waiter-stats"),
    path(f"{WAITER}/trends", performance.WaiterTrendsView.as_view(), name="waiter-trends"),
    path(f"{WAITER}/insights", performance.WaiterInsightsView.as_view(), name="waiter-insights"),
    path(f"{WAITER}/shifts", performance.WaiterShiftsView.as_view(), name="waiter-shifts"),
    path(f"{WAITER}/dashboard", performance.WaiterDashboardView.as_view(), name="waiter-dashboard"),
    path(
        f"{RESTAURANT_PREFIX}/recalculate-tiers", performance.RecalculateTiersView.as_view(), name="recalculate-tiers"
    ),
    path(f"{RESTAURANT_PREFIX}/tier-jobs/<int:job_id>", performance.TierJobView.as_view(), name="tier-job"),
    path(f"{RESTAURANT_PREFIX}/team-performance", performance.TeamPerformanceView.as_view(), name="team-performance"),
    path(f"{STAFF}/tier", performance.StaffTierView.as_view(), name="staff-tier"),
]

urlpatterns = router.urls + time_clock_urls + performance_urls
