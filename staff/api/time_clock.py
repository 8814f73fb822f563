"""The time clock and the host's rotation overrides over the API.

Clock in, clock out, break start and end: owners, managers, hosts, keys with `frontend` or `pos` (the POS
sends clock events), and a staff member for their own shift. Rotation overrides (skip once, move, cut,
uncut): owners, managers, hosts and `frontend` keys. A change that makes no sense now (clocking in twice,
ending a break never started) is a 409 naming the reason; another restaurant's staff member is a 404.
Paths follow the integrators' contract: no trailing slash."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response

from restaurant.api.scoping import FLOOR_WRITE_ROLES, RestaurantRolePermission, RestaurantScopedMixin
from restaurant.models import ApiScope, Role
from staff.api.time_clock_serializers import ClockInSerializer, RotationMoveSerializer, ShiftStatusSerializer
from staff.models import StaffMember
from staff.services import (
    break_end,
    break_start,
    server_cut,
    server_move_in_rotation,
    server_skip_once,
    server_uncut,
    shift_clock_in,
    shift_clock_out,
)

TAGS = ["time clock"]


class OwnTimeClockPermission(RestaurantRolePermission):
    """The restaurant's rules, plus a staff member clocking themselves in and out."""

    def has_permission(self, request, view):
        if super().has_permission(request, view):
            return True
        return view.get_role() == Role.STAFF and view.get_object().user_id == request.user.pk


class StaffActionView(RestaurantScopedMixin, generics.GenericAPIView):
    """An action on one staff member's shift."""

    queryset = StaffMember.objects.all()
    lookup_url_kwarg = "staff_id"
    write_roles = FLOOR_WRITE_ROLES
    write_scopes = (ApiScope.FRONTEND,)
    filter_backends: list = []
    pagination_class = None
    serializer_class = ShiftStatusSerializer  # what OPTIONS describes; actions with a body name their own

    def valid_input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def answer(self, shift, code=status.HTTP_200_OK) -> Response:
        return Response(ShiftStatusSerializer(shift).data, status=code)


class TimeClockView(StaffActionView):
    permission_classes = [permissions.IsAuthenticated, OwnTimeClockPermission]
    write_scopes = (ApiScope.FRONTEND, ApiScope.POS)


class ClockInView(TimeClockView):
    """Open a shift, in a role (default: the staff member's) and optionally a section."""

    serializer_class = ClockInSerializer

    @extend_schema(tags=TAGS, summary="Clock in", request=ClockInSerializer, responses={201: ShiftStatusSerializer})
    def post(self, request, restaurant_id, staff_id):
        data = self.valid_input(ClockInSerializer)
        shift = shift_clock_in(
            restaurant=self.get_restaurant(),
            staff=self.get_object(),
            role=data.get("role"),
            section=data.get("section_id"),
        )
        return self.answer(shift, status.HTTP_201_CREATED)


class ClockOutView(TimeClockView):
    """Close the open shift, ending an open break at the same instant."""

    @extend_schema(tags=TAGS, summary="Clock out", request=None, responses={200: ShiftStatusSerializer})
    def post(self, request, restaurant_id, staff_id):
        return self.answer(shift_clock_out(restaurant=self.get_restaurant(), staff=self.get_object()))


class BreakStartView(TimeClockView):
    """Start a break (also how a host puts a server on break): no new parties until it ends."""

    @extend_schema(tags=TAGS, summary="Start a break", request=None, responses={201: ShiftStatusSerializer})
    def post(self, request, restaurant_id, staff_id):
        shift_break = break_start(restaurant=self.get_restaurant(), staff=self.get_object())
        return self.answer(shift_break.shift, status.HTTP_201_CREATED)


class BreakEndView(TimeClockView):
    """End the open break."""

    @extend_schema(tags=TAGS, summary="End a break", request=None, responses={200: ShiftStatusSerializer})
    def post(self, request, restaurant_id, staff_id):
        shift_break = break_end(restaurant=self.get_restaurant(), staff=self.get_object())
        return self.answer(shift_break.shift)


class SkipView(StaffActionView):
    """Pass a server over for the next seating only."""

    @extend_schema(tags=TAGS, summary="Skip a server once", request=None, responses={200: ShiftStatusSerializer})
    def post(self, request, restaurant_id, staff_id):
        return self.answer(server_skip_once(restaurant=self.get_restaurant(), staff=self.get_object()))


class MoveView(StaffActionView):
    """Move a server in the rotation: `offset` places earlier (negative) or later (positive); 0 resets."""

    serializer_class = RotationMoveSerializer

    @extend_schema(
        tags=TAGS,
        summary="Move a server in the rotation",
        request=RotationMoveSerializer,
        responses={200: ShiftStatusSerializer},
    )
    def post(self, request, restaurant_id, staff_id):
        offset = self.valid_input(RotationMoveSerializer)["offset"]
        shift = server_move_in_rotation(restaurant=self.get_restaurant(), staff=self.get_object(), offset=offset)
        return self.answer(shift)


class CutView(StaffActionView):
    """Cut a server: no new parties; their open tables stay theirs and release as they clear."""

    @extend_schema(tags=TAGS, summary="Cut a server", request=None, responses={200: ShiftStatusSerializer})
    def post(self, request, restaurant_id, staff_id):
        return self.answer(server_cut(restaurant=self.get_restaurant(), staff=self.get_object()))


class UncutView(StaffActionView):
    """Take a cut server back into the rotation."""

    @extend_schema(
        tags=TAGS, summary="Take a server back after a cut", request=None, responses={200: ShiftStatusSerializer}
    )
    def post(self, request, restaurant_id, staff_id):
        return self.answer(server_uncut(restaurant=self.get_restaurant(), staff=self.get_object()))
