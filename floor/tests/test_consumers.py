"""The live channel `ws/floor/<restaurant_id>/`, through the project's real ASGI application (session
authentication, origin check, routing) and the configured channel layer (Redis when REDIS_URL is set)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client
from rest_framework.test import APIClient

from floor.models import StateSource, TableState
from floor.services.table_states import table_state_set
from floor.tests.factories import SectionFactory, TableFactory
from floor.tests.floor_setup import server_on_floor
from restaurant.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)  # the consumer reads the database from its own thread


def session_headers(user=None, origin: bytes = b"http://127.0.0.1") -> list[tuple[bytes, bytes]]:
    """What a browser sends on the handshake: its origin and, once logged in, the session cookie."""
    headers = [(b"origin", origin)]
    if user is not None:
        client = Client()
        client.force_login(user)
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return headers


def communicator(restaurant_id: int, headers: list) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, f"/ws/floor/{restaurant_id}/", headers=headers)


def run(scenario):
    """Run an async scenario to its end, in a thread of its own: once a browser test has run, Playwright keeps
    an event loop going in the main thread, where async_to_sync refuses to start another."""

    def in_thread():
        try:
            return async_to_sync(scenario)()
        finally:
            connections.close_all()  # this thread's connections must not outlive the test database

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(in_thread).result()


@pytest.fixture
def floor(restaurant):
    section = SectionFactory(restaurant=restaurant)
    return TableFactory(section=section, label="12", max_seats=4), server_on_floor(restaurant, section=section)


def test_a_member_hears_about_a_seating_made_through_the_api(restaurant, host_user, floor):
    table, server = floor
    api = APIClient()
    api.force_login(host_user)

    headers = session_headers(host_user)

    async def scenario():
        socket = communicator(restaurant.pk, headers)
        connected, _ = await socket.connect()
        assert connected
        response = await sync_to_async(api.post)(
            f"/api/v1/restaurants/{restaurant.pk}/tables/{table.pk}/seat",
            {"party_size": 3, "server_id": server.pk},
            format="json",
        )
        assert response.status_code == 201
        message = await socket.receive_json_from(timeout=2)
        await socket.disconnect()
        return message, response.json()

    message, visit = run(scenario)

    assert (message["type"], message["kind"]) == ("floor.changed", "table_seated")
    assert message["data"]["table_id"] == table.pk
    assert message["data"]["visit_id"] == visit["id"]


def test_a_change_from_a_camera_or_the_pos_reaches_staff_members_too(restaurant, staff_user, floor):
    table, _ = floor

    headers = session_headers(staff_user)

    async def scenario():
        socket = communicator(restaurant.pk, headers)
        connected, _ = await socket.connect()
        assert connected
        await sync_to_async(table_state_set)(
            restaurant=restaurant, table=table, to_state=TableState.RESERVED, source=StateSource.VISION
        )
        message = await socket.receive_json_from(timeout=2)
        await socket.disconnect()
        return message

    message = run(scenario)

    assert message["kind"] == "table_state"
    assert (message["data"]["state"], message["data"]["source"]) == ("reserved", "vision")


def connects(restaurant, headers) -> bool:
    """Whether the floor's socket of `restaurant` accepts a connection with these headers."""

    async def scenario():
        socket = communicator(restaurant.pk, headers)
        connected, _ = await socket.connect()
        await socket.disconnect()
        return connected

    return run(scenario)


def test_another_restaurants_user_is_refused(restaurant, outsider_user):
    assert connects(restaurant, session_headers(outsider_user)) is False


def test_an_anonymous_connection_is_refused(restaurant):
    assert connects(restaurant, session_headers()) is False


def test_a_foreign_origin_is_refused(restaurant, host_user):
    assert connects(restaurant, session_headers(host_user, origin=b"http://evil.example")) is False


def test_changes_stay_within_their_restaurant(restaurant, other_restaurant, host_user, outsider_user, floor):
    table, _ = floor
    theirs = TableFactory(section=SectionFactory(restaurant=other_restaurant))

    our_headers, rival_headers = session_headers(host_user), session_headers(outsider_user)

    async def scenario():
        ours = communicator(restaurant.pk, our_headers)
        rival = communicator(other_restaurant.pk, rival_headers)
        assert (await ours.connect())[0] and (await rival.connect())[0]
        await sync_to_async(table_state_set)(
            restaurant=other_restaurant, table=theirs, to_state=TableState.RESERVED, source=StateSource.HOST
        )
        heard_by_rival = await rival.receive_json_from(timeout=2)
        heard_by_us = await ours.receive_nothing(timeout=0.5)
        await ours.disconnect()
        await rival.disconnect()
        return heard_by_rival, heard_by_us

    heard_by_rival, nothing_for_us = run(scenario)

    assert heard_by_rival["data"]["table_id"] == theirs.pk
    assert nothing_for_us is True
