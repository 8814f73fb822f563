"""Seating a party at tables pushed together over the API: which tables the call may list, which may join,
and nothing written when it refuses."""

import pytest

from floor.models import Table, TableState, TableStateChange, Visit
from floor.tests.factories import SectionFactory, TableFactory
from floor.tests.floor_setup import error, seated

pytestmark = pytest.mark.django_db


# --- Tables pushed together --------------------------------------------------------------------------------


def seat_together(api, base, tables, server, party_size=7, **extra):
    body = {"party_size": party_size, "server_id": server.pk, "table_ids": [t.pk for t in tables], **extra}
    return api.post(f"{base}/tables/{tables[0].pk}/seat", body, format="json")


def nothing_seated(tables) -> bool:
    states = Table.objects.filter(pk__in=[t.pk for t in tables]).values_list("state", flat=True)
    return not Visit.objects.exists() and set(states) <= {TableState.AVAILABLE, TableState.DIRTY, TableState.BLOCKED}


@pytest.mark.parametrize("listed", ["all", "others"])
def test_table_ids_may_list_the_path_table_or_only_the_others(host_api, base, window, ana, listed):
    first, second, _ = window
    table_ids = [first.pk, second.pk] if listed == "all" else [second.pk]

    response = host_api.post(
        f"{base}/tables/{first.pk}/seat",
        {"party_size": 7, "server_id": ana.pk, "table_ids": table_ids},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["table_ids"] == [first.pk, second.pk]
    assert list(Table.objects.filter(state=TableState.OCCUPIED).order_by("pk").values_list("pk", flat=True)) == [
        first.pk,
        second.pk,
    ]
    assert TableStateChange.objects.filter(to_state=TableState.OCCUPIED).count() == 2


def test_bad_table_ids_are_a_400_naming_the_field_and_seat_nobody(
    host_api, base, restaurant, other_restaurant, window, ana
):
    first, second, third = window
    theirs = TableFactory(section=SectionFactory(restaurant=other_restaurant), combinable_group="window")
    bar = TableFactory(section=first.section, label="B1", combinable_group="bar")
    across = TableFactory(section=SectionFactory(restaurant=restaurant), combinable_group="window")
    Table.objects.filter(pk=third.pk).update(state=TableState.DIRTY)
    bodies = {
        "another restaurant's": [second.pk, theirs.pk],
        "unknown": [second.pk, 999999999],
        "twice": [second.pk, second.pk],
        "not a list": "W2",
        "not ids": ["W2"],
        "another group's": [second.pk, bar.pk],
        "another section's": [across.pk],
        "dirty": [second.pk, third.pk],
    }

    for case, table_ids in bodies.items():
        response = host_api.post(
            f"{base}/tables/{first.pk}/seat",
            {"party_size": 7, "server_id": ana.pk, "table_ids": table_ids},
            format="json",
        )
        assert response.status_code == 400, (case, response.content)
        assert "table_ids" in error(response)["details"], case
    assert nothing_seated([*window, bar, across])
    assert TableStateChange.objects.count() == 0


def test_a_table_another_party_sits_at_is_a_409(host_api, base, restaurant, window, ana):
    first, second, third = window
    seated(restaurant, third, ana, party_size=2)

    response = seat_together(host_api, base, [first, second, third], ana, party_size=10)

    assert response.status_code == 409
    assert (error(response)["code"], error(response)["details"]["table_id"]) == ("table_taken", third.pk)
    assert Visit.objects.count() == 1
    assert Table.objects.filter(state=TableState.OCCUPIED).get() == third


def test_a_party_too_large_for_the_tables_together_is_a_400(host_api, base, window, ana):
    response = seat_together(host_api, base, window[:2], ana, party_size=9)

    assert response.status_code == 400
    assert error(response)["details"]["party_size"] == ["A party of 9 does not fit tables W1+W2 (1-8 seats)."]
    assert nothing_seated(window)


def test_who_may_seat_tables_pushed_together(
    base, restaurant, window, ana, staff_api, outsider_api, manager_api, make_key_api
):
    pos_key = make_key_api(restaurant, scopes=["pos"], name="POS")

    assert seat_together(staff_api, base, window[:2], ana).status_code == 403
    assert seat_together(outsider_api, base, window[:2], ana).status_code == 404
    assert seat_together(pos_key, base, window[:2], ana).status_code == 403
    assert nothing_seated(window)
    assert seat_together(make_key_api(restaurant, scopes=["frontend"]), base, window[:2], ana).status_code == 201
    assert seat_together(manager_api, base, window[2:], ana, party_size=3).status_code == 201


def test_clearing_one_table_of_a_pushed_together_party_clears_them_all(host_api, base, window, ana):
    visit_id = seat_together(host_api, base, window, ana, party_size=10).json()["id"]

    response = host_api.post(f"{base}/tables/{window[2].pk}/clear")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["table"]["state"], body["closed_visit"]["id"]) == ("dirty", visit_id)
    assert body["closed_visit"]["table_ids"] == [t.pk for t in window]
    assert set(Table.objects.filter(pk__in=[t.pk for t in window]).values_list("state", flat=True)) == {"dirty"}
    bussed = host_api.post(f"{base}/tables/{window[0].pk}/bus")
    assert bussed.json()["state"] == "available"
    assert Table.objects.get(pk=window[1].pk).state == TableState.DIRTY  # bussing stays per table


def test_the_pos_closing_a_pushed_together_partys_check_dirties_every_table(make_key_api, base, window, ana, host_api):
    visit_id = seat_together(host_api, base, window[:2], ana).json()["id"]
    pos = make_key_api(window[0].restaurant, scopes=["pos"], name="POS")

    response = pos.post(f"{base}/visits/{visit_id}/close", {"subtotal": "210.00"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["table_labels"] == ["W1", "W2"]
    changes = TableStateChange.objects.filter(to_state=TableState.DIRTY)
    assert sorted((c.table_id, c.source) for c in changes) == [(window[0].pk, "pos"), (window[1].pk, "pos")]


def test_the_floor_shows_the_party_on_every_table_pushed_together(host_api, base, window, ana):
    seat_together(host_api, base, window[:2], ana, party_size=6)

    tables = {row["label"]: row for row in host_api.get(f"{base}/floor").json()["tables"]}

    for label, other in (("W1", window[1]), ("W2", window[0])):
        row = tables[label]
        assert (row["state"], row["server_id"], row["server_initials"], row["party_size"]) == (
            "occupied",
            ana.pk,
            "AL",
            6,
        )
        assert (row["minutes_seated"], row["joined_with"]) == (0, [other.pk])
    assert (tables["W3"]["joined_with"], tables["W3"]["server_id"]) == ([], None)
