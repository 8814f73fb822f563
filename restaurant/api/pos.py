"""`POST /api/v1/pos/events`: a POS's signed events into the inbox (restaurant.services.inbox).

The view reads the raw body, because the signature covers its exact bytes: the signature is checked
first, then the JSON is parsed (the API's parser and limits), then the inbox records and applies it.
API keys only (with the `pos` scope): a session cannot sign."""

import io

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from restaurant.api.parsers import JSONParser
from restaurant.authentication import ApiKeyAuthentication, touch_last_used
from restaurant.models import ApiScope, InboxStatus
from restaurant.selectors import api_client_of
from restaurant.services.inbox import inbox_receive, inbox_signature_verify

AT = "2026-03-06T19:42:10Z"
EXAMPLES = {
    "check.opened": {"check_id": "1042", "table_label": "T12", "server_id": "EMP-7", "party_size": 4},
    "check.item_added": {
        "check_id": "1042",
        "line_id": "1042-1",
        "menu_item_id": "SKU-PINOT",
        "name": "Pinot Noir (glass)",
        "category": "alcohol",
        "quantity": 2,
        "unit_price": "14.00",
    },
    "check.item_voided": {"check_id": "1042", "line_id": "1042-1"},
    "check.closed": {"check_id": "1042", "subtotal": "112.00", "tax": "9.52", "tip": "22.00", "discounts": "0.00"},
    "table.cleared": {"table_label": "T12"},
    "staff.clock_in": {"staff_id": "EMP-7", "role": "server"},
    "staff.clock_out": {"staff_id": "EMP-7"},
    "menu.item_upserted": {
        "menu_item_id": "SKU-PINOT",
        "name": "Pinot Noir (glass)",
        "category": "alcohol",
        "price": "14.00",
        "active": True,
    },
}


class PosScopePermission(permissions.BasePermission):
    message = "This API key lacks the pos scope."

    def has_permission(self, request, view):
        client = api_client_of(request.user)
        return client is not None and client.has_scope(ApiScope.POS)


class PosEventSerializer(serializers.Serializer):
    """The body (documentation only: the view checks the signature over the raw bytes first)."""

    type = serializers.CharField(help_text="The event type, e.g. check.opened (see the examples).")
    timestamp = serializers.DateTimeField(help_text="When it happened at the POS (ISO 8601, with its offset).")
    data = serializers.DictField(help_text="The event's fields: docs/pos-integration.md lists each type's.")


class PosEventReceiptSerializer(serializers.Serializer):
    """What became of a delivery (serializes an inbox `Receipt`)."""

    event_id = serializers.CharField(source="event.event_id", help_text="The delivery's webhook-id.")
    type = serializers.CharField(source="event.event_type")
    status = serializers.ChoiceField(
        source="event.status",
        choices=[InboxStatus.PROCESSED, InboxStatus.HELD, InboxStatus.FAILED, InboxStatus.RECEIVED],
        help_text="processed; held (waits for an earlier event, applied when it comes); failed (retried).",
    )
    duplicate = serializers.BooleanField(help_text="A copy of a delivery recorded before: nothing changed.")
    attempts = serializers.IntegerField(source="event.attempts")
    held_key = serializers.CharField(source="event.held_key", help_text="What a held event waits for: check:1042.")
    error = serializers.CharField(source="event.error", help_text="Why the last attempt failed (it is retried).")


def _signature_header(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True, description=description)


class PosEventsView(APIView):
    """A POS delivers its events here, each signed by the Standard Webhooks specification."""

    authentication_classes = [ApiKeyAuthentication]
    # The key's last use is noted once a delivery is accepted: a refused delivery writes nothing at all.
    notes_key_use_itself = True
    permission_classes = [permissions.IsAuthenticated, PosScopePermission]

    @extend_schema(
        tags=["pos"],
        summary="Deliver a POS event (signed; recorded and applied once per webhook-id)",
        description=(
            "Headers `webhook-id` (the delivery's id: a retry sends the same one), `webhook-timestamp` (Unix "
            "seconds, within 5 minutes of our clock) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "
            '"{id}.{timestamp}.{body}">` keyed with the base64 part of the key\'s `whsec_` secret; several, '
            "space-separated, while rotating). 200: processed, or a duplicate that changed nothing. 202: "
            "recorded, held until an earlier event arrives, or failed and retried with backoff. 400: bad "
            "signature, timestamp or body, nothing written. See docs/pos-integration.md."
        ),
        parameters=[
            _signature_header("webhook-id", "The delivery's unique id; a retry of it sends the same id."),
            _signature_header("webhook-timestamp", "When it was signed, in whole seconds since 1970 (UTC)."),
            _signature_header("webhook-signature", "Space-separated `v1,<base64>` signatures."),
        ],
        request=PosEventSerializer,
        responses={
            200: OpenApiResponse(PosEventReceiptSerializer, description="Processed, or a duplicate."),
            202: OpenApiResponse(PosEventReceiptSerializer, description="Recorded; held or failed (retried)."),
        },
        examples=[
            OpenApiExample(event_type, value={"type": event_type, "timestamp": AT, "data": data}, request_only=True)
            for event_type, data in EXAMPLES.items()
        ],
    )
    def post(self, request):
        if request.content_type != "application/json":
            raise exceptions.UnsupportedMediaType(request.content_type)
        client = api_client_of(request.user)
        body = request.body
        event_id = inbox_signature_verify(client=client, headers=request.headers, body=body)
        envelope = JSONParser().parse(io.BytesIO(body), parser_context={"request": request, "encoding": "utf-8"})
        receipt = inbox_receive(client=client, event_id=event_id, envelope=envelope)
        touch_last_used(client)
        accepted = receipt.duplicate or receipt.event.status == InboxStatus.PROCESSED
        return Response(
            PosEventReceiptSerializer(receipt).data, status=status.HTTP_200_OK if accepted else status.HTTP_202_ACCEPTED
        )
