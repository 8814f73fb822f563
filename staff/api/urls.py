from django.urls import path

from restaurant.api.routers import RESTAURANT_PREFIX, make_router
from staff.api import time_clock, views

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

urlpatterns = router.urls + time_clock_urls
