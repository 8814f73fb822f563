"""Small builders shared by the floor tests: a table in a restaurant, a server on the floor, a routing decision,
a busy floor."""

import asyncio

from asgiref.sync import async_to_sync
from django.db import connection
from django.test.utils import CaptureQueriesContext

from floor.events import floor_group
from floor.models import RoutingDecision
from floor.services.seating import table_seat
from floor.tests.factories import SectionFactory, TableFactory, WaitlistEntryFactory
from staff.models import ShiftBreak
from staff.tests.factories import ShiftFactory, StaffMemberFactory


def table_in(restaurant, **fields):
    """A table of `restaurant` (in a new section unless one is given)."""
    if "section" not in fields:
        fields["section"] = SectionFactory(restaurant=restaurant)
    return TableFactory(**fields)


def server_on_floor(restaurant, *, on_break=False, **shift_fields):
    """A server clocked in at `restaurant`, optionally on break; returns the StaffMember."""
    staff = StaffMemberFactory(restaurant=restaurant)
    shift = ShiftFactory(staff=staff, **shift_fields)
    if on_break:
        ShiftBreak.objects.create(shift=shift)
    return staff


def routing_decision(restaurant, *, table=None, server=None, **fields):
    """A routing decision for a party of four in rotation, recommending `table` and `server`."""
    return RoutingDecision.objects.create(
        restaurant=restaurant,
        party_size=4,
        mode="rotation",
        recommended_table=table,
        recommended_server=server,
        **fields,
    )


def seated(restaurant, table, server, party_size=3):
    """A party of `party_size` seated at `table` with `server`: the open visit."""
    return table_seat(restaurant=restaurant, table=table, party_size=party_size, server=server)


def error(response) -> dict:
    """The one error shape of an API answer: {"code", "message", "details"}."""
    return response.json()["error"]


def busy_floor(restaurant, *, tables: int, servers: int) -> None:
    """A floor of `tables` four-tops in pairs one section, `servers` on it: every fourth table seated alone,
    every fourth (from the fourth) pushed together with the one before it for a party of six, and a
    party of two waiting for every five tables. What the query-count tests compare at two sizes."""
    section = SectionFactory(restaurant=restaurant)
    staff = [server_on_floor(restaurant, section=section) for _ in range(servers)]
    places = [TableFactory(section=section, max_seats=4, combinable_group=f"pair{i // 4}") for i in range(tables)]
    for i, table in enumerate(places):
        server = staff[i % servers]
        if i % 4 == 1:
            table_seat(restaurant=restaurant, table=table, party_size=2, server=server)
        elif i % 4 == 3:  # a large party at this table and the one before it
            table_seat(restaurant=restaurant, table=table, joined_tables=[places[i - 1]], party_size=6, server=server)
    for _ in range(tables // 5):
        WaitlistEntryFactory(restaurant=restaurant, party_size=2)


def queries_to_get(client, path: str) -> int:
    """How many queries a GET of `path` takes (it must answer 200)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def dining_room(restaurant):
    """(Main, table 12, table 20): the section the dashboard tests draw, 12 seating two to four and 20 one to
    six, side by side on the map."""
    main = SectionFactory(restaurant=restaurant, name="Main")
    twelve = TableFactory(section=main, label="12", min_seats=2, max_seats=4, x=40, y=40, width=90, height=70)
    twenty = TableFactory(section=main, label="20", min_seats=1, max_seats=6, x=200, y=40, width=120, height=70)
    return main, twelve, twenty


def join_floor_group(layer, restaurant_id) -> str:
    """A new channel of `layer` in the restaurant's floor group, as an open dashboard's: its name."""
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(floor_group(restaurant_id), channel)
    return channel


def floor_messages(layer, channel, *, wait: float = 2.0) -> list[dict]:
    """Every message waiting on the channel; waits up to `wait` seconds for the first one."""

    async def drain():
        received = []
        timeout = wait
        while True:
            try:
                received.append(await asyncio.wait_for(layer.receive(channel), timeout))
            except TimeoutError:
                return received
            timeout = 0.05

    return async_to_sync(drain)()
