"""`POST /api/v1/restaurants/{id}/route` and seating what it recommends: the contract's field names,
who may ask, bad input, the query budget through the API, and retries that must not seat twice."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from floor.models import RoutingDecision, TableState, Visit, WaitlistStatus
from floor.tests.factories import SectionFactory, TableFactory, WaitlistEntryFactory
from floor.tests.floor_setup import server_on_floor

pytestmark = pytest.mark.django_db


@pytest.fixture
def four_top(main):
    return TableFactory(section=main, label="12", min_seats=2, max_seats=4)


def route(api, base, **body):
    return api.post(f"{base}/route", body, format="json")


def test_a_host_gets_ranked_recommendations_with_the_contract_fields(host_api, base, main, ana, four_top):
    TableFactory(section=main, label="20", min_seats=1, max_seats=6)

    response = route(host_api, base, party_size=4)

    assert response.status_code == 200, response.content
    body = response.json()
    first, second = body["recommendations"]
    for field in ("table_id", "server_id", "score", "reason", "table_ids", "table_label", "server_name", "breakdown"):
        assert field in first
    assert (first["table_id"], first["server_id"], first["table_label"]) == (four_top.pk, ana.pk, "12")
    assert first["server_name"] == "Ana Lopez"
    assert first["reason"].startswith("Table 12 (4-top, exact fit) with Ana: next in rotation")
    assert first["score"] == sum(first["breakdown"].values())
    assert first["score"] > second["score"]  # best first
    assert body["reason"] == ""
    decision = RoutingDecision.objects.get(pk=body["routing_decision_id"])
    assert (decision.recommended_table_id, decision.recommended_server_id) == (four_top.pk, ana.pk)


def test_nothing_fits_gives_an_empty_list_with_a_reason(host_api, base, main, four_top):
    response = route(host_api, base, party_size=2)

    assert response.status_code == 200
    assert response.json()["recommendations"] == []
    assert response.json()["reason"] == "no server on the floor"


def test_a_party_too_large_for_one_table_gets_tables_pushed_together(host_api, base, restaurant, main, ana):
    left = TableFactory(section=main, label="A", max_seats=4, combinable_group="window")
    right = TableFactory(section=main, label="B", max_seats=4, combinable_group="window")

    first = route(host_api, base, party_size=8).json()["recommendations"][0]

    assert first["table_ids"] == [left.pk, right.pk]
    assert first["table_label"] == "A+B"
    assert first["table_id"] == left.pk


def test_a_waitlist_entry_brings_its_preferences(host_api, base, restaurant, main, ana):
    TableFactory(section=main, label="plain", max_seats=4)
    booth = TableFactory(section=main, label="booth", max_seats=4, is_booth=True)
    entry = WaitlistEntryFactory(restaurant=restaurant, party_size=4, preferences={"feature": "booth"})

    body = route(host_api, base, party_size=4, waitlist_entry_id=entry.pk).json()

    assert body["recommendations"][0]["table_id"] == booth.pk
    assert body["preferences"] == {"feature": "booth"}
    assert RoutingDecision.objects.get(pk=body["routing_decision_id"]).waitlist_entry == entry


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "party_size"),
        ({"party_size": 0}, "party_size"),
        ({"party_size": "four"}, "party_size"),
        ({"party_size": 101}, "party_size"),
        ({"party_size": 2, "preferences": {"feature": "jacuzzi"}}, "preferences.feature"),
        ({"party_size": 2, "preferences": {"colour": "red"}}, "preferences"),
        ({"party_size": 2, "preferences": "booth"}, "preferences"),
        ({"party_size": 2, "preferences": {"section_id": 999999}}, "preferences.section_id"),
        ({"party_size": 2, "waitlist_entry_id": 999999}, "waitlist_entry_id"),
        ({"party_size": 2, "limit": 0}, "limit"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_records_nothing(host_api, base, ana, four_top, body, field):
    response = route(host_api, base, **body)

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["details"]
    assert RoutingDecision.objects.count() == 0


def test_another_restaurants_waitlist_entry_is_an_unknown_id(host_api, base, other_restaurant, ana, four_top):
    theirs = WaitlistEntryFactory(restaurant=other_restaurant)

    response = route(host_api, base, party_size=2, waitlist_entry_id=theirs.pk)

    assert response.status_code == 400
    assert "waitlist_entry_id" in response.json()["error"]["details"]


def test_a_seated_waitlist_entry_cannot_be_routed(host_api, base, restaurant, ana, four_top):
    entry = WaitlistEntryFactory(restaurant=restaurant, status=WaitlistStatus.SEATED)

    response = route(host_api, base, party_size=2, waitlist_entry_id=entry.pk)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "waitlist_entry_closed"


def test_who_may_ask_for_a_route(
    base, ana, four_top, manager_api, staff_api, outsider_api, api_client, make_key_api, restaurant
):
    assert route(manager_api, base, party_size=2).status_code == 200
    assert route(make_key_api(restaurant, scopes=["frontend"]), base, party_size=2).status_code == 200
    assert route(make_key_api(restaurant, scopes=["pos"], name="POS"), base, party_size=2).status_code == 403
    assert route(staff_api, base, party_size=2).status_code == 403
    assert route(outsider_api, base, party_size=2).status_code == 404
    assert route(api_client, base, party_size=2).status_code in (401, 403)
    assert RoutingDecision.objects.count() == 2


def _floor_of(restaurant, n_tables: int, n_servers: int):
    sections = [SectionFactory(restaurant=restaurant, name=f"S{i}") for i in range(3)]
    for i in range(n_servers):
        server_on_floor(restaurant, section=sections[i % 3])
    for i in range(n_tables):
        TableFactory(section=sections[i % 3], label=f"T{i}", max_seats=2 + 2 * (i % 3))


def _route_queries(host_api, restaurant) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = host_api.post(f"/api/v1/restaurants/{restaurant.pk}/route", {"party_size": 4}, format="json")
    assert response.status_code == 200
    assert response.json()["recommendations"]
    return len(queries)


def test_routing_through_the_api_costs_the_same_queries_for_10_or_60_tables(
    host_api, restaurant, other_restaurant, host_user
):
    from restaurant.tests.factories import MembershipFactory

    _floor_of(restaurant, 10, 3)
    _floor_of(other_restaurant, 60, 15)
    MembershipFactory(user=host_user, restaurant=other_restaurant, role="host")

    small = _route_queries(host_api, restaurant)
    large = _route_queries(host_api, other_restaurant)

    # Session, user, restaurant, role; sections, tables, shifts, visits; the decision's insert.
    assert small == large
    assert small <= 10


def test_seating_the_top_recommendation_records_that_the_host_followed_it(host_api, base, ana, four_top):
    decision = route(host_api, base, party_size=4).json()
    top = decision["recommendations"][0]

    response = host_api.post(
        f"{base}/tables/{top['table_id']}/seat",
        {"party_size": 4, "server_id": top["server_id"], "routing_decision_id": decision["routing_decision_id"]},
        format="json",
    )

    assert response.status_code == 201, response.content
    visit = response.json()
    assert (visit["routing_decision_id"], visit["followed_recommendation"]) == (decision["routing_decision_id"], True)
    stored = RoutingDecision.objects.get(pk=decision["routing_decision_id"])
    assert (stored.visit_id, stored.chosen_table_id, stored.followed) == (visit["id"], four_top.pk, True)


def test_seating_elsewhere_records_that_the_host_did_not_follow(host_api, base, main, ana, four_top):
    other = TableFactory(section=main, label="30", max_seats=6)
    decision = route(host_api, base, party_size=4).json()

    response = host_api.post(
        f"{base}/tables/{other.pk}/seat",
        {"party_size": 4, "server_id": ana.pk, "routing_decision_id": decision["routing_decision_id"]},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["followed_recommendation"] is False


def test_a_retried_seating_with_the_same_decision_is_a_409_not_a_second_visit(host_api, base, main, ana, four_top):
    TableFactory(section=main, label="31", max_seats=4)
    decision = route(host_api, base, party_size=4).json()
    top = decision["recommendations"][0]
    body = {"party_size": 4, "server_id": top["server_id"], "routing_decision_id": decision["routing_decision_id"]}

    first = host_api.post(f"{base}/tables/{top['table_id']}/seat", body, format="json")
    again = host_api.post(f"{base}/tables/{top['table_id']}/seat", body, format="json")
    second = decision["recommendations"][1]
    elsewhere = host_api.post(f"{base}/tables/{second['table_id']}/seat", body, format="json")

    assert first.status_code == 201
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "table_taken"
    assert elsewhere.status_code == 409
    assert elsewhere.json()["error"]["code"] == "routing_decision_used"
    assert Visit.objects.count() == 1
    four_top.refresh_from_db()
    assert four_top.state == TableState.OCCUPIED


# --- Seating a recommendation of tables pushed together ------------------------------------------------------


def test_a_host_seats_the_pushed_together_recommendation_as_routed(host_api, base, restaurant, ana, window):
    entry = WaitlistEntryFactory(restaurant=restaurant, party_name="Garcia", party_size=8)
    routed = route(host_api, base, party_size=8, waitlist_entry_id=entry.pk).json()
    top = routed["recommendations"][0]
    assert top["table_ids"] == [window[0].pk, window[1].pk]
    assert top["reason"].startswith("Tables W1+W2 (pushed together, 8 seats")

    response = host_api.post(
        f"{base}/tables/{top['table_id']}/seat",
        {
            "party_size": 8,
            "server_id": top["server_id"],
            "table_ids": top["table_ids"],
            "waitlist_entry_id": entry.pk,
            "routing_decision_id": routed["routing_decision_id"],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    visit = response.json()
    assert (visit["table_id"], visit["table_ids"], visit["table_labels"]) == (
        window[0].pk,
        top["table_ids"],
        ["W1", "W2"],
    )
    assert (visit["party_size"], visit["server_id"], visit["followed_recommendation"]) == (8, ana.pk, True)
    states = {t.pk: t.state for t in type(window[0]).objects.filter(pk__in=[t.pk for t in window])}
    assert states == {window[0].pk: "occupied", window[1].pk: "occupied", window[2].pk: "available"}
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.SEATED
    stored = RoutingDecision.objects.get(pk=routed["routing_decision_id"])
    assert (stored.visit_id, stored.chosen_table_id, stored.followed) == (visit["id"], window[0].pk, True)


def test_routing_treats_every_table_of_a_pushed_together_party_as_occupied(host_api, base, restaurant, ana, window):
    host_api.post(
        f"{base}/tables/{window[1].pk}/seat",
        {"party_size": 7, "server_id": ana.pk, "table_ids": [window[0].pk]},
        format="json",
    )

    small = route(host_api, base, party_size=3).json()["recommendations"]
    large = route(host_api, base, party_size=8).json()

    assert [rec["table_ids"] for rec in small] == [[window[2].pk]]
    assert large["recommendations"] == []
    assert large["reason"] == "no free table for 8"


# --- Seat next: POST .../route-next -------------------------------------------------------------------------


def route_next(api, base):
    return api.post(f"{base}/route-next", format="json")


@pytest.fixture
def queue(restaurant):
    """Vance (9) cannot fit a 4-top; Garcia (4), behind him, can."""
    vance = WaitlistEntryFactory(restaurant=restaurant, party_name="Vance", party_size=9)
    garcia = WaitlistEntryFactory(restaurant=restaurant, party_name="Garcia", party_size=4)
    return vance, garcia


def test_route_next_answers_the_first_party_that_fits_and_who_was_passed_over(
    host_api, base, ana, four_top, queue, host_user
):
    vance, garcia = queue

    response = route_next(host_api, base)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["waitlist_entry_id"], body["party_name"], body["party_size"], body["position"]) == (
        garcia.pk,
        "Garcia",
        4,
        2,
    )
    first = body["recommendations"][0]
    assert (first["table_id"], first["server_id"], first["table_label"]) == (four_top.pk, ana.pk, "12")
    assert first["reason"].startswith("Table 12 (4-top, exact fit) with Ana")
    assert body["reason"] == ""
    assert body["passed_over"] == [
        {
            "waitlist_entry_id": vance.pk,
            "party_name": "Vance",
            "party_size": 9,
            "reason": "Vance (9): no table or combination of tables seats 9 (largest table: 4)",
        }
    ]
    decision = RoutingDecision.objects.get(pk=body["routing_decision_id"])
    assert (decision.waitlist_entry, decision.requested_by, decision.recommended_table) == (garcia, host_user, four_top)


def test_seating_what_route_next_answered_seats_that_party_and_follows_the_decision(
    host_api, base, ana, four_top, queue
):
    vance, garcia = queue
    body = route_next(host_api, base).json()
    top = body["recommendations"][0]

    seated = host_api.post(
        f"{base}/tables/{top['table_id']}/seat",
        {
            "party_size": body["party_size"],
            "server_id": top["server_id"],
            "waitlist_entry_id": body["waitlist_entry_id"],
            "routing_decision_id": body["routing_decision_id"],
        },
        format="json",
    )

    assert seated.status_code == 201, seated.content
    assert seated.json()["followed_recommendation"] is True
    garcia.refresh_from_db()
    vance.refresh_from_db()
    assert (garcia.status, vance.status) == (WaitlistStatus.SEATED, WaitlistStatus.WAITING)
    # Nothing is free now: seat next answers Vance, first on the list, and why he waits.
    again = route_next(host_api, base).json()
    assert (again["waitlist_entry_id"], again["recommendations"]) == (vance.pk, [])
    assert again["reason"] == "no table or combination of tables seats 9 (largest table: 4)"


def test_route_next_with_nobody_waiting_answers_nulls_and_records_nothing(host_api, base, ana, four_top):
    body = route_next(host_api, base).json()

    assert body["waitlist_entry_id"] is None and body["routing_decision_id"] is None
    assert (body["recommendations"], body["passed_over"], body["reason"]) == ([], [], "nobody is waiting")
    assert not RoutingDecision.objects.exists()


def test_who_may_ask_for_the_next_party(
    base, ana, four_top, queue, host_api, manager_api, staff_api, outsider_api, api_client, make_key_api, restaurant
):
    assert route_next(host_api, base).status_code == 200
    assert route_next(manager_api, base).status_code == 200
    assert route_next(make_key_api(restaurant, scopes=["frontend"]), base).status_code == 200
    assert route_next(make_key_api(restaurant, scopes=["pos"], name="POS"), base).status_code == 403
    assert route_next(staff_api, base).status_code == 403
    assert route_next(outsider_api, base).status_code == 404
    assert route_next(api_client, base).status_code in (401, 403)
    assert RoutingDecision.objects.count() == 3


def test_another_restaurants_waitlist_is_never_routed(host_api, base, ana, four_top, other_restaurant):
    WaitlistEntryFactory(restaurant=other_restaurant, party_name="Theirs", party_size=2)

    body = route_next(host_api, base).json()

    assert body["waitlist_entry_id"] is None


def _route_next_queries(host_api, restaurant) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = route_next(host_api, f"/api/v1/restaurants/{restaurant.pk}")
    assert response.status_code == 200
    assert response.json()["recommendations"]
    return len(queries)


def test_route_next_costs_the_same_queries_for_3_or_30_waiting_parties(
    host_api, restaurant, other_restaurant, host_user
):
    from restaurant.tests.factories import MembershipFactory

    for place, waiting in ((restaurant, 3), (other_restaurant, 30)):
        _floor_of(place, 10, 3)
        for i in range(waiting - 1):
            WaitlistEntryFactory(restaurant=place, party_name=f"Big {i}", party_size=50)
        WaitlistEntryFactory(restaurant=place, party_name="Pair", party_size=2)
    MembershipFactory(user=host_user, restaurant=other_restaurant, role="host")

    short = _route_next_queries(host_api, restaurant)
    long = _route_next_queries(host_api, other_restaurant)

    # Session, user, restaurant, role; the queue; sections, tables, shifts, visits; the decision's insert;
    # and, cold, the quote model's history for the table mix (three; none once cached: test_api_table_mix).
    assert short == long
    assert short <= 13
