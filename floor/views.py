"""The floor dashboard: what a host runs the evening from.

The page is rendered here with the floor as it is now (the same JSON `GET /api/v1/restaurants/<id>/floor`
answers, embedded so the first paint needs no request) and the quote-accuracy charts. `static/js/floor.js`
draws the live parts from that JSON, acts through the JSON API, and refetches the floor whenever the
WebSocket `ws/floor/<id>/` says something changed."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from floor.api.host_stand_serializers import FloorSerializer
from floor.models import TableState
from floor.selectors import AccuracyBucket, AccuracyPeriod, floor_board, floor_restaurants_for, quote_accuracy
from restaurant.models import MANAGING_ROLES, RoutingMode
from restaurant.selectors import role_in
from staff.models import StaffRole

CHART_WIDTH = 320
CHART_HEIGHT = 150
CHART_TOP = 12
CHART_BOTTOM = 28  # room for the bucket labels
CHART_LEFT = 26  # room for the minute ticks


@dataclass(frozen=True)
class Bar:
    """One bar of a quote-accuracy chart, in the chart's SVG units."""

    x: float
    y: float
    width: float
    height: float
    kind: str  # quoted | actual
    title: str


@dataclass(frozen=True)
class Chart:
    """Quoted against actual minutes per bucket, as grouped bars."""

    title: str
    bars: tuple[Bar, ...]
    labels: tuple[tuple[float, str], ...]
    ticks: tuple[tuple[float, int], ...]
    buckets: tuple[AccuracyBucket, ...]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT


def _bar_chart(title: str, buckets: tuple[AccuracyBucket, ...]) -> Chart:
    """Lay out grouped bars: each bucket a pair (quoted, actual), scaled to the longest wait shown."""
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    top = max([max(b.mean_quoted, b.mean_actual) for b in buckets] + [10.0])
    step = 10 if top <= 60 else 30
    top = step * -(-top // step)  # round up to a whole tick
    slot = (CHART_WIDTH - CHART_LEFT) / max(len(buckets), 1)
    bar_width = min(slot * 0.38, 18)
    bars, labels = [], []
    for index, bucket in enumerate(buckets):
        centre = CHART_LEFT + slot * (index + 0.5)
        for offset, kind, value in ((-1, "quoted", bucket.mean_quoted), (0, "actual", bucket.mean_actual)):
            height = plot_height * value / top
            bars.append(
                Bar(
                    x=round(centre + offset * bar_width, 1),
                    y=round(CHART_TOP + plot_height - height, 1),
                    width=round(bar_width - 1, 1),
                    height=round(height, 1),
                    kind=kind,
                    title=f"{bucket.label}: {kind} {value:g} min ({bucket.parties} parties)",
                )
            )
        labels.append((round(centre, 1), bucket.label.split()[0]))
    ticks = tuple(
        (round(CHART_TOP + plot_height - plot_height * minutes / top, 1), int(minutes))
        for minutes in range(0, int(top) + 1, int(step))
    )
    return Chart(title=title, bars=tuple(bars), labels=tuple(labels), ticks=ticks, buckets=buckets)


def _bias(period: AccuracyPeriod) -> str:
    if not period.mean_error:
        return "no lean either way"
    if period.mean_error > 0:
        return f"parties waited {period.mean_error:g} min longer than told"
    return f"parties were seated {-period.mean_error:g} min sooner than told"


def _period_charts(period: AccuracyPeriod) -> dict:
    return {
        "period": period,
        "bias": _bias(period),
        "charts": (
            _bar_chart("By party size", period.by_party_size),
            _bar_chart("By hour of arrival", period.by_hour),
        ),
    }


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
    role = role_in(request.user, restaurant)
    board = FloorSerializer(floor_board(restaurant=restaurant)).data
    return render(
        request,
        "floor/dashboard.html",
        {
            "restaurant": restaurant,
            "restaurants": restaurants,
            "is_manager": role in MANAGING_ROLES,
            "board": board,
            "page_config": {
                "restaurantId": restaurant.pk,
                "apiBase": f"/api/v1/restaurants/{restaurant.pk}",
                "socketPath": f"/ws/floor/{restaurant.pk}/",
                "isManager": role in MANAGING_ROLES,
                "modes": [{"value": value, "label": label} for value, label in RoutingMode.choices],
                "roles": [{"value": value, "label": label} for value, label in StaffRole.choices],
                "states": [{"value": value, "label": label} for value, label in TableState.choices],
            },
            "modes": RoutingMode.choices,
            "accuracy": [_period_charts(period) for period in quote_accuracy(restaurant=restaurant)],
        },
    )
