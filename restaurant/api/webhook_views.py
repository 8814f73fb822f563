"""Outgoing webhooks over the API: a restaurant's endpoints (CRUD, rotate the secret, turn back on, send a
test event) and its deliveries (list, replay). For owners and managers, and keys with the `webhooks`
scope; hosts and staff get 403."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from restaurant.api.scoping import RestaurantScopedMixin
from restaurant.api.webhook_serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointInputSerializer,
    WebhookEndpointSecretSerializer,
    WebhookEndpointSerializer,
)
from restaurant.models import MANAGING_ROLES, ApiScope, DeliveryAttempt, OutboxEvent, WebhookEndpoint
from restaurant.selectors import api_client_of
from restaurant.services.webhooks import (
    outbox_event_replay,
    webhook_endpoint_create,
    webhook_endpoint_enable,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_send_test,
    webhook_endpoint_update,
)

TAGS = ["webhooks"]


class WebhookManagerPermission(permissions.BasePermission):
    """Reads and writes for the restaurant's owners and managers, and keys with the `webhooks` scope."""

    def has_permission(self, request, view):
        role = view.get_role()  # 404 for a restaurant the caller cannot see
        if role is None:
            return False
        if view.lookup_url_kwarg_value() is not None:
            view.get_object()  # an unknown id (or another restaurant's) is a 404 before any 403
        client = api_client_of(request.user)
        if client is not None:
            return client.has_scope(ApiScope.WEBHOOKS)
        return role in MANAGING_ROLES


class WebhookScopedMixin(RestaurantScopedMixin):
    permission_classes = [permissions.IsAuthenticated, WebhookManagerPermission]


ENDPOINT_EXAMPLE = OpenApiExample(
    "A POS that wants table states and closed visits",
    value={
        "name": "Main POS",
        "url": "https://pos.example.com/hooks/restaurant-ops",
        "event_types": ["table.state_changed", "visit.closed"],
    },
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(summary="The restaurant's webhook endpoints"),
    retrieve=extend_schema(summary="One webhook endpoint and its health"),
    create=extend_schema(
        summary="Register an endpoint (its signing secret is answered once)",
        request=WebhookEndpointInputSerializer,
        responses={201: WebhookEndpointSecretSerializer},
        examples=[ENDPOINT_EXAMPLE],
    ),
    partial_update=extend_schema(
        summary="Change an endpoint (active: false turns it off; true turns it back on)",
        request=WebhookEndpointInputSerializer,
        responses={200: WebhookEndpointSerializer},
    ),
    destroy=extend_schema(summary="Remove an endpoint and its delivery log"),
)
@extend_schema(tags=TAGS)
class WebhookEndpointViewSet(WebhookScopedMixin, viewsets.ModelViewSet):
    """Where the restaurant's events are posted, signed with each endpoint's own secret."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    ordering_fields = ["name", "id", "created_at"]
    ordering = ["name", "id"]

    def create(self, request, *args, **kwargs):
        given = WebhookEndpointInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        issued = webhook_endpoint_create(restaurant=self.get_restaurant(), **given.validated_data)
        return Response(WebhookEndpointSecretSerializer(issued.endpoint).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        given = WebhookEndpointInputSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_update(endpoint=self.get_object(), **given.validated_data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        summary="Issue a new signing secret (answered once)", request=None, responses=WebhookEndpointSecretSerializer
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, *args, **kwargs):
        issued = webhook_endpoint_rotate_secret(endpoint=self.get_object())
        return Response(WebhookEndpointSecretSerializer(issued.endpoint).data)

    @extend_schema(
        summary="Turn an endpoint back on (failure count reset; pending events sent)",
        request=None,
        responses=WebhookEndpointSerializer,
    )
    @action(detail=True, methods=["post"])
    def enable(self, request, *args, **kwargs):
        endpoint = webhook_endpoint_enable(endpoint=self.get_object())
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        summary="Send a webhook.test event to this endpoint", request=None, responses={202: WebhookDeliverySerializer}
    )
    @action(detail=True, methods=["post"])
    def test(self, request, *args, **kwargs):
        event = webhook_endpoint_send_test(endpoint=self.get_object())
        return Response(WebhookDeliverySerializer(event).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(summary="Deliveries, newest first, with their attempts"),
    retrieve=extend_schema(summary="One delivery and its attempts"),
)
@extend_schema(tags=TAGS)
class WebhookDeliveryViewSet(
    WebhookScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Every event sent (or to send) to the restaurant's endpoints. Filter by endpoint, status, event_type."""

    queryset = OutboxEvent.objects.all()
    serializer_class = WebhookDeliverySerializer
    filterset_fields = ["endpoint", "status", "event_type"]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_base_queryset(self):
        attempts = DeliveryAttempt.objects.order_by("-started_at", "-id")
        return OutboxEvent.objects.prefetch_related(Prefetch("delivery_attempts", attempts))

    @extend_schema(
        summary="Send again from the first attempt (same webhook-id)",
        request=None,
        responses={202: WebhookDeliverySerializer},
    )
    @action(detail=True, methods=["post"])
    def replay(self, request, *args, **kwargs):
        event = outbox_event_replay(event=self.get_object())
        return Response(WebhookDeliverySerializer(event).data, status=status.HTTP_202_ACCEPTED)
