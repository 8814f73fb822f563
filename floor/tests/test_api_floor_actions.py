"""`GET .../floor` says what the caller may do (`actions`), so the dashboard offers only that: managers switch
the mode and block tables, hosts run the floor without blocking, staff only read, an API key by its scopes.
And each table lists its features and the servers who can take it."""

import pytest

from floor.tests.factories import SectionFactory, TableFactory
from floor.tests.floor_setup import server_on_floor

pytestmark = pytest.mark.django_db

SETTABLE = {"available": ["reserved"], "reserved": ["available"], "occupied": ["dirty"], "dirty": ["available"]}


def floor_of(client, restaurant):
    response = client.get(f"/api/v1/restaurants/{restaurant.pk}/floor")
    assert response.status_code == 200
    return response.json()


def test_a_manager_may_switch_the_mode_and_block_and_unblock_tables(manager_api, restaurant):
    actions = floor_of(manager_api, restaurant)["actions"]

    assert (actions["switch_mode"], actions["run_floor"]) == (True, True)
    assert actions["seat_from"] == ["available", "reserved"]
    assert actions["table_states"] == {
        "available": ["reserved", "blocked"],
        "reserved": ["available", "blocked"],
        "occupied": ["dirty"],
        "dirty": ["available", "blocked"],
        "blocked": ["available"],
    }


def test_a_host_runs_the_floor_but_neither_blocks_nor_switches_the_mode(host_api, restaurant):
    actions = floor_of(host_api, restaurant)["actions"]

    assert (actions["switch_mode"], actions["run_floor"]) == (False, True)
    assert actions["table_states"] == {**SETTABLE, "blocked": []}


def test_a_staff_member_only_reads(staff_api, restaurant):
    actions = floor_of(staff_api, restaurant)["actions"]

    assert (actions["switch_mode"], actions["run_floor"], actions["seat_from"]) == (False, False, [])
    assert all(states == [] for states in actions["table_states"].values())


def test_an_api_key_acts_by_its_scopes(make_key_api, restaurant):
    frontend = floor_of(make_key_api(restaurant, scopes=["frontend"], name="Tablet"), restaurant)["actions"]
    pos = floor_of(make_key_api(restaurant, scopes=["pos"], name="Till"), restaurant)["actions"]

    assert (frontend["switch_mode"], frontend["run_floor"], frontend["table_states"]) == (
        False,
        True,
        {**SETTABLE, "blocked": []},
    )
    assert (pos["run_floor"], pos["seat_from"], pos["table_states"]) == (False, [], {**SETTABLE, "blocked": []})


def test_each_table_lists_its_features_and_the_servers_who_can_take_it(host_api, restaurant):
    main = SectionFactory(restaurant=restaurant, name="Main")
    patio = SectionFactory(restaurant=restaurant, name="Patio")
    TableFactory(section=main, label="1", is_booth=True)
    TableFactory(section=patio, label="P1", is_patio=True, is_accessible=False)
    ana = server_on_floor(restaurant, section=main)
    floater = server_on_floor(restaurant, section=None)

    tables = {row["label"]: row for row in floor_of(host_api, restaurant)["tables"]}

    assert (tables["1"]["features"], tables["P1"]["features"]) == (["booth", "accessible"], ["patio"])
    assert set(tables["1"]["server_ids"]) == {ana.pk, floater.pk}
    assert tables["P1"]["server_ids"] == [floater.pk]
