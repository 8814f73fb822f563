"""The host stand over the API: route a party, seat it, change table states, clear and bus, close a
visit, keep the waitlist, switch the routing mode, and read the whole floor.

Who may act (sessions by role, API keys by scope; every member and key of the restaurant may read):
- route, seat, waitlist changes: owners, managers, hosts, keys with `frontend`;
- table state, clear, bus, closing a visit: the same, and keys with `pos` (the POS closes checks);
- blocking a table or unblocking it: owners and managers only (sessions; never a key);
- the routing mode: owners and managers only (it changes every host's recommendations).
Another restaurant's table, visit or entry in the URL is a 404; in the body it is a 400 naming the field.
Paths follow the integrators' contract: no trailing slash."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.fields import empty
from rest_framework.response import Response

from floor.api.host_stand_serializers import (
    FloorSerializer,
    ModeSerializer,
    RouteNextResponseSerializer,
    RouteRequestSerializer,
    RouteResponseSerializer,
    SeatRequestSerializer,
    TableClearedSerializer,
    TableStateRequestSerializer,
    TableStateSerializer,
    VisitCloseRequestSerializer,
    VisitSerializer,
    WaitlistAddSerializer,
    WaitlistChangeSerializer,
    WaitlistEntrySerializer,
)
from floor.models import StateSource, Table, Visit, WaitlistEntry
from floor.selectors import floor_actions, floor_board, waitlist_open_with_quotes
from floor.services.routing import route_next_party, route_party, routing_mode_set
from floor.services.seating import table_bus, table_clear, table_seat, visit_close
from floor.services.table_states import table_state_set
from floor.services.waitlist import waitlist_add, waitlist_cancel, waitlist_no_show, waitlist_notify
from restaurant.api.scoping import FLOOR_WRITE_ROLES, RestaurantScopedMixin
from restaurant.models import MANAGING_ROLES, ApiScope, Restaurant
from restaurant.selectors import api_client_of

TAGS = ["host stand"]


def documented(summary: str, *, responses: dict, request=empty):
    """The schema of a host-stand operation: its tag, one-line summary, request body (None: none; left out:
    what the view says) and answers."""
    return extend_schema(tags=TAGS, summary=summary, request=request, responses=responses)


class HostStandView(RestaurantScopedMixin, generics.GenericAPIView):
    """An action on one restaurant's floor. `queryset` names the model of the object in the URL (if any)."""

    write_roles = FLOOR_WRITE_ROLES
    write_scopes = (ApiScope.FRONTEND,)
    filter_backends: list = []
    pagination_class = None
    queryset = Restaurant.objects.none()
    # Each view names its `serializer_class` (its input, else its output): what OPTIONS describes.

    def actor(self):
        """The person acting, for the history rows; None for an API key."""
        return None if api_client_of(self.request.user) else self.request.user

    def source(self) -> str:
        """Where a table change comes from: the POS for a key with the `pos` scope, else the host stand."""
        client = api_client_of(self.request.user)
        if client is not None and client.has_scope(ApiScope.POS) and not client.has_scope(ApiScope.FRONTEND):
            return StateSource.POS
        return StateSource.HOST

    def acting(self) -> dict:
        """Who changes the floor, as every service that changes it takes them: the restaurant, where the
        change comes from and the person."""
        return {"restaurant": self.get_restaurant(), "source": self.source(), "actor": self.actor()}

    def valid_input(self, serializer_class, **context):
        serializer = serializer_class(data=self.request.data, context={**self.get_serializer_context(), **context})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class TableActionView(HostStandView):
    queryset = Table.objects.all()
    lookup_url_kwarg = "table_id"


# --- Routing and seating -----------------------------------------------------------------------------------


class RouteView(HostStandView):
    """Where to seat a party now: ranked (table, server) recommendations, best first, each with its score
    broken down and a one-line reason. Nothing fits: an empty list and a `reason`. Every call is recorded
    as a routing decision whose id the seat call takes."""

    serializer_class = RouteRequestSerializer

    @documented(
        "Recommend where to seat a party", request=RouteRequestSerializer, responses={200: RouteResponseSerializer}
    )
    def post(self, request, restaurant_id):
        data = self.valid_input(RouteRequestSerializer)
        result = route_party(
            restaurant=self.get_restaurant(),
            party_size=data["party_size"],
            preferences=data.get("preferences"),
            waitlist_entry=data.get("waitlist_entry_id"),
            requested_by=self.actor(),
            limit=data["limit"],
        )
        return Response(RouteResponseSerializer(result).data)


