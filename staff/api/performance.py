"""Performance over the API: the original system's waiter dashboard paths, the tier job, the team, the lock.

- `GET /waiters/{id}/stats|trends|insights|shifts|dashboard`: owners, managers and API keys of the waiter's
  restaurant, and the staff member themselves; a colleague or a host gets 403; another restaurant's waiter
  is a 404 like an unknown id.
- `POST /restaurants/{rid}/recalculate-tiers`: owners, managers and `frontend` keys; 202 with the job
  (the one already in flight when there is one). `GET /restaurants/{rid}/tier-jobs/{id}` polls it.
- `GET /restaurants/{rid}/team-performance`: managers and keys: every server and bartender with tier and
  key figures. `POST /restaurants/{rid}/staff/{id}/tier`: a manager sets (and locks) or unlocks a tier."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from restaurant.api.scoping import RestaurantScopedMixin
from restaurant.models import MANAGING_ROLES, ApiScope
from restaurant.selectors import role_in
from staff.api.performance_serializers import (
    DashboardSerializer,
    InsightsSerializer,
    ShiftRowSerializer,
    StatsSerializer,
    TeamSerializer,
    TierJobSerializer,
    TierSetSerializer,
    TrendPointSerializer,
)
from staff.api.serializers import StaffMemberSerializer
from staff.models import StaffMember, TierJob, TierJobTrigger
from staff.selectors import latest_tier_job, team_performance, tier_distribution, waiters_visible_to
from staff.services.dashboard import DashboardService
from staff.services.jobs import tier_job_request
from staff.services.tiers import tier_set

TAGS = ["staff performance"]


class WaiterView(APIView):
    """Base of the /waiters/{id}/... reads: the waiter among the caller's restaurants, then who may read."""

    permission_classes = [permissions.IsAuthenticated]

    def waiter(self) -> StaffMember:
        staff = get_object_or_404(waiters_visible_to(self.request.user), pk=self.kwargs["waiter_id"])
        role = role_in(self.request.user, staff.restaurant)
        if role in (*MANAGING_ROLES, "api") or (staff.user_id is not None and staff.user_id == self.request.user.pk):
            return staff
        raise PermissionDenied("Performance pages are for managers and the staff member themselves.")

    def service(self) -> DashboardService:
        return DashboardService(self.waiter())


class WaiterStatsView(WaiterView):
    @extend_schema(tags=TAGS, summary="A waiter's figures this month", responses={200: StatsSerializer})
    def get(self, request, waiter_id):
        return Response(StatsSerializer(self.service().stats()).data)


class WaiterTrendsView(WaiterView):
    @extend_schema(
        tags=TAGS, summary="A waiter's figures per month, six months", responses={200: TrendPointSerializer(many=True)}
    )
    def get(self, request, waiter_id):
        return Response(TrendPointSerializer(self.service().trends(), many=True).data)


class WaiterInsightsView(WaiterView):
    @extend_schema(
        tags=TAGS,
        summary="A waiter's latest insights (LLM or rules); 204 before the first tier job",
        responses={200: InsightsSerializer, 204: None},
    )
    def get(self, request, waiter_id):
        insights = self.service().insights()
        if insights is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(InsightsSerializer(insights).data)


class WaiterShiftsView(WaiterView):
    @extend_schema(tags=TAGS, summary="A waiter's ten latest shifts", responses={200: ShiftRowSerializer(many=True)})
    def get(self, request, waiter_id):
        return Response(ShiftRowSerializer(self.service().shifts(), many=True).data)


class WaiterDashboardView(WaiterView):
    @extend_schema(
        tags=TAGS, summary="Stats, trends, insights, shifts and tier in one call", responses={200: DashboardSerializer}
    )
    def get(self, request, waiter_id):
        return Response(DashboardSerializer(self.service().dashboard()).data)


class RecalculateTiersView(RestaurantScopedMixin, generics.GenericAPIView):
    """Start the tier job now, in the background."""

    queryset = TierJob.objects.all()
    serializer_class = TierJobSerializer
    filter_backends: list = []
    pagination_class = None
    write_scopes = (ApiScope.FRONTEND,)

    @extend_schema(
        tags=TAGS,
        summary="Recalculate tiers now (202 with the job; the job in flight if there is one)",
        request=None,
        responses={202: TierJobSerializer},
    )
    def post(self, request, restaurant_id):
        job, _ = tier_job_request(
            restaurant=self.get_restaurant(), trigger=TierJobTrigger.MANUAL, requested_by=request.user
        )
        return Response(TierJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class TierJobView(RestaurantScopedMixin, generics.RetrieveAPIView):
    """A tier job's status and progress."""

    queryset = TierJob.objects.all()
    serializer_class = TierJobSerializer
    lookup_url_kwarg = "job_id"
    filter_backends: list = []

    @extend_schema(tags=TAGS, summary="A tier job's status and progress")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TeamPerformanceView(RestaurantScopedMixin, generics.GenericAPIView):
    """Every server and bartender with their tier, key figures of the latest snapshot and trend arrows."""

    queryset = StaffMember.objects.all()
    serializer_class = TeamSerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(tags=TAGS, summary="The team: tiers, key figures, trends", responses={200: TeamSerializer})
    def get(self, request, restaurant_id):
        if self.get_role() not in (*MANAGING_ROLES, "api"):
            raise PermissionDenied("The team's performance is for managers.")
        restaurant = self.get_restaurant()
        rows = team_performance(restaurant=restaurant)
        latest = next((row.latest for row in rows if row.latest), None)
        data = {
            "period_end": latest.period_end if latest else None,
            "tiers": tier_distribution(rows),
            "members": rows,
            "latest_job": latest_tier_job(restaurant=restaurant),
        }
        return Response(TeamSerializer(data).data)


class StaffTierView(RestaurantScopedMixin, generics.GenericAPIView):
    """A manager sets a staff member's tier and locks it, or unlocks it for the weekly job."""

    queryset = StaffMember.objects.all()
    lookup_url_kwarg = "staff_id"
    serializer_class = TierSetSerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        summary="Set and lock (or unlock) a tier",
        request=TierSetSerializer,
        responses={200: StaffMemberSerializer},
    )
    def post(self, request, restaurant_id, staff_id):
        data = TierSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = tier_set(
            restaurant=self.get_restaurant(),
            staff=self.get_object(),
            tier=data.validated_data["tier"],
            locked=data.validated_data["locked"],
            by=request.user,
        )
        return Response(StaffMemberSerializer(member).data)
