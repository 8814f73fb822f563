"""The live-update hook, received from a real channel layer group (in-memory, and Redis where it runs)."""

import logging

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from floor.events import floor_changed
from floor.models import TableState
from floor.services.routing import routing_mode_set
from floor.services.seating import table_bus, table_clear, table_seat, visit_close
from floor.services.table_states import table_state_set
from floor.tests.floor_setup import floor_messages, join_floor_group, server_on_floor, table_in
from restaurant.models import Role
from staff.services import (
    break_end,
    break_start,
    server_cut,
    server_move_in_rotation,
    server_skip_once,
    server_uncut,
    shift_clock_in,
    shift_clock_out,
)
from staff.tests.factories import StaffMemberFactory

MANAGER = Role.MANAGER  # blocking and unblocking are a manager's

pytestmark = pytest.mark.django_db


def test_a_change_reaches_the_restaurants_group_once_committed(
    restaurant, in_memory_layer, django_capture_on_commit_callbacks
):
    channel = join_floor_group(in_memory_layer, restaurant.pk)
    table = table_in(restaurant)

    with django_capture_on_commit_callbacks(execute=True):
        table_state_set(restaurant=restaurant, table=table, to_state=TableState.BLOCKED, source="host", role=MANAGER)

    [message] = floor_messages(in_memory_layer, channel)
    assert message["type"] == "floor.changed"
    assert (message["restaurant_id"], message["kind"]) == (restaurant.pk, "table_state")
    assert message["data"]["table_id"] == table.pk and message["data"]["state"] == "blocked"


def test_another_restaurants_dashboard_hears_nothing(
    restaurant, other_restaurant, in_memory_layer, django_capture_on_commit_callbacks
):
    channel = join_floor_group(in_memory_layer, other_restaurant.pk)

    with django_capture_on_commit_callbacks(execute=True):
        table_state_set(restaurant=restaurant, table=table_in(restaurant), to_state="reserved", source="host")

    assert floor_messages(in_memory_layer, channel, wait=0.2) == []


def test_a_rolled_back_change_announces_nothing(restaurant, in_memory_layer, django_capture_on_commit_callbacks):
    channel = join_floor_group(in_memory_layer, restaurant.pk)
    table = table_in(restaurant)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        table_state_set(restaurant=restaurant, table=table, to_state=TableState.BLOCKED, source="host", role=MANAGER)
        raise RuntimeError("something later in the same transaction failed")

    assert floor_messages(in_memory_layer, channel, wait=0.2) == []


def test_setting_the_same_state_again_announces_nothing(
    restaurant, in_memory_layer, django_capture_on_commit_callbacks
):
    table = table_in(restaurant)
    channel = join_floor_group(in_memory_layer, restaurant.pk)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        table_state_set(restaurant=restaurant, table=table, to_state=TableState.AVAILABLE, source="pos")

    assert callbacks == []
    assert floor_messages(in_memory_layer, channel, wait=0.2) == []


def _seated(restaurant):
    table = table_in(restaurant)
    server = server_on_floor(restaurant)
    visit = table_seat(restaurant=restaurant, table=table, party_size=2, server=server)
    return table, server, visit


def _dirty(restaurant):
    table, _, _ = _seated(restaurant)
    table_clear(restaurant=restaurant, table=table)
    return table


def _on_break(restaurant):
    staff = server_on_floor(restaurant)
    break_start(restaurant=restaurant, staff=staff)
    return staff


def _cut(restaurant):
    staff = server_on_floor(restaurant)
    server_cut(restaurant=restaurant, staff=staff)
    return staff


SERVICES = {
    "table_state": lambda r: table_state_set(
        restaurant=r, table=table_in(r), to_state="blocked", source="host", role=MANAGER
    ),
    "table_seated": lambda r: table_seat(restaurant=r, table=table_in(r), party_size=2, server=server_on_floor(r)),
    "visit_closed": lambda r: visit_close(restaurant=r, visit=_seated(r)[2]),
    "visit_closed by clearing": lambda r: table_clear(restaurant=r, table=_seated(r)[0]),
    "table_state by bussing": lambda r: table_bus(restaurant=r, table=_dirty(r)),
    "clocked_in": lambda r: shift_clock_in(restaurant=r, staff=StaffMemberFactory(restaurant=r)),
    "clocked_out": lambda r: shift_clock_out(restaurant=r, staff=server_on_floor(r)),
    "break_started": lambda r: break_start(restaurant=r, staff=server_on_floor(r)),
    "break_ended": lambda r: break_end(restaurant=r, staff=_on_break(r)),
    "rotation_changed by a cut": lambda r: server_cut(restaurant=r, staff=server_on_floor(r)),
    "rotation_changed by an uncut": lambda r: server_uncut(restaurant=r, staff=_cut(r)),
    "rotation_changed by a skip": lambda r: server_skip_once(restaurant=r, staff=server_on_floor(r)),
    "mode_changed": lambda r: routing_mode_set(restaurant=r, mode="balanced"),
    "rotation_changed by a move": lambda r: server_move_in_rotation(restaurant=r, staff=server_on_floor(r), offset=-2),
}


@pytest.mark.parametrize("expected", SERVICES)
def test_every_floor_service_announces_its_change(
    restaurant, in_memory_layer, django_capture_on_commit_callbacks, expected
):
    channel = join_floor_group(in_memory_layer, restaurant.pk)

    with django_capture_on_commit_callbacks(execute=True):
        SERVICES[expected](restaurant)

    kinds = [message["kind"] for message in floor_messages(in_memory_layer, channel)]
    assert kinds and kinds[-1] == expected.split(" ")[0]


def test_a_broken_channel_layer_is_logged_and_never_breaks_a_seating(
    restaurant, settings, caplog, django_capture_on_commit_callbacks
):
    # A Redis layer pointed at a port where nothing listens: a real connection failure, no mock.
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]}}
    }
    table = table_in(restaurant)

    with caplog.at_level(logging.ERROR, logger="floor.events"), django_capture_on_commit_callbacks(execute=True):
        visit = table_seat(restaurant=restaurant, table=table, party_size=2, server=server_on_floor(restaurant))

    assert visit.pk and table.state == TableState.OCCUPIED
    assert any("could not announce table_seated" in record.getMessage() for record in caplog.records)


@pytest.mark.redis
def test_a_change_reaches_the_group_through_redis(restaurant, redis_url, settings, django_capture_on_commit_callbacks):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis_url], "prefix": "test-floor-events"},
        }
    }
    layer = get_channel_layer()
    channel = join_floor_group(layer, restaurant.pk)
    table = table_in(restaurant)

    with django_capture_on_commit_callbacks(execute=True):
        table_state_set(restaurant=restaurant, table=table, to_state=TableState.RESERVED, source="pos")
        floor_changed(restaurant.pk, "note", {"text": "kitchen is 10 min behind"})

    messages = floor_messages(layer, channel)
    assert [m["kind"] for m in messages] == ["table_state", "note"]
    assert messages[0]["data"]["state"] == "reserved" and messages[1]["data"] == {"text": "kitchen is 10 min behind"}
    async_to_sync(layer.flush)()
