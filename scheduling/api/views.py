"""The scheduling API (the original system's 18 endpoints, and a forecast and time off): thin views
that validate, call a service or selector, and serialize."""

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from restaurant.api.scoping import RestaurantScopedMixin
from restaurant.models import MANAGING_ROLES, ApiScope, Restaurant, Role
from restaurant.selectors import api_client_of
from scheduling.api import serializers as s
from scheduling.models import (
    Schedule,
    ScheduleItem,
    ScheduleRun,
    StaffAvailability,
    StaffingRequirement,
    StaffPreference,
    TimeOff,
)
from scheduling.selectors import runs_for, schedule_audit, schedule_items, staff_member_of
from scheduling.services import (
    DemandForecaster,
    schedule_check,
    schedule_create,
    schedule_delete,
    schedule_item_add,
    schedule_item_change,
    schedule_item_remove,
    schedule_publish,
    schedule_run_create,
    time_off_change,
    time_off_request,
)

TAGS = ["scheduling"]
SELF_SERVICE_ROLES = (*MANAGING_ROLES, Role.HOST, Role.STAFF)


def actor_of(request):
    return None if api_client_of(request.user) else request.user


class SelfServiceMixin(RestaurantScopedMixin):
    """Managers keep everyone's rows; anyone else with a staff profile keeps only their own."""

    write_roles = SELF_SERVICE_ROLES

    def is_manager(self) -> bool:
        return self.get_role() in (*MANAGING_ROLES, "api")

    def own_staff(self):
        return None if self.is_manager() else staff_member_of(user=self.request.user, restaurant=self.get_restaurant())

    def get_queryset(self):
        # Availability and time off are personal (reasons, classes, trips): others see only their own rows,
        # as in admin. Another person's row is a 404 like any id outside the caller's reach.
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False) or self.is_manager():
            return queryset
        own = self.own_staff()
        return queryset.filter(staff=own) if own else queryset.none()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False) and not self.is_manager():
            context["own_staff"] = self.own_staff() or False
        return context