class RouteNextView(HostStandView):
    """Seat next: the first party on the waitlist that fits now, with its ranked recommendations (as the
    route call gives them), and each party ahead of it with why it waits ("Vance (9): no free table for
    9 — largest free is a 6-top"). Nobody fits: the first party, no recommendations and its reason.
    Recorded as one routing decision for the party answered, linked to its entry."""

    serializer_class = RouteNextResponseSerializer

    @documented("Route the next waiting party that fits", request=None, responses={200: RouteNextResponseSerializer})
    def post(self, request, restaurant_id):
        result = route_next_party(restaurant=self.get_restaurant(), requested_by=self.actor())
        return Response(RouteNextResponseSerializer(result).data)


class SeatView(TableActionView):
    """Seat a party at a table, or at tables pushed together (`table_ids`, as a recommendation lists
    them): opens the visit, marks every table occupied, seats the waitlist entry and records on the
    routing decision whether the host followed it. Atomic: of two hosts seating one table (or groups
    sharing a table) the second gets 409 (`table_taken`); a decision seats one party only (409
    `routing_decision_used`). Tables that cannot be pushed together (another group or section, dirty,
    blocked) are a 400 naming `table_ids`."""

    serializer_class = SeatRequestSerializer

    @documented("Seat a party", request=SeatRequestSerializer, responses={201: VisitSerializer})
    def post(self, request, restaurant_id, table_id):
        table = self.get_object()
        data = self.valid_input(SeatRequestSerializer, table_id=table.pk)
        visit = table_seat(
            table=table,
            joined_tables=data.get("table_ids", []),
            party_size=data["party_size"],
            server=data["server_id"],
            waitlist_entry=data.get("waitlist_entry_id"),
            routing_decision=data.get("routing_decision_id"),
            allow_misfit=data["allow_misfit"],
            **self.acting(),
        )
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


# --- Table states ------------------------------------------------------------------------------------------


class TableStateView(TableActionView):
    """Change a table's state by the state machine: available, reserved, dirty (clears an occupied table),
    blocked (managers). An illegal change is a 409 naming `current_state` and `allowed_states`; the state
    it already has changes nothing. Occupied comes from seating."""

    serializer_class = TableStateRequestSerializer

    write_scopes = (ApiScope.FRONTEND, ApiScope.POS)

    @documented("Change a table's state", request=TableStateRequestSerializer, responses={200: TableStateSerializer})
    def post(self, request, restaurant_id, table_id):
        data = self.valid_input(TableStateRequestSerializer)
        table = table_state_set(
            table=self.get_object(), to_state=data["state"], note=data["note"], role=self.get_role(), **self.acting()
        )
        return Response(TableStateSerializer(table).data)


class TableClearView(TableActionView):
    """The party left: close the table's open visit and mark it dirty, with every table pushed together
    for that party. Clearing a dirty table changes nothing; an available, reserved or blocked table is a 409."""

    serializer_class = TableClearedSerializer

    write_scopes = (ApiScope.FRONTEND, ApiScope.POS)

    @documented("Clear a table (party left)", request=None, responses={200: TableClearedSerializer})
    def post(self, request, restaurant_id, table_id):
        table = self.get_object()
        visit = table_clear(table=table, **self.acting())
        return Response(TableClearedSerializer({"table": table, "closed_visit": visit}).data)


class TableBusView(TableActionView):
    """A dirty table was bussed: it is available again. Bussing an available table changes nothing."""

    serializer_class = TableStateSerializer

    write_scopes = (ApiScope.FRONTEND, ApiScope.POS)

    @documented("Bus a table", request=None, responses={200: TableStateSerializer})
    def post(self, request, restaurant_id, table_id):
        table = table_bus(table=self.get_object(), **self.acting())
        return Response(TableStateSerializer(table).data)


class VisitCloseView(HostStandView):
    """Close a visit (the check closed), optionally with its totals; its tables go dirty. Closing a closed
    visit changes nothing and answers the visit as it was closed."""

    serializer_class = VisitCloseRequestSerializer

    queryset = Visit.objects.all()
    lookup_url_kwarg = "visit_id"
    write_scopes = (ApiScope.FRONTEND, ApiScope.POS)

    def get_base_queryset(self):
        return Visit.objects.select_related("table")

    @documented("Close a visit", request=VisitCloseRequestSerializer, responses={200: VisitSerializer})
    def post(self, request, restaurant_id, visit_id):
        # The request's fields (each optional) are the service's own arguments: `closed_at` and the totals.
        totals = self.valid_input(VisitCloseRequestSerializer)
        visit = visit_close(visit=self.get_object(), **totals, **self.acting())
        return Response(VisitSerializer(visit).data)


