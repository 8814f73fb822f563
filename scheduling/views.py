"""The schedule dashboard (managers) and a staff member's own published shifts.

The page is drawn here from the selectors (week grid, coverage heatmap, fairness, unmet requirements
with their diagnosis, the schedule's rule check); `static/js/scheduling/dashboard.js` acts through the
JSON API (generate and follow the run's progress, edit, lock, remove, add, publish) and reloads the
page to show the result, and `fairness_chart.js` draws the hours chart with the vendored Chart.js."""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import ensure_csrf_cookie

from restaurant.models import Restaurant
from restaurant.selectors import managed_restaurants, restaurants_for
from scheduling.engine import ENGINES
from scheduling.models import ScheduleStatus
from scheduling.selectors import (
    latest_run,
    latest_schedule,
    monday_of,
    published_shifts_of,
    schedules_for,
    staff_member_of,
    team_for,
    week_grid,
)
from scheduling.services import schedule_check
from staff.models import StaffRole


def _pick(request, restaurants) -> Restaurant:
    restaurants = list(restaurants)
    if not restaurants:
        raise PermissionDenied("The schedule dashboard is for owners and managers.")
    wanted = request.GET.get("restaurant")
    if not wanted:
        return restaurants[0]
    chosen = next((r for r in restaurants if str(r.pk) == wanted), None)
    if chosen is None:
        raise Http404("No such restaurant among yours.")
    return chosen


def _week(request) -> date:
    raw = request.GET.get("week")
    if raw:
        try:
            return monday_of(date.fromisoformat(raw))
        except ValueError:
            raise Http404("week must be a date, YYYY-MM-DD") from None
    return monday_of(timezone.localdate()) + timedelta(days=7)


@login_required
@ensure_csrf_cookie
def dashboard(request):
    restaurant = _pick(request, managed_restaurants(request.user))
    week_start = _week(request)
    schedule = latest_schedule(restaurant=restaurant, week_start=week_start)
    run = latest_run(restaurant=restaurant, week_start=week_start)
    check = schedule_check(schedule=schedule) if schedule is not None else {"hard": [], "soft": [], "unmet": []}
    fairness = schedule.fairness if schedule is not None else {}
    versions = schedules_for(restaurant=restaurant).filter(week_start=week_start)
    return render(
        request,
        "scheduling/dashboard.html",
        {
            "restaurant": restaurant,
            "week_start": week_start,
            "prev_week": week_start - timedelta(days=7),
            "next_week": week_start + timedelta(days=7),
            "schedule": schedule,
            "versions": versions,
            "run": run,
            "grid": week_grid(restaurant=restaurant, schedule=schedule, week_start=week_start),
            "check": check,
            "fairness": fairness,
            "team": team_for(restaurant=restaurant),
            "engines": sorted(ENGINES),
            "roles": StaffRole.choices,
            "editable": schedule is not None and schedule.status == ScheduleStatus.DRAFT,
            "chart_data": {
                "people": [
                    {k: p[k] for k in ("name", "hours", "min_hours", "max_hours", "prime_shifts")}
                    for p in fairness.get("people", [])
                ]
            },
            "page_config": {
                "apiBase": f"/api/v1/restaurants/{restaurant.pk}",
                "scheduleId": schedule.pk if schedule else None,
                "weekStart": week_start.isoformat(),
                "runId": run.pk if run and run.status in ("queued", "running") else None,
            },
        },
    )


@login_required
def my_shifts(request):
    """A staff member's own published shifts from this week on, with the reason for each."""
    restaurant = _pick(request, restaurants_for(request.user))
    member = staff_member_of(user=request.user, restaurant=restaurant)
    shifts = published_shifts_of(staff=member, since=monday_of(timezone.localdate())) if member else []
    return render(request, "scheduling/my_shifts.html", {"restaurant": restaurant, "member": member, "shifts": shifts})
