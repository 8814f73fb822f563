from restaurant.api.routers import RESTAURANT_PREFIX, make_router
from staff.api import views

router = make_router()
router.register(f"{RESTAURANT_PREFIX}/staff", views.StaffMemberViewSet, basename="staff-member")

urlpatterns = router.urls
