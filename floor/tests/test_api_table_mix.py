"""The table mix at the host stand (`POST .../route` and `.../route-next`): a 4-top is kept for the party of
4 waiting when a 2-top frees within the restaurant's `table_mix_minutes`, the sentence saying so; what
it costs in queries. Small hand-built floors, through the API."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from floor.models import TableState
from floor.tests.factories import TableFactory, WaitlistEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tables(main):
    """A free 4-top (4) and a 2-top (2) being bussed for two minutes: the quote model expects it free in a
    few minutes (bussing takes about six with no history)."""
    four = TableFactory(section=main, label="4", min_seats=1, max_seats=4)
    two = TableFactory(
        section=main,
        label="2",
        min_seats=1,
        max_seats=2,
        state=TableState.DIRTY,
        state_changed_at=timezone.now() - timedelta(minutes=2),
    )
    return four, two


def route(api, base, **body):
    return api.post(f"{base}/route", body, format="json")


def route_next(api, base):
    return api.post(f"{base}/route-next", format="json")


def set_table_mix(restaurant, minutes):
    restaurant.routing_settings = {**(restaurant.routing_settings or {}), "table_mix_minutes": minutes}
    restaurant.save(update_fields=["routing_settings"])


KEPT = "Table 4 (4-top) is kept for the party of 4 waiting; Table 2 (2-top) should free in about "


def test_a_couple_walking_in_is_not_given_the_4_top_a_waiting_4_needs(host_api, base, restaurant, ana, tables):
    WaitlistEntryFactory(restaurant=restaurant, party_name="Garcia", party_size=4)

    body = route(host_api, base, party_size=2).json()

    assert body["recommendations"] == []
    assert body["reason"].startswith(KEPT)
    assert body["reason"].endswith(" min for this party of 2")
    minutes = int(body["reason"][len(KEPT) :].split()[0])
    assert 1 <= minutes <= 10


def test_the_waiting_4_routed_itself_gets_the_4_top(host_api, base, restaurant, ana, tables):
    four, _ = tables
    garcia = WaitlistEntryFactory(restaurant=restaurant, party_name="Garcia", party_size=4)

    body = route(host_api, base, party_size=4, waitlist_entry_id=garcia.pk).json()

    assert body["recommendations"][0]["table_id"] == four.pk  # it is not kept from the party it is kept for


@pytest.mark.parametrize(
    "case",
    ["table mix off", "nobody larger waits", "the 2-top frees too late", "a second 4-top is free"],
)
def test_the_couple_gets_the_4_top_when_the_rule_does_not_apply(host_api, base, restaurant, main, ana, tables, case):
    four, two = tables
    WaitlistEntryFactory(restaurant=restaurant, party_size=2 if case == "nobody larger waits" else 4)
    if case == "table mix off":
        set_table_mix(restaurant, 0)
    elif case == "the 2-top frees too late":
        set_table_mix(restaurant, 1)  # about four minutes of bussing left: longer than one
    elif case == "a second 4-top is free":
        TableFactory(section=main, label="4b", min_seats=1, max_seats=4)

    body = route(host_api, base, party_size=2).json()

    assert body["recommendations"], body["reason"]
    assert body["recommendations"][0]["table_id"] == four.pk or case == "a second 4-top is free"
    assert body["recommendations"][0]["reason"].startswith("Table 4")
    assert two.pk not in [rec["table_id"] for rec in body["recommendations"]]


def test_route_next_seats_the_waiting_4_and_says_why_the_couple_ahead_waits(host_api, base, restaurant, ana, tables):
    four, _ = tables
    smith = WaitlistEntryFactory(restaurant=restaurant, party_name="Smith", party_size=2)
    garcia = WaitlistEntryFactory(restaurant=restaurant, party_name="Garcia", party_size=4)

    body = route_next(host_api, base).json()

    assert (body["waitlist_entry_id"], body["position"]) == (garcia.pk, 2)
    assert body["recommendations"][0]["table_id"] == four.pk
    [passed] = body["passed_over"]
    assert passed["waitlist_entry_id"] == smith.pk
    assert passed["reason"].startswith(f"Smith (2): {KEPT}")


def test_route_next_without_a_larger_party_behind_seats_the_couple_at_the_4_top(
    host_api, base, restaurant, ana, tables
):
    four, _ = tables
    smith = WaitlistEntryFactory(restaurant=restaurant, party_name="Smith", party_size=2)
    WaitlistEntryFactory(restaurant=restaurant, party_name="Lee", party_size=2)

    body = route_next(host_api, base).json()

    assert (body["waitlist_entry_id"], body["recommendations"][0]["table_id"]) == (smith.pk, four.pk)


# -- queries ----------------------------------------------------------------------------------------


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200, response.content
    return len(queries)


def test_the_table_mix_costs_no_query_once_the_quote_model_is_loaded(host_api, base, restaurant, ana, tables):
    # Nobody waiting: the queue is read (one query) and there is nothing to keep a table for.
    alone = _queries(lambda: route(host_api, base, party_size=4))
    WaitlistEntryFactory(restaurant=restaurant, party_name="Garcia", party_size=4)
    cold = _queries(lambda: route(host_api, base, party_size=2))
    warm = _queries(lambda: route(host_api, base, party_size=2))
    next_warm = _queries(lambda: route_next(host_api, base))

    # Session, user, restaurant, role; the queue; sections, tables, shifts, visits; the decision's insert.
    assert alone == warm == 10
    assert cold == warm + 3  # the model's history: visits, bussings, waitlist outcomes, once a quarter hour
    assert next_warm == warm