@extend_schema(tags=TAGS)
class StaffAvailabilityViewSet(SelfServiceMixin, viewsets.ModelViewSet):
    """Weekly availability windows. Staff keep their own; managers everyone's. `POST .../bulk` creates
    many at once (all or nothing)."""

    queryset = StaffAvailability.objects.all()
    serializer_class = s.StaffAvailabilitySerializer
    lookup_value_converter = "int"
    ordering = ["staff_id", "weekday", "start_time"]
    filterset_fields = ["staff", "weekday", "available"]

    @extend_schema(request=s.AvailabilityBulkSerializer, responses={201: s.StaffAvailabilitySerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request, restaurant_id):
        serializer = s.AvailabilityBulkSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        restaurant = self.get_restaurant()
        with transaction.atomic():
            rows = StaffAvailability.objects.bulk_create(
                [StaffAvailability(restaurant=restaurant, **item) for item in serializer.validated_data["items"]]
            )
        return Response(s.StaffAvailabilitySerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class TimeOffViewSet(SelfServiceMixin, viewsets.ModelViewSet):
    """Time-off requests. Staff request and change their own (a decided request they change goes back to
    pending); managers decide (`status`)."""

    queryset = TimeOff.objects.all()
    serializer_class = s.TimeOffSerializer
    lookup_value_converter = "int"
    filterset_fields = ["staff", "status"]
    ordering = ["-start_date", "id"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        row = time_off_request(
            staff=data["staff"], start_date=data["start_date"], end_date=data["end_date"], reason=data.get("reason", "")
        )
        if self.is_manager() and data.get("status") and data["status"] != row.status:
            row = time_off_change(
                time_off=row, changes={"status": data["status"]}, by_manager=True, actor=actor_of(self.request)
            )
        serializer.instance = row

    def perform_update(self, serializer):
        changes = {k: v for k, v in serializer.validated_data.items() if k != "staff"}
        serializer.instance = time_off_change(
            time_off=serializer.instance, changes=changes, by_manager=self.is_manager(), actor=actor_of(self.request)
        )


@extend_schema(tags=TAGS)
class StaffPreferenceView(SelfServiceMixin, generics.GenericAPIView):
    """A staff member's preferences: GET reads them, PUT creates or replaces them (upsert)."""

    queryset = StaffPreference.objects.all()
    serializer_class = s.StaffPreferenceSerializer
    pagination_class = None
    filter_backends: list = []

    lookup_url_kwarg = "staff_id"

    def get_object(self):
        """The staff member's preference, or a new unsaved one: PUT creates it. Someone of another restaurant,
        or no one, is a 404."""
        if not hasattr(self, "_object"):
            member = get_object_or_404(self.get_restaurant().staff.all(), pk=self.kwargs["staff_id"])
            existing = StaffPreference.objects.filter(staff=member).first()
            self._object = existing or StaffPreference(staff=member, restaurant=self.get_restaurant())
        return self._object

    def get(self, request, restaurant_id, staff_id):
        preference = self.get_object()
        if preference.pk is None:
            raise Http404("No preferences saved yet.")
        return Response(s.StaffPreferenceSerializer(preference, context=self.get_serializer_context()).data)

    @extend_schema(responses={200: s.StaffPreferenceSerializer, 201: s.StaffPreferenceSerializer})
    def put(self, request, restaurant_id, staff_id):
        preference = self.get_object()
        member = preference.staff
        if not self.is_manager() and member != self.own_staff():
            self.permission_denied(request, message="staff members keep only their own preferences")
        existing = preference if preference.pk else None
        serializer = s.StaffPreferenceSerializer(
            existing, data=request.data, context={**self.get_serializer_context(), "staff": member}
        )
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            serializer.save(staff=member, restaurant=self.get_restaurant())
        return Response(serializer.data, status=status.HTTP_200_OK if existing else status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class StaffingRequirementViewSet(RestaurantScopedMixin, viewsets.ModelViewSet):
    """How many of each role a weekday's day-part needs (min, target, max). Managers edit."""

    queryset = StaffingRequirement.objects.all()
    serializer_class = s.StaffingRequirementSerializer
    lookup_value_converter = "int"
    filterset_fields = ["weekday", "day_part", "role"]
    ordering = ["weekday", "day_part", "role"]


@extend_schema(tags=TAGS)
class ScheduleViewSet(RestaurantScopedMixin, viewsets.ModelViewSet):
    """Versions of weekly schedules. Create makes an empty draft; the engine makes drafts through
    `POST .../schedules/run`. `publish` archives the week's published version; `audit` lists who did what."""

    queryset = Schedule.objects.all()
    serializer_class = s.ScheduleSerializer
    lookup_value_converter = "int"
    filterset_fields = ["week_start", "status"]
    ordering = ["-week_start", "-version"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if not getattr(self, "swagger_fake_view", False) and self.get_role() not in (*MANAGING_ROLES, "api"):
            queryset = queryset.filter(status="published")  # drafts are the managers' until published
        return queryset

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = schedule_create(
            restaurant=self.get_restaurant(),
            week_start=data["week_start"],
            notes=data.get("notes", ""),
            actor=actor_of(self.request),
        )

    def perform_destroy(self, instance):
        schedule_delete(schedule=instance)

    @extend_schema(request=None, responses={200: s.ScheduleSerializer})
    def publish(self, request, restaurant_id, pk):
        schedule = schedule_publish(schedule=self.get_object(), actor=actor_of(request))
        return Response(s.ScheduleSerializer(schedule).data)

    @extend_schema(responses={200: s.ScheduleAuditSerializer(many=True)})
    def audit(self, request, restaurant_id, pk):
        entries = schedule_audit(schedule=self.get_object())
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(s.ScheduleAuditSerializer(page, many=True).data)

    @extend_schema(responses={200: dict})
    def check(self, request, restaurant_id, pk):
        """Hard violations (they block publishing), warnings and unmet minimums with their diagnosis."""
        return Response(schedule_check(schedule=self.get_object()))


@extend_schema(tags=TAGS)
class ScheduleItemViewSet(RestaurantScopedMixin, viewsets.ModelViewSet):
    """Shifts of one schedule. Edits of a draft are checked as they are made: the answer carries the
    schedule's `check` (hard violations block publishing, warnings do not)."""

    queryset = ScheduleItem.objects.all()
    serializer_class = s.ScheduleItemSerializer
    lookup_value_converter = "int"
    filterset_fields = ["staff", "date", "day_part", "role"]
    ordering = ["date", "start_time", "role"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def schedule(self) -> Schedule:
        if not hasattr(self, "_schedule"):
            schedules = Schedule.objects.for_restaurant(self.get_restaurant())
            if self.get_role() not in (*MANAGING_ROLES, "api"):
                schedules = schedules.filter(status="published")
            self._schedule = get_object_or_404(schedules, pk=self.kwargs["schedule_id"])
        return self._schedule

    def get_base_queryset(self):
        return ScheduleItem.objects.all()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ScheduleItem.objects.none()
        return schedule_items(schedule=self.schedule())

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item, check = schedule_item_add(schedule=self.schedule(), actor=actor_of(request), **serializer.validated_data)
        return Response({**self.get_serializer(item).data, "check": check}, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        item, check = schedule_item_change(item=self.get_object(), actor=actor_of(request), **serializer.validated_data)
        return Response({**self.get_serializer(item).data, "check": check})

    @extend_schema(
        responses={
            200: inline_serializer(
                name="ScheduleItemRemoved",
                fields={"check": serializers.JSONField(help_text="The week's rule check after the removal.")},
            )
        }
    )
    def destroy(self, request, *args, **kwargs):
        check = schedule_item_remove(item=self.get_object(), actor=actor_of(request))
        return Response({"check": check})


class RunView(RestaurantScopedMixin, generics.GenericAPIView):
    """Generate a week: queues an engine run and answers 202 with its id."""

    queryset = Restaurant.objects.none()
    serializer_class = s.RunRequestSerializer
    write_scopes = (ApiScope.FRONTEND,)
    filter_backends: list = []
    pagination_class = None

    @extend_schema(tags=TAGS, request=s.RunRequestSerializer, responses={202: s.RunCreatedSerializer})
    def post(self, request, restaurant_id):
        serializer = s.RunRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = schedule_run_create(
            restaurant=self.get_restaurant(), requested_by=actor_of(request), **serializer.validated_data
        )
        return Response({"run_id": run.pk, "status": run.status}, status=status.HTTP_202_ACCEPTED)


class RunStatusView(RestaurantScopedMixin, generics.RetrieveAPIView):
    """A run's status, progress (0-100), the draft it made (`schedule_id`) and its figures (`metrics`)."""

    queryset = ScheduleRun.objects.all()
    serializer_class = s.RunSerializer
    lookup_url_kwarg = "run_id"
    filter_backends: list = []

    def get_base_queryset(self):
        return (
            runs_for(restaurant=self.get_restaurant())
            if not getattr(self, "swagger_fake_view", False)
            else ScheduleRun.objects.none()
        )

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ForecastView(RestaurantScopedMixin, generics.GenericAPIView):
    """Forecast covers per date and day-part for a week, seasonal-naive beside it, staff needed per role,
    the covers per staff-hour used, and the forecast's backtest on the last two weeks."""

    queryset = Restaurant.objects.none()
    serializer_class = s.ForecastQuerySerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(tags=TAGS, parameters=[s.ForecastQuerySerializer], responses={200: dict})
    def get(self, request, restaurant_id):
        query = s.ForecastQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = DemandForecaster(self.get_restaurant()).forecast(query.validated_data["week_start"])
        return Response({k: v for k, v in result.items() if not k.startswith("_")})
