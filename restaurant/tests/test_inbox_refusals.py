"""1,000 bad deliveries to `POST /api/v1/pos/events` from a seeded generator: no key or a wrong one,
unsigned, signed with another secret, a garbled signature, expired or early timestamps, a body changed
after signing, and signed bodies that break the contract (unknown type, missing or mistyped fields,
amounts that are numbers or have three decimals, naive timestamps, bodies that are not JSON objects).
Every answer is a 4xx in the one error shape, never a 500, and not one row of any table changes."""

import copy
import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps

from floor.tests.factories import SectionFactory, TableFactory
from restaurant.models import ApiClient, ApiScope, InboxEvent
from restaurant.services import api_client_create
from restaurant.tests.webhook_sender import URL, PosSender, signed_headers
from staff.tests.factories import ShiftFactory, StaffMemberFactory

DELIVERIES = 1000
SEED = 20260306
AT = "2026-03-06T18:00:00Z"
VALID = {
    "check.opened": {"check_id": "C1", "table_label": "T1", "server_id": "EMP-1", "party_size": 2},
    "check.item_added": {
        "check_id": "C1",
        "line_id": "L1",
        "menu_item_id": "SKU-1",
        "name": "Soup",
        "category": "appetizer",
        "quantity": 1,
        "unit_price": "8.50",
    },
    "check.item_voided": {"check_id": "C1", "line_id": "L1"},
    "check.closed": {"check_id": "C1", "subtotal": "8.50", "tax": "0.75", "tip": "2.00", "discounts": "0.00"},
    "table.cleared": {"table_label": "T1"},
    "staff.clock_in": {"staff_id": "EMP-1"},
    "staff.clock_out": {"staff_id": "EMP-1"},
    "menu.item_upserted": {"menu_item_id": "SKU-1", "name": "Soup", "category": "appetizer", "price": "8.50"},
}
AMOUNTS = {"unit_price", "subtotal", "tax", "tip", "discounts", "price"}
WRONG_VALUES = [None, True, [], {}, 1.5, "", " ", "x" * 300, -1, 10**30]
BAD_AMOUNTS = [12.5, 12, "12.505", "-1.00", "1e3", "12,50", "NaN", "Infinity", "100000000.00", " 1.00"]


def row_counts() -> dict[str, int]:
    """Every table of every installed app."""
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def broken_body(rng: random.Random) -> str:
    """A body that breaks the contract in one way, chosen by the generator."""
    event_type = rng.choice(sorted(VALID))
    body = {"type": event_type, "timestamp": AT, "data": copy.deepcopy(VALID[event_type])}
    data = body["data"]
    how = rng.randrange(12)
    if how == 0:
        del data[rng.choice(sorted(data))]
    elif how == 1:
        data[rng.choice(sorted(data))] = rng.choice(WRONG_VALUES)
        if all(value == VALID[event_type].get(key) for key, value in data.items()):
            data["unexpected"] = 1
    elif how == 2 and AMOUNTS & set(data):
        data[rng.choice(sorted(AMOUNTS & set(data)))] = rng.choice(BAD_AMOUNTS)
    elif how == 3:
        body["type"] = rng.choice(["check.reopened", "", "CHECK.OPENED", 7, None, "table.cleared "])
    elif how == 4:
        body["timestamp"] = rng.choice(["2026-03-06T18:00:00", "yesterday", "", 1741284000, None, "2026-13-40T99:00Z"])
    elif how == 5:
        body[rng.choice(["extra", "id", "event"])] = "x"
    elif how == 6:
        data[rng.choice(["note", "Check_id", "table"])] = "x"
    elif how == 7:
        body["data"] = rng.choice([[], "data", 3, None])
    elif how == 8:
        return json.dumps(rng.choice([[body], "check.opened", 42, None]))
    elif how == 9:
        return rng.choice(["{", "not json", '{"type": }', "[" * 100 + "]" * 100, "{" + '"a":{' * 40 + "}" * 41])
    elif how == 10:
        del body[rng.choice(["type", "timestamp", "data"])]
    else:
        numbers = {"party_size": [0, 101, "2", 2.0], "quantity": [0, 1000, "1", 1.0]}
        field = next((name for name in numbers if name in data), None)
        if field is None:
            data["unexpected"] = True
        else:
            data[field] = rng.choice(numbers[field])
    return json.dumps(body)


