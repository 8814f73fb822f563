from django.urls import path

from restaurant.api.routers import RESTAURANT_PREFIX, make_router
from scheduling.api import views

router = make_router()
router.register(f"{RESTAURANT_PREFIX}/availability", views.StaffAvailabilityViewSet, basename="availability")
router.register(f"{RESTAURANT_PREFIX}/time-off", views.TimeOffViewSet, basename="time-off")
router.register(
    f"{RESTAURANT_PREFIX}/staffing-requirements", views.StaffingRequirementViewSet, basename="staffing-requirement"
)
router.register(f"{RESTAURANT_PREFIX}/schedules", views.ScheduleViewSet, basename="schedule")
router.register(
    f"{RESTAURANT_PREFIX}/schedules/<int:schedule_id>/items", views.ScheduleItemViewSet, basename="schedule-item"
)

SCHEDULE = f"{RESTAURANT_PREFIX}/schedules/<int:pk>"

urlpatterns = [
    path(f"{RESTAURANT_PREFIX}/schedules/run", views.RunView.as_view(), name="schedule-run"),
    path(f"{RESTAURANT_PREFIX}/schedules/runs/<int:run_id>", views.RunStatusView.as_view(), name="schedule-run-status"),
    # A schedule's actions, at the original paths (no trailing slash).
    path(f"{SCHEDULE}/publish", views.ScheduleViewSet.as_view({"post": "publish"}), name="schedule-publish"),
    path(f"{SCHEDULE}/audit", views.ScheduleViewSet.as_view({"get": "audit"}), name="schedule-audit"),
    path(f"{SCHEDULE}/check", views.ScheduleViewSet.as_view({"get": "check"}), name="schedule-check"),
    path(f"{RESTAURANT_PREFIX}/schedules/forecast", views.ForecastView.as_view(), name="schedule-forecast"),
    path(
        f"{RESTAURANT_PREFIX}/staff/<int:staff_id>/preferences",
        views.StaffPreferenceView.as_view(),
        name="staff-preferences",
    ),
    *router.urls,
]
