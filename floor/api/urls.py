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
host_stand_urls = [
    path(f"{RESTAURANT_PREFIX}/route", host_stand.RouteView.as_view(), name="floor-route"),
    path(f"{RESTAURANT_PREFIX}/route-next", host_stand.RouteNextView.as_view(), name="floor-route-next"),
    path(f"{RESTAURANT_PREFIX}/mode", host_stand.ModeView.as_view(), name="floor-mode"),
    path(f"{RESTAURANT_PREFIX}/floor", host_stand.FloorView.as_view(), name="floor-status"),
    path(f"{TABLE}/seat", host_stand.SeatView.as_view(), name="table-seat"),
    path(f"{TABLE}/state", host_stand.TableStateView.as_view(), name="table-state"),
    path(f"{TABLE}/clear", host_stand.TableClearView.as_view(), name="table-clear"),
    path(f"{TABLE}/bus", host_stand.TableBusView.as_view(), name="table-bus"),
    path(f"{RESTAURANT_PREFIX}/visits/<int:visit_id>/close", host_stand.VisitCloseView.as_view(), name="visit-close"),
    path(f"{RESTAURANT_PREFIX}/waitlist", host_stand.WaitlistView.as_view(), name="waitlist"),
    path(f"{WAITLIST_ENTRY}/notify", host_stand.WaitlistNotifyView.as_view(), name="waitlist-notify"),
    path(f"{WAITLIST_ENTRY}/cancel", host_stand.WaitlistCancelView.as_view(), name="waitlist-cancel"),
    path(f"{WAITLIST_ENTRY}/no-show", host_stand.WaitlistNoShowView.as_view(), name="waitlist-no-show"),
]

# Tonight's fairness and the routing settings beside the mode (floor/api/fairness.py).
host_stand_urls += [
    path(f"{RESTAURANT_PREFIX}/floor/fairness", fairness.FairnessView.as_view(), name="floor-fairness"),
    path(f"{RESTAURANT_PREFIX}/routing-settings", fairness.RoutingSettingsView.as_view(), name="routing-settings"),
]

urlpatterns = router.urls + host_stand_urls
