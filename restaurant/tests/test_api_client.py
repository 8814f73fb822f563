"""A Python client generated from the live schema by openapi-python-client (the usual generator) drives a
host stand's evening against a real server on loopback: route a party, seat the top recommendation (tables
pushed together, `table_ids` as the recommendation gives them), keep the waitlist, clear, bus and read the
floor.

This is what an integrator does first. It failed while the schema offered form and multipart bodies beside
JSON: the generated module did not import, and once patched it sent the seat call as multipart."""

import json
import subprocess
import sys
import typing
import urllib.request

import pytest

from floor.models import Table, TableState, Visit, WaitlistEntry, WaitlistStatus
from floor.tests.factories import SectionFactory, TableFactory
from restaurant.models import ApiScope
from restaurant.services import api_client_create
from staff.tests.factories import ShiftFactory, StaffMemberFactory

PACKAGE = "host_stand_client"


@pytest.fixture
def generated_client(asgi_live_server, tmp_path, monkeypatch):
    """The package openapi-python-client generates from the server's /api/schema/, importable."""
    with urllib.request.urlopen(f"{asgi_live_server.url}/api/schema/?format=json", timeout=10) as response:
        (tmp_path / "schema.json").write_bytes(response.read())
    # No post hooks: they run ruff over the generated code, which takes time and proves nothing here.
    (tmp_path / "config.json").write_text(
        json.dumps({"project_name_override": PACKAGE, "package_name_override": PACKAGE, "post_hooks": []})
    )
    result = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", "schema.json"]
        + ["--config", "config.json", "--output-path", "generated"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    # The only pieces it may leave out: JPEG answers (a crop's or a frame's image), which it cannot model.
    warnings = output.split("WARNING parsing ")[1:]
    assert all("Unsupported content_type image/jpeg" in warning for warning in warnings), output
    assert "Warning" not in output or warnings, output
    monkeypatch.syspath_prepend(str(tmp_path / "generated"))
    yield __import__(PACKAGE)
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


def operation(package, tag: str, name: str):
    return __import__(f"{PACKAGE}.api.{tag}.{name}", fromlist=["sync_detailed"])


def call(package, client, tag: str, name: str, *path, body: dict | None = None, status: int = 200):
    """Call one generated operation; the body goes through the generated request model (its to_dict)."""
    module = operation(package, tag, name)
    kwargs = {"client": client}
    if body is not None:
        body_model = typing.get_type_hints(module.sync_detailed)["body"]
        kwargs["body"] = body_model.from_dict(body)
    response = module.sync_detailed(*path, **kwargs)
    assert response.status_code == status, response.content
    return response.parsed


def test_a_generated_client_runs_a_host_stands_evening(generated_client, asgi_live_server, restaurant):
    main = SectionFactory(restaurant=restaurant, name="Main")
    window = [TableFactory(section=main, label=f"W{n}", max_seats=4, combinable_group="window") for n in (1, 2)]
    two_top = TableFactory(section=main, label="2A", min_seats=1, max_seats=2)
    ana = StaffMemberFactory(restaurant=restaurant, name="Ana Lopez")
    ShiftFactory(staff=ana, section=main)
    issued = api_client_create(restaurant=restaurant, name="Host tablet", scopes=[ApiScope.FRONTEND])
    client = generated_client.AuthenticatedClient(
        base_url=asgi_live_server.url, token=issued.key, prefix="Api-Key", raise_on_unexpected_status=True
    )
    rid = restaurant.pk

    # A party of seven waits; the host asks where they go: the two window tables pushed together.
    entry = call(
        generated_client,
        client,
        "host_stand",
        "v1_restaurants_waitlist_create",
        rid,
        body={"party_name": "Vance", "party_size": 7},
        status=201,
    )
    waiting = call(generated_client, client, "host_stand", "v1_restaurants_waitlist_list", rid)
    assert [(party.id, party.position) for party in waiting] == [(entry.id, 1)]
    route = call(
        generated_client,
        client,
        "host_stand",
        "v1_restaurants_route_create",
        rid,
        body={"party_size": 7, "waitlist_entry_id": entry.id},
    )
    best = route.recommendations[0]
    assert sorted(best.table_ids) == sorted(table.pk for table in window)

    # Seat the recommendation as given, table_ids included (the call the multipart client got a 400 for).
    visit = call(
        generated_client,
        client,
        "host_stand",
        "v1_restaurants_tables_seat_create",
        rid,
        best.table_id,
        body={
            "party_size": 7,
            "server_id": best.server_id,
            "table_ids": best.table_ids,
            "routing_decision_id": route.routing_decision_id,
            "waitlist_entry_id": entry.id,
        },
        status=201,
    )
    assert sorted(visit.table_ids) == sorted(table.pk for table in window)
    assert WaitlistEntry.objects.get(pk=entry.id).status == WaitlistStatus.SEATED

    # A couple walks in: seated at the two-top.
    couple = call(
        generated_client, client, "host_stand", "v1_restaurants_route_create", rid, body={"party_size": 2}
    ).recommendations[0]
    assert couple.table_ids == [two_top.pk]
    call(
        generated_client,
        client,
        "host_stand",
        "v1_restaurants_tables_seat_create",
        rid,
        couple.table_id,
        body={"party_size": 2, "server_id": couple.server_id, "table_ids": couple.table_ids},
        status=201,
    )

    # The party of seven leaves: clear, then bus; the floor shows the window tables free again.
    call(generated_client, client, "host_stand", "v1_restaurants_tables_clear_create", rid, best.table_id)
    assert set(Table.objects.filter(pk__in=best.table_ids).values_list("state", flat=True)) == {TableState.DIRTY}
    for table_id in best.table_ids:
        call(generated_client, client, "host_stand", "v1_restaurants_tables_bus_create", rid, table_id)
    floor = call(generated_client, client, "host_stand", "v1_restaurants_floor_retrieve", rid)
    states = {table.id: table.state.value for table in floor.tables}
    assert states == {window[0].pk: "available", window[1].pk: "available", two_top.pk: "occupied"}
    assert Visit.objects.filter(closed_at__isnull=True).count() == 1
