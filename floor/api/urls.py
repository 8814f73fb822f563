from django.urls import path

from floor.api import fairness, host_stand, views
from restaurant.api.routers import RESTAURANT_PREFIX, make_router

router = make_router()
router.register(f"{RESTAURANT_PREFIX}/sections", views.SectionViewSet, basename="section")
router.register(f"{RESTAURANT_PREFIX}/tables", views.TableViewSet, basename="table")
router.register(f"{RESTAURANT_PREFIX}/menu-items", views.MenuItemViewSet, basename="menu-item")

# The host stand's actions, at the paths of the integrators' contract (no trailing slash).
TABLE = f"{RESTAURANT_PREFIX}/tables/<int:table_id>"
WAITLIST_ENTRY = f"{RESTAURANT_PREFIX}/waitlist/<int:entry_id>"
TABLE_ACTIONS = {
    "seat": host_stand.SeatView,
    "state": host_stand.TableStateView,
    "clear": host_stand.TableClearView,
    "bus": host_stand.TableBusView,
}
WAITLIST_ENTRY_ACTIONS = {
    "notify": host_stand.WaitlistNotifyView,
    "cancel": host_stand.WaitlistCancelView,
    "no-show": host_stand.WaitlistNoShowView,
}
host_stand_urls = [
    path(f"{RESTAURANT_PREFIX}/route", host_stand.RouteView.as_view(), name="floor-route"),
    path(f"{RESTAURANT_PREFIX}/route-next", host_stand.RouteNextView.as_view(), name="floor-route-next"),
    path(f"{RESTAURANT_PREFIX}/mode", host_stand.ModeView.as_view(), name="floor-mode"),
    path(f"{RESTAURANT_PREFIX}/floor", host_stand.FloorView.as_view(), name="floor-status"),
    path(f"{RESTAURANT_PREFIX}/visits/<int:visit_id>/close", host_stand.VisitCloseView.as_view(), name="visit-close"),
    path(f"{RESTAURANT_PREFIX}/waitlist", host_stand.WaitlistView.as_view(), name="waitlist"),
    # An action's URL name is its object's and its own: "table-seat", "waitlist-no-show".
    *(path(f"{TABLE}/{action}", view.as_view(), name=f"table-{action}") for action, view in TABLE_ACTIONS.items()),
    *(
        path(f"{WAITLIST_ENTRY}/{action}", view.as_view(), name=f"waitlist-{action}")
        for action, view in WAITLIST_ENTRY_ACTIONS.items()
    ),
]

# Tonight's fairness and the routing settings beside the mode (floor/api/fairness.py).
host_stand_urls += [
    path(f"{RESTAURANT_PREFIX}/floor/fairness", fairness.FairnessView.as_view(), name="floor-fairness"),
    path(f"{RESTAURANT_PREFIX}/routing-settings", fairness.RoutingSettingsView.as_view(), name="routing-settings"),
]

urlpatterns = router.urls + host_stand_urls
