"""The floor dashboard: what a host runs the evening from.

The page is rendered here with the floor as it is now (the same JSON `GET /api/v1/restaurants/<id>/floor`
answers, embedded so the first paint needs no request) and the quote-accuracy figures, embedded too for
`static/js/quote_accuracy.js` to chart with the vendored Chart.js (and listed in tables without it).
The script (`static/js/floor/`, native ES modules) draws the live parts from that JSON, acts through the JSON
API, and refetches the floor whenever the WebSocket `ws/floor/<id>/` says something changed. What the user may
do comes with the floor (`actions`), so the page and the script offer only that."""

from dataclasses import asdict

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from floor.api.host_stand_serializers import FloorSerializer
from floor.models import TableFeature, TableState
from floor.selectors import AccuracyPeriod, floor_actions, floor_board, floor_restaurants_for, quote_accuracy
from restaurant.models import RoutingMode
from restaurant.selectors import role_in
from staff.models import StaffRole


def _bias(period: AccuracyPeriod) -> str:
    if not period.mean_error:
        return "no lean either way"
    if period.mean_error > 0:
        return f"parties waited {period.mean_error:g} min longer than told"
    return f"parties were seated {-period.mean_error:g} min sooner than told"


def _accuracy_tables(period: AccuracyPeriod) -> list[dict]:
    """The period's two breakdowns, in the order the panel shows them; `key` names its list in the JSON data."""
    return [
        {"key": "by_party_size", "title": "By party size", "heading": "Party size", "buckets": period.by_party_size},
        {"key": "by_hour", "title": "By hour of arrival", "heading": "Hour", "buckets": period.by_hour},
    ]


def _chosen_restaurant(request):
    """The restaurant the dashboard shows: `?restaurant=<id>` among those whose floor the user runs, else
    the first of them. No such restaurant: 403 when they run none, 404 for an id not theirs."""
    restaurants = list(floor_restaurants_for(request.user))
    if not restaurants:
        raise PermissionDenied("The floor is for owners, managers and hosts.")
    wanted = request.GET.get("restaurant")
    if not wanted:
        return restaurants[0], restaurants
    chosen = next((r for r in restaurants if str(r.pk) == wanted), None)
    if chosen is None:
        raise Http404("No such restaurant among yours.")
    return chosen, restaurants


@login_required
@ensure_csrf_cookie  # the page's fetch() calls send the token from this cookie
def dashboard(request):
    restaurant, restaurants = _chosen_restaurant(request)
    actions = floor_actions(role=role_in(request.user, restaurant))
    board = FloorSerializer(floor_board(restaurant=restaurant), context={"actions": actions}).data
    accuracy = quote_accuracy(restaurant=restaurant)
    return render(
        request,
        "floor/dashboard.html",
        {
            "restaurant": restaurant,
            "restaurants": restaurants,
            "board": board,
            # A wish the add-party form offers; an accessible table is a must, asked by its own checkbox.
            "wish_features": [choice for choice in TableFeature.choices if choice[0] != TableFeature.ACCESSIBLE],
            "page_config": {
                "restaurantId": restaurant.pk,
                "apiBase": f"/api/v1/restaurants/{restaurant.pk}",
                "socketPath": f"/ws/floor/{restaurant.pk}/",
                "modes": [{"value": value, "label": label} for value, label in RoutingMode.choices],
                "roles": [{"value": value, "label": label} for value, label in StaffRole.choices],
                "states": [{"value": value, "label": label} for value, label in TableState.choices],
                "features": [{"value": value, "label": label} for value, label in TableFeature.choices],
            },
            "modes": RoutingMode.choices,
            "accuracy": [
                {"period": period, "bias": _bias(period), "tables": _accuracy_tables(period)} for period in accuracy
            ],
            # What static/js/quote_accuracy.js draws with Chart.js: each period's buckets, as json_script data.
            "accuracy_data": [asdict(period) for period in accuracy],
        },
    )
