"""Signs and posts deliveries to `POST /api/v1/pos/events` as a POS would, with the Standard Webhooks
package (never a hand-made HMAC): `PosSender(issued_key).send("check.opened", {...}, at=...)`."""

import json
import uuid
from datetime import UTC, datetime

from rest_framework.test import APIClient
from standardwebhooks import Webhook

URL = "/api/v1/pos/events"


def signed_headers(secret: str, event_id: str, body: str, signed_at: datetime | None = None) -> dict[str, str]:
    """The three headers, as HTTP_ META keys for Django's test client."""
    signed_at = signed_at or datetime.now(UTC)
    signature = Webhook(secret).sign(event_id, signed_at, body)
    return {
        "HTTP_WEBHOOK_ID": event_id,
        "HTTP_WEBHOOK_TIMESTAMP": str(int(signed_at.timestamp())),
        "HTTP_WEBHOOK_SIGNATURE": signature,
    }


def envelope(event_type: str, data: dict, at: datetime) -> str:
    return json.dumps({"type": event_type, "timestamp": at.isoformat(), "data": data})


class PosSender:
    """A POS integration: an API key (`IssuedKey`, from `api_client_create`) signing each body with the
    key's secret. Each sender has its own test client; make one per thread."""

    def __init__(self, issued):
        self.issued = issued
        self.secret = issued.client.signing_secret
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f"Api-Key {issued.key}")

    def post(self, body: str, event_id: str, **headers):
        signed = signed_headers(self.secret, event_id, body)
        return self.api.generic("POST", URL, body, content_type="application/json", **{**signed, **headers})

    def send(self, event_type: str, data: dict, *, at: datetime | None = None, event_id: str | None = None):
        at = at or datetime.now(UTC)
        return self.post(envelope(event_type, data, at), event_id or f"evt_{uuid.uuid4().hex}")
