"""The time clock and the rotation overrides over the API: each transition, the 409s when it makes no
sense, bad input naming the field, and who may do it (a staff member only for their own shift)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from floor.tests.factories import SectionFactory
from staff.models import Shift, ShiftBreak, StaffRole
from staff.services import shift_clock_in
from staff.tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(restaurant) -> str:
    return f"/api/v1/restaurants/{restaurant.pk}"


@pytest.fixture
def ana(restaurant):
    return StaffMemberFactory(restaurant=restaurant, name="Ana Ruiz", role=StaffRole.SERVER)


@pytest.fixture
def on_shift(restaurant, ana):
    shift_clock_in(restaurant=restaurant, staff=ana, at=timezone.now() - timedelta(hours=2))
    return ana


def error(response) -> dict:
    return response.json()["error"]


def test_a_host_clocks_a_server_in_with_a_role_and_section(host_api, base, restaurant, ana):
    patio = SectionFactory(restaurant=restaurant, name="Patio")

    response = host_api.post(
        f"{base}/staff/{ana.pk}/clock-in", {"role": "bartender", "section_id": patio.pk}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    shift = Shift.objects.get()
    assert (body["id"], body["staff_id"], body["role"], body["section_id"]) == (shift.pk, ana.pk, "bartender", patio.pk)
    assert body["clock_out"] is None and body["on_break"] is False
    assert (shift.role, shift.section) == (StaffRole.BARTENDER, patio)


def test_clocking_in_defaults_to_the_staff_members_role_and_no_section(host_api, base, ana):
    response = host_api.post(f"{base}/staff/{ana.pk}/clock-in")

    assert response.status_code == 201
    assert (response.json()["role"], response.json()["section_id"]) == ("server", None)


def test_clocking_in_twice_is_a_409_and_opens_no_second_shift(host_api, base, on_shift):
    response = host_api.post(f"{base}/staff/{on_shift.pk}/clock-in")

    assert response.status_code == 409
    assert error(response)["code"] == "already_clocked_in"
    assert error(response)["message"] == "Ana Ruiz is already clocked in."
    assert Shift.objects.count() == 1


@pytest.mark.parametrize(("body", "field"), [({"role": "chef"}, "role"), ({"section_id": 999999}, "section_id")])
def test_bad_clock_in_input_is_a_400_naming_the_field(host_api, base, ana, body, field):
    response = host_api.post(f"{base}/staff/{ana.pk}/clock-in", body, format="json")

    assert response.status_code == 400
    assert field in error(response)["details"]
    assert Shift.objects.count() == 0


def test_another_restaurants_section_is_an_unknown_id(host_api, base, other_restaurant, ana):
    theirs = SectionFactory(restaurant=other_restaurant)

    response = host_api.post(f"{base}/staff/{ana.pk}/clock-in", {"section_id": theirs.pk})

    assert response.status_code == 400
    assert "section_id" in error(response)["details"]


def test_an_inactive_staff_member_cannot_clock_in(host_api, base, ana):
    ana.active = False
    ana.save()

    response = host_api.post(f"{base}/staff/{ana.pk}/clock-in")

    assert response.status_code == 409
    assert error(response)["code"] == "staff_inactive"


def test_a_break_starts_and_ends_then_the_shift_closes(host_api, base, on_shift):
    url = f"{base}/staff/{on_shift.pk}"

    started = host_api.post(f"{url}/break-start")
    assert started.status_code == 201
    assert started.json()["on_break"] is True and started.json()["break_started_at"]
    assert host_api.post(f"{url}/break-start").status_code == 409

    ended = host_api.post(f"{url}/break-end")
    assert ended.status_code == 200
    assert ended.json()["on_break"] is False
    assert error(host_api.post(f"{url}/break-end"))["code"] == "not_on_break"

    out = host_api.post(f"{url}/clock-out")
    assert out.status_code == 200
    assert out.json()["clock_out"] is not None
    assert error(host_api.post(f"{url}/clock-out"))["code"] == "not_clocked_in"
    assert ShiftBreak.objects.get().ended_at is not None


def test_clocking_out_during_a_break_ends_the_break(host_api, base, on_shift):
    host_api.post(f"{base}/staff/{on_shift.pk}/break-start")

    response = host_api.post(f"{base}/staff/{on_shift.pk}/clock-out")

    assert response.status_code == 200
    assert response.json()["on_break"] is False
    assert ShiftBreak.objects.get().ended_at == Shift.objects.get().clock_out


@pytest.mark.parametrize("action", ["clock-out", "break-start", "break-end", "skip", "cut", "uncut"])
def test_actions_that_need_an_open_shift_are_a_409_without_one(host_api, base, ana, action):
    response = host_api.post(f"{base}/staff/{ana.pk}/{action}")

    assert response.status_code == 409
    assert error(response)["code"] == "not_clocked_in"


def test_the_host_overrides_change_the_open_shift(host_api, base, on_shift):
    url = f"{base}/staff/{on_shift.pk}"

    assert host_api.post(f"{url}/skip").json()["skip_next"] is True
    assert host_api.post(f"{url}/move", {"offset": -2}).json()["rotation_offset"] == -2
    assert (
        host_api.post(f"{url}/move", {"offset": -2}).json()["rotation_offset"] == -2
    )  # absolute: a retry lands the same
    assert host_api.post(f"{url}/cut").json()["cut"] is True
    assert host_api.post(f"{url}/uncut").json()["cut"] is False
    shift = Shift.objects.get()
    assert (shift.skip_next, shift.rotation_offset, shift.cut) == (True, -2, False)


@pytest.mark.parametrize("body", [{}, {"offset": 51}, {"offset": "up"}, {"offset": 1.5}])
def test_a_bad_move_is_a_400_naming_the_offset(host_api, base, on_shift, body):
    response = host_api.post(f"{base}/staff/{on_shift.pk}/move", body, format="json")

    assert response.status_code == 400
    assert "offset" in error(response)["details"]
    assert Shift.objects.get().rotation_offset == 0


def test_a_staff_member_clocks_themselves_in_and_out_but_nobody_else(staff_api, staff_user, base, restaurant, ana):
    me = staff_user.staff_profiles.get()

    assert staff_api.post(f"{base}/staff/{me.pk}/clock-in").status_code == 201
    assert staff_api.post(f"{base}/staff/{me.pk}/break-start").status_code == 201
    assert staff_api.post(f"{base}/staff/{me.pk}/break-end").status_code == 200
    assert staff_api.post(f"{base}/staff/{me.pk}/skip").status_code == 403  # overrides are the host's
    assert staff_api.post(f"{base}/staff/{me.pk}/clock-out").status_code == 200
    assert staff_api.post(f"{base}/staff/{ana.pk}/clock-in").status_code == 403
    assert not Shift.objects.filter(staff=ana).exists()


def test_who_may_use_the_time_clock_and_the_overrides(
    base, restaurant, other_restaurant, ana, manager_api, outsider_api, api_client, make_key_api
):
    pos = make_key_api(restaurant, scopes=["pos"], name="POS")
    frontend = make_key_api(restaurant, scopes=["frontend"], name="Host app")
    camera = make_key_api(restaurant, scopes=["camera"], name="Cameras")
    theirs = StaffMemberFactory(restaurant=other_restaurant)

    assert outsider_api.post(f"{base}/staff/{ana.pk}/clock-in").status_code == 404
    assert manager_api.post(f"{base}/staff/{theirs.pk}/clock-in").status_code == 404
    assert api_client.post(f"{base}/staff/{ana.pk}/clock-in").status_code in (401, 403)
    assert camera.post(f"{base}/staff/{ana.pk}/clock-in").status_code == 403
    assert not Shift.objects.exists()

    assert pos.post(f"{base}/staff/{ana.pk}/clock-in").status_code == 201
    assert pos.post(f"{base}/staff/{ana.pk}/cut").status_code == 403  # the POS sends clock events, not overrides
    assert frontend.post(f"{base}/staff/{ana.pk}/cut").status_code == 200
    assert manager_api.post(f"{base}/staff/{ana.pk}/uncut").status_code == 200
