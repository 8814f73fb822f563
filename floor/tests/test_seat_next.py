"""Seat next: the first waiting party that fits now, why those ahead of it wait, what is recorded, and its
query budget."""

import pytest

from floor.models import RoutingDecision, WaitlistStatus
from floor.selectors import load_turn_model
from floor.services.routing import route_next_party
from floor.tests.factories import WaitlistEntryFactory
from floor.tests.routing_floor import NOW, ago, build_floor, classic_floor


@pytest.fixture
def floor(restaurant):
    return classic_floor(restaurant)


# == seat next: the first waiting party that fits =================================================


def wait(restaurant, name, size, *, minutes_ago, **fields):
    return WaitlistEntryFactory(
        restaurant=restaurant, party_name=name, party_size=size, added_at=ago(minutes_ago), **fields
    )


@pytest.fixture
def six_top_floor(floor):
    """One server; a 6-top and a 4-top free; nothing pushes together."""
    floor.server("Ana")
    return floor.table("6", 6), floor.table("4", 4)


@pytest.mark.django_db
def test_seat_next_skips_a_party_that_cannot_fit_and_answers_the_next_one(restaurant, six_top_floor, host_user):
    _, four = six_top_floor
    vance = wait(restaurant, "Vance", 9, minutes_ago=30)
    kim = wait(restaurant, "Kim", 4, minutes_ago=20)
    wait(restaurant, "Lee", 2, minutes_ago=10)

    result = route_next_party(restaurant=restaurant, now=NOW, requested_by=host_user)

    assert (result.entry, result.position) == (kim, 2)
    assert result.recommendations[0].table_ids == [four.pk]
    assert result.reason == ""
    assert [(p.waitlist_entry_id, p.reason) for p in result.passed_over] == [
        (vance.pk, "Vance (9): no table or combination of tables seats 9 (largest table: 6)")
    ]


@pytest.mark.django_db
def test_seat_next_says_what_is_free_when_a_party_waits_for_a_table_in_use(restaurant, floor):
    ana = floor.server("Ana")
    six = floor.table("6", 6)
    four = floor.table("4", 4)
    floor.seat(six, ana, 5, minutes_ago=40)
    wait(restaurant, "Vance", 6, minutes_ago=30)
    okafor = wait(restaurant, "Okafor", 3, minutes_ago=20)

    result = route_next_party(restaurant=restaurant, now=NOW)

    assert result.entry == okafor
    assert result.recommendations[0].table_ids == [four.pk]
    assert [p.reason for p in result.passed_over] == ["Vance (6): no free table for 6 — largest free is a 4-top"]


@pytest.mark.django_db
def test_when_nobody_on_the_list_fits_seat_next_answers_the_first_party_and_its_reason(restaurant, floor):
    ana = floor.server("Ana")
    floor.seat(floor.table("4", 4), ana, 4, minutes_ago=40)
    vance = wait(restaurant, "Vance", 4, minutes_ago=30)
    wait(restaurant, "Kim", 2, minutes_ago=20)

    result = route_next_party(restaurant=restaurant, now=NOW)

    assert (result.entry, result.position, result.recommendations) == (vance, 1, [])
    assert result.reason == "no free table for 4 — no table is free"
    assert [p.reason for p in result.passed_over] == ["Kim (2): no free table for 2 — no table is free"]
    decision = RoutingDecision.objects.get(pk=result.decision_id)
    assert (decision.waitlist_entry, decision.recommendations) == (vance, [])


@pytest.mark.django_db
def test_seat_next_with_nobody_waiting_records_nothing(restaurant, six_top_floor):
    result = route_next_party(restaurant=restaurant, now=NOW)

    assert (result.entry, result.recommendations, result.reason) == (None, [], "nobody is waiting")
    assert not RoutingDecision.objects.exists()


@pytest.mark.django_db
def test_seat_next_records_one_decision_for_the_party_it_answers(restaurant, six_top_floor, host_user):
    _, four = six_top_floor
    wait(restaurant, "Vance", 9, minutes_ago=30)
    kim = wait(restaurant, "Kim", 4, minutes_ago=20, preferences={"section_id": four.section_id})

    result = route_next_party(restaurant=restaurant, now=NOW, requested_by=host_user)
    route_next_party(restaurant=restaurant, now=NOW, record=False)

    decision = RoutingDecision.objects.get()
    assert decision.pk == result.decision_id
    assert (decision.waitlist_entry, decision.party_size, decision.requested_by) == (kim, 4, host_user)
    assert decision.preferences == {"section_id": four.section_id}
    assert (decision.recommended_table, decision.recommendations) == (
        four,
        [r.as_dict() for r in result.recommendations],
    )


@pytest.mark.django_db
def test_seat_next_goes_by_the_list_order_and_keeps_an_accessible_need(restaurant, floor):
    floor.server("Ana")
    floor.table("4", 4, is_accessible=False)
    wait(restaurant, "Ruiz", 2, minutes_ago=30, preferences={"accessible": True})
    wait(restaurant, "Kim", 2, minutes_ago=10)  # added after Lee, though its row comes first
    earlier = wait(restaurant, "Lee", 3, minutes_ago=20)

    result = route_next_party(restaurant=restaurant, now=NOW)

    assert result.entry == earlier  # by the time they were added, not by id
    assert [p.reason for p in result.passed_over] == [
        "Ruiz (2): no free accessible table for 2 — no accessible table is free"
    ]


@pytest.mark.django_db
def test_seat_next_passes_over_closed_entries(restaurant, six_top_floor):
    wait(restaurant, "Gone", 4, minutes_ago=40, status=WaitlistStatus.CANCELLED)
    notified = wait(restaurant, "Called", 4, minutes_ago=30, status=WaitlistStatus.NOTIFIED)

    assert route_next_party(restaurant=restaurant, now=NOW).entry == notified


@pytest.mark.django_db
def test_seat_next_is_deterministic(restaurant, six_top_floor):
    for i in range(6):
        wait(restaurant, f"P{i}", 9 - i, minutes_ago=60 - i)

    answers = {
        (r.entry.pk, tuple(rec.table_id for rec in r.recommendations), tuple(p.reason for p in r.passed_over))
        for r in (route_next_party(restaurant=restaurant, now=NOW, record=False) for _ in range(3))
    }

    assert len(answers) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("waiting", [3, 30])
def test_seat_next_reads_a_fixed_number_of_queries_whatever_the_queue_length(
    restaurant, django_assert_num_queries, waiting
):
    build_floor(restaurant, 20, 5)
    # Everyone but the last is too large for any table or combination: the whole list is walked.
    for i in range(waiting - 1):
        wait(restaurant, f"Big {i}", 40 + i, minutes_ago=100 - i)
    last = wait(restaurant, "Pair", 2, minutes_ago=1)

    load_turn_model(restaurant=restaurant, now=NOW)  # the table mix's quote model, cached as on a live floor
    # The queue; sections, tables, shifts on the floor, visits of the shift; the decision's insert.
    with django_assert_num_queries(6):
        result = route_next_party(restaurant=restaurant, now=NOW)

    assert result.entry == last
    assert len(result.passed_over) == waiting - 1


@pytest.mark.django_db
def test_seat_next_says_when_the_free_table_is_kept_for_larger_parties(restaurant, floor):
    floor.server("Ana")
    floor.table("10", 10, min_seats=7)
    wait(restaurant, "Parker", 5, minutes_ago=30)

    result = route_next_party(restaurant=restaurant, now=NOW)

    assert result.recommendations == []
    assert result.reason == "no free table for 5 — the free 10-top takes 7 to 10"