def good_body(rng: random.Random) -> str:
    event_type = rng.choice(sorted(VALID))
    return json.dumps({"type": event_type, "timestamp": AT, "data": VALID[event_type]})


def bad_delivery(rng: random.Random, sender: PosSender, other_secret: str, number: int) -> dict:
    """A request (key, headers, body) that must be refused, and what kind of refusal it is."""
    event_id = f"evt_bad_{number}"
    now = datetime.now(UTC)
    body = good_body(rng)
    headers = signed_headers(sender.secret, event_id, body)
    key = f"Api-Key {sender.issued.key}"
    kind = rng.choice(
        ["no_key", "wrong_key", "unsigned", "other_secret", "garbled", "expired", "early", "tampered", "id", "body"]
    )
    if kind == "no_key":
        key = None
    elif kind == "wrong_key":
        key = rng.choice([f"Api-Key {sender.issued.key[:-2]}xx", "Api-Key short", "Api-Key " + "k" * 43])
    elif kind == "unsigned":
        for name in rng.sample(sorted(headers), rng.randint(1, 3)):
            del headers[name]
    elif kind == "other_secret":
        headers = signed_headers(other_secret, event_id, body)
    elif kind == "garbled":
        headers["HTTP_WEBHOOK_SIGNATURE"] = rng.choice(
            ["v1", "v1,", "v1,@@@", "v2," + headers["HTTP_WEBHOOK_SIGNATURE"][3:], "v1,abc=", ",", " ", "v1,YQ v1"]
        )
    elif kind == "expired":
        stamp = now - timedelta(minutes=rng.uniform(5.1, 60 * 24 * 30))
        headers = signed_headers(sender.secret, event_id, body, signed_at=stamp)
    elif kind == "early":
        stamp = now + timedelta(minutes=rng.uniform(5.1, 60 * 24 * 30))
        headers = signed_headers(sender.secret, event_id, body, signed_at=stamp)
    elif kind == "tampered":
        body = body.replace("C1", "C2").replace("EMP-1", "EMP-2").replace("T1", "T2")
    elif kind == "id":
        headers["HTTP_WEBHOOK_ID"] = event_id + "-retry"
    else:
        body = broken_body(rng)
        headers = signed_headers(sender.secret, event_id, body)
    if key is not None:
        headers["HTTP_AUTHORIZATION"] = key
    return {"kind": kind, "body": body, "headers": headers}


@pytest.mark.django_db
def test_a_thousand_bad_deliveries_are_all_refused_with_a_4xx_and_write_nothing(restaurant, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "client": "100000/min"},
    }
    section = SectionFactory(restaurant=restaurant)
    TableFactory(section=section, label="T1")
    ShiftFactory(staff=StaffMemberFactory(restaurant=restaurant, pos_id="EMP-1"))
    sender = PosSender(api_client_create(restaurant=restaurant, name="POS", scopes=[ApiScope.POS]))
    other = api_client_create(restaurant=restaurant, name="Other POS", scopes=[ApiScope.POS])
    rng = random.Random(SEED)
    before = row_counts()
    statuses: dict[str, set[int]] = {}
    for number in range(DELIVERIES):
        delivery = bad_delivery(rng, sender, other.client.signing_secret, number)
        sender.api.credentials()  # the key (or none) goes in the delivery's own headers
        response = sender.api.generic(
            "POST", URL, delivery["body"], content_type="application/json", **delivery["headers"]
        )
        assert 400 <= response.status_code < 500, (delivery, response.status_code, response.content[:300])
        assert set(response.json()["error"]) == {"code", "message", "details"}
        statuses.setdefault(delivery["kind"], set()).add(response.status_code)
    assert row_counts() == before
    assert ApiClient.objects.filter(last_used_at__isnull=False).count() == 0  # not even the key's last use
    assert not InboxEvent.objects.exists()
    assert statuses["no_key"] == statuses["wrong_key"] == {401}
    assert set().union(*(codes for kind, codes in statuses.items() if "key" not in kind)) == {400}
    assert len(statuses) == 10  # every kind was drawn
