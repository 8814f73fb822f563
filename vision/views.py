"""The vision dashboard: cameras with their status and last frame (regions and labels drawn), conflicts
between cameras and the floor, each table's prediction history, and the labelling queue.

Rendered here from the selectors; `static/js/vision/dashboard.js` acts through the JSON API (capture,
label, dismiss), loads a table's history and refreshes the cameras' status every few seconds."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from restaurant.models import MANAGING_ROLES
from restaurant.selectors import role_in
from vision.selectors import (
    cameras_for,
    labelling_queue,
    open_conflicts,
    regions_for,
    vision_restaurants_for,
    vision_settings_for,
)
from vision.services.classifier import classifier_status
from vision.services.labelling import known_labels


def _chosen_restaurant(request):
    restaurants = list(vision_restaurants_for(request.user, scopes=()).order_by("name", "id"))
    if not restaurants:
        raise PermissionDenied("The vision dashboard is for owners, managers and hosts.")
    wanted = request.GET.get("restaurant")
    if not wanted:
        return restaurants[0], restaurants
    chosen = next((r for r in restaurants if str(r.pk) == wanted), None)
    if chosen is None:
        raise Http404("No such restaurant among yours.")
    return chosen, restaurants


@login_required
@ensure_csrf_cookie
def dashboard(request):
    restaurant, restaurants = _chosen_restaurant(request)
    status = classifier_status()
    cameras = list(cameras_for([restaurant]))
    watched = {}
    for region in regions_for([restaurant]).order_by("table__label"):
        watched.setdefault(region.table_id, region.table.label)
    labels = known_labels(restaurant)
    return render(
        request,
        "vision/dashboard.html",
        {
            "restaurant": restaurant,
            "restaurants": restaurants,
            "is_manager": role_in(request.user, restaurant) in MANAGING_ROLES,
            "classifier": status,
            "cameras": cameras,
            "conflicts": list(open_conflicts(restaurant=restaurant)),
            "queue": list(labelling_queue([restaurant])),
            "tables": sorted(watched.items(), key=lambda item: item[1]),
            "labels": labels,
            "settings": vision_settings_for(restaurant),
            "page_config": {
                "restaurantId": restaurant.pk,
                "labels": labels,
                "refreshSeconds": 5,
            },
        },
    )