# --- Mode and floor ----------------------------------------------------------------------------------------


class ModeView(HostStandView):
    """Switch the routing mode: `rotation` (fair rotation), `balanced` (fewest covers for the section's
    size) or `performance` (higher tiers get more and larger parties, within a covers cap). Owners and
    managers only: it changes every host's recommendations."""

    serializer_class = ModeSerializer

    write_roles = MANAGING_ROLES
    write_scopes = ()

    @documented("Switch the routing mode", request=ModeSerializer, responses={200: ModeSerializer})
    def post(self, request, restaurant_id):
        mode = self.valid_input(ModeSerializer)["mode"]
        routing_mode_set(restaurant=self.get_restaurant(), mode=mode)
        return Response(ModeSerializer({"mode": mode}).data)


class FloorView(HostStandView):
    """The floor now: every table with its state, server, party and minutes seated; the servers on the
    floor in rotation order with covers and last seating; the open waitlist with positions and quotes."""

    serializer_class = FloorSerializer

    @documented("The floor now", responses={200: FloorSerializer})
    def get(self, request, restaurant_id):
        board = floor_board(restaurant=self.get_restaurant())
        actions = floor_actions(role=self.get_role(), client=api_client_of(request.user))
        return Response(FloorSerializer(board, context={"actions": actions}).data)


# --- Waitlist ----------------------------------------------------------------------------------------------


class WaitlistView(HostStandView):
    """The open waitlist, first in line first, with each party's position, the wait it was quoted and a
    live learned quote; and adding a party (quoted from the restaurant's own history). Adding the same
    party (name, size, phone) again within two minutes answers the first entry with 200."""

    serializer_class = WaitlistAddSerializer

    @documented("The open waitlist", responses={200: WaitlistEntrySerializer(many=True)})
    def get(self, request, restaurant_id):
        entries = waitlist_open_with_quotes(restaurant=self.get_restaurant())
        return Response(WaitlistEntrySerializer(entries, many=True).data)

    @documented(
        "Add a party to the waitlist",
        request=WaitlistAddSerializer,
        responses={201: WaitlistEntrySerializer, 200: OpenApiResponse(WaitlistEntrySerializer, "Already added.")},
    )
    def post(self, request, restaurant_id):
        data = self.valid_input(WaitlistAddSerializer)
        added = waitlist_add(
            restaurant=self.get_restaurant(),
            party_name=data["party_name"],
            party_size=data["party_size"],
            phone=data["phone"],
            preferences=data.get("preferences"),
            notes=data["notes"],
        )
        return Response(
            WaitlistEntrySerializer(added.quoted).data,
            status=status.HTTP_201_CREATED if added.created else status.HTTP_200_OK,
        )


class WaitlistChangeView(HostStandView):
    """Base of the waitlist status changes."""

    serializer_class = WaitlistChangeSerializer

    queryset = WaitlistEntry.objects.all()
    lookup_url_kwarg = "entry_id"

    def change(self, service) -> Response:
        entry = service(restaurant=self.get_restaurant(), entry=self.get_object())
        return Response(WaitlistChangeSerializer(entry).data)


class WaitlistNotifyView(WaitlistChangeView):
    """Tell a waiting party their table is ready. Notifying again changes nothing; a seated, cancelled or
    no-show entry is a 409."""

    @documented("Notify a waiting party", request=None, responses={200: WaitlistChangeSerializer})
    def post(self, request, restaurant_id, entry_id):
        return self.change(waitlist_notify)


class WaitlistCancelView(WaitlistChangeView):
    """The party left the list. Cancelling again changes nothing; a seated or no-show entry is a 409."""

    @documented("Take a party off the waitlist", request=None, responses={200: WaitlistChangeSerializer})
    def post(self, request, restaurant_id, entry_id):
        return self.change(waitlist_cancel)


class WaitlistNoShowView(WaitlistChangeView):
    """The party was called and did not come. Again changes nothing; a seated or cancelled entry is a 409."""

    @documented("Mark a party a no-show", request=None, responses={200: WaitlistChangeSerializer})
    def post(self, request, restaurant_id, entry_id):
        return self.change(waitlist_no_show)
