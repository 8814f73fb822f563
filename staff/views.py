"""The staff dashboards: the team page (managers) and one page per staff member (managers, and the
member themselves). Rendered with their data embedded (json_script) for static/js/staff/*.js to chart with
the vendored Chart.js; actions (recalculate now, lock a tier) go through the JSON API."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import ensure_csrf_cookie

from restaurant.models import MANAGING_ROLES
from restaurant.selectors import managed_restaurants, restaurants_for, role_in
from staff.api.performance_serializers import DashboardSerializer, TierJobSerializer
from staff.models import StaffMember, Tier
from staff.selectors import latest_tier_job, team_performance, tier_distribution, waiters_visible_to
from staff.services.dashboard import DashboardService

KEY_FIGURES = [
    ("sales_per_cover", "Sales / cover", "money"),
    ("tip_pct", "Tip %", "pct"),
    ("covers_per_hour", "Covers / hour", "num"),
    ("upsell_per_cover", "Upsells / cover", "num"),
]


def _own_profile(user):
    return StaffMember.objects.filter(user=user, restaurant__in=restaurants_for(user)).order_by("id").first()


@login_required
@ensure_csrf_cookie
def dashboard(request):
    """The team page. A staff member is sent to their own page; a host has none."""
    restaurants = list(managed_restaurants(request.user).order_by("name", "id"))
    if not restaurants:
        own = _own_profile(request.user)
        if own is not None:
            return redirect("staff:member", staff_id=own.pk)
        raise PermissionDenied("The team's performance is for owners and managers.")
    wanted = request.GET.get("restaurant")
    restaurant = restaurants[0]
    if wanted:
        restaurant = next((r for r in restaurants if str(r.pk) == wanted), None)
        if restaurant is None:
            raise Http404("No such restaurant among yours.")
    rows = team_performance(restaurant=restaurant)
    tiers = tier_distribution(rows)
    job = latest_tier_job(restaurant=restaurant)
    latest = next((row.latest for row in rows if row.latest), None)
    return render(
        request,
        "staff/team.html",
        {
            "restaurant": restaurant,
            "restaurants": restaurants,
            "rows": rows,
            "tiers": tiers,
            "tier_choices": Tier.choices,
            "key_figures": KEY_FIGURES,
            "period_end": latest.period_end if latest else None,
            "job": job,
            "page_config": {
                "restaurantId": restaurant.pk,
                "apiBase": f"/api/v1/restaurants/{restaurant.pk}",
                "tiers": [{"value": value, "label": label, "count": tiers[value]} for value, label in Tier.choices],
                "job": TierJobSerializer(job).data if job else None,
            },
        },
    )


@login_required
@ensure_csrf_cookie
def member(request, staff_id: int):
    """One staff member's page: managers of their restaurant, or the member themselves."""
    staff = get_object_or_404(waiters_visible_to(request.user), pk=staff_id)
    is_manager = role_in(request.user, staff.restaurant) in MANAGING_ROLES
    if not is_manager and staff.user_id != request.user.pk:
        raise PermissionDenied("Only managers and the staff member themselves see this page.")
    data = DashboardService(staff).dashboard()
    return render(
        request,
        "staff/member.html",
        {
            "restaurant": staff.restaurant,
            "member": staff,
            "data": data,
            "trends_json": DashboardSerializer(data).data["trends"],
            "is_manager": is_manager,
            "cards": [
                ("covers", "Covers", "num0"),
                ("visits", "Tables served", "num0"),
                ("sales_per_cover", "Sales / cover", "money"),
                ("tip_pct", "Tip %", "pct"),
                ("covers_per_hour", "Covers / hour", "num"),
                ("upsell_per_cover", "Upsells / cover", "num"),
                ("turn_ratio", "Turn vs usual", "ratio"),
                ("hours", "Hours", "num"),
            ],
        },
    )
