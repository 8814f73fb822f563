import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from floor.tests.factories import SectionFactory
from staff.exceptions import (
    AlreadyClockedIn,
    AlreadyOnBreak,
    InvalidStaffInput,
    NotClockedIn,
    NotOnBreak,
    StaffInactive,
    StaffWrongRestaurant,
)
from staff.models import Shift, ShiftBreak, StaffRole
from staff.selectors import servers_available_for_tables, shifts_on_floor
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

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(restaurant):
    return StaffMemberFactory(restaurant=restaurant, name="Ana Ruiz", role=StaffRole.SERVER)


@pytest.fixture
def clocked_in(restaurant, ana):
    shift_clock_in(restaurant=restaurant, staff=ana, at=timezone.now() - timedelta(hours=2))
    return ana


def _available_ids(restaurant):
    return [entry.staff.pk for entry in servers_available_for_tables(restaurant=restaurant)]


def test_clocking_in_opens_a_shift_in_the_staff_members_own_role(restaurant, ana):
    section = SectionFactory(restaurant=restaurant)

    shift = shift_clock_in(restaurant=restaurant, staff=ana, section=section)

    assert (shift.staff, shift.role, shift.section, shift.is_open) == (ana, StaffRole.SERVER, section, True)
    assert _available_ids(restaurant) == [ana.pk]


def test_clocking_in_in_another_role_takes_no_tables_as_a_host(restaurant, ana):
    shift = shift_clock_in(restaurant=restaurant, staff=ana, role=StaffRole.HOST)

    assert shift.role == StaffRole.HOST
    assert [entry.staff for entry in shifts_on_floor(restaurant=restaurant)] == [ana]
    assert _available_ids(restaurant) == []


def test_clocking_in_twice_is_a_conflict(restaurant, clocked_in):
    with pytest.raises(AlreadyClockedIn) as err:
        shift_clock_in(restaurant=restaurant, staff=clocked_in)

    assert (err.value.status_code, err.value.code) == (409, "already_clocked_in")
    assert Shift.objects.filter(staff=clocked_in).count() == 1


def test_an_unknown_role_is_refused_naming_the_field(restaurant, ana):
    with pytest.raises(InvalidStaffInput) as err:
        shift_clock_in(restaurant=restaurant, staff=ana, role="sommelier")

    assert (err.value.status_code, err.value.details["field"]) == (400, "role")
    assert not Shift.objects.exists()


def test_a_shift_cannot_start_before_the_previous_one_ended(restaurant, ana):
    now = timezone.now()
    shift_clock_in(restaurant=restaurant, staff=ana, at=now - timedelta(hours=5))
    shift_clock_out(restaurant=restaurant, staff=ana, at=now - timedelta(hours=1))

    with pytest.raises(InvalidStaffInput) as err:
        shift_clock_in(restaurant=restaurant, staff=ana, at=now - timedelta(hours=2))

    assert err.value.details["field"] == "at"
    assert not Shift.objects.filter(staff=ana, clock_out__isnull=True).exists()


def test_a_section_of_another_restaurant_is_refused(restaurant, other_restaurant, ana):
    with pytest.raises(StaffWrongRestaurant) as err:
        shift_clock_in(restaurant=restaurant, staff=ana, section=SectionFactory(restaurant=other_restaurant))

    assert err.value.details["field"] == "section"
    assert not Shift.objects.exists()


def test_a_section_no_longer_in_use_is_refused(restaurant, ana):
    with pytest.raises(InvalidStaffInput) as err:
        shift_clock_in(restaurant=restaurant, staff=ana, section=SectionFactory(restaurant=restaurant, active=False))

    assert err.value.details["field"] == "section"


def test_another_restaurants_staff_member_cannot_be_clocked_in_here(restaurant, other_restaurant):
    outsider = StaffMemberFactory(restaurant=other_restaurant)

    with pytest.raises(StaffWrongRestaurant) as err:
        shift_clock_in(restaurant=restaurant, staff=outsider)

    assert err.value.details["field"] == "staff"


def test_an_inactive_staff_member_cannot_clock_in(restaurant):
    former = StaffMemberFactory(restaurant=restaurant, active=False)

    with pytest.raises(StaffInactive):
        shift_clock_in(restaurant=restaurant, staff=former)


def test_a_full_shift_in_break_out_records_every_step(restaurant, ana):
    start = timezone.now() - timedelta(hours=6)
    shift_clock_in(restaurant=restaurant, staff=ana, at=start)
    break_start(restaurant=restaurant, staff=ana, at=start + timedelta(hours=2))
    break_end(restaurant=restaurant, staff=ana, at=start + timedelta(hours=2, minutes=15))
    break_start(restaurant=restaurant, staff=ana, at=start + timedelta(hours=4), paid=True)
    break_end(restaurant=restaurant, staff=ana, at=start + timedelta(hours=4, minutes=10))

    shift = shift_clock_out(restaurant=restaurant, staff=ana, at=start + timedelta(hours=6))

    assert shift.hours() == pytest.approx(6)
    breaks = list(shift.breaks.values_list("paid", flat=True))
    assert breaks == [False, True]
    assert shifts_on_floor(restaurant=restaurant) == []


def test_clocking_out_ends_an_open_break(restaurant, clocked_in):
    break_start(restaurant=restaurant, staff=clocked_in)

    shift = shift_clock_out(restaurant=restaurant, staff=clocked_in)

    assert shift.breaks.get().ended_at == shift.clock_out


def test_clocking_out_when_not_clocked_in_is_a_conflict(restaurant, ana):
    with pytest.raises(NotClockedIn) as err:
        shift_clock_out(restaurant=restaurant, staff=ana)

    assert err.value.status_code == 409


def test_clocking_out_before_clocking_in_is_refused(restaurant, clocked_in):
    with pytest.raises(InvalidStaffInput) as err:
        shift_clock_out(restaurant=restaurant, staff=clocked_in, at=timezone.now() - timedelta(hours=3))

    assert err.value.details["field"] == "at"
    assert Shift.objects.get(staff=clocked_in).is_open


def test_a_break_during_a_break_is_a_conflict(restaurant, clocked_in):
    break_start(restaurant=restaurant, staff=clocked_in)

    with pytest.raises(AlreadyOnBreak):
        break_start(restaurant=restaurant, staff=clocked_in)

    assert ShiftBreak.objects.count() == 1


def test_ending_a_break_that_never_started_is_a_conflict(restaurant, clocked_in):
    with pytest.raises(NotOnBreak):
        break_end(restaurant=restaurant, staff=clocked_in)


@pytest.mark.parametrize("service", [break_start, break_end, server_cut, server_skip_once])
def test_breaks_and_overrides_need_an_open_shift(restaurant, ana, service):
    with pytest.raises(NotClockedIn):
        service(restaurant=restaurant, staff=ana)


def test_a_break_cannot_end_before_it_started(restaurant, clocked_in):
    started = break_start(restaurant=restaurant, staff=clocked_in).started_at

    with pytest.raises(InvalidStaffInput):
        break_end(restaurant=restaurant, staff=clocked_in, at=started - timedelta(minutes=1))


def test_a_server_on_break_takes_no_tables_until_it_ends(restaurant, clocked_in):
    break_start(restaurant=restaurant, staff=clocked_in)
    [entry] = shifts_on_floor(restaurant=restaurant)
    assert entry.on_break and _available_ids(restaurant) == []

    break_end(restaurant=restaurant, staff=clocked_in)

    assert _available_ids(restaurant) == [clocked_in.pk]


def test_a_cut_server_takes_no_new_parties_until_uncut(restaurant, clocked_in):
    shift = server_cut(restaurant=restaurant, staff=clocked_in)
    assert shift.cut and _available_ids(restaurant) == []

    server_uncut(restaurant=restaurant, staff=clocked_in)

    assert _available_ids(restaurant) == [clocked_in.pk]


def test_skip_once_and_move_in_rotation_are_kept_on_the_open_shift(restaurant, clocked_in):
    server_skip_once(restaurant=restaurant, staff=clocked_in)
    server_move_in_rotation(restaurant=restaurant, staff=clocked_in, offset=-2)

    shift = Shift.objects.get(staff=clocked_in)
    assert (shift.skip_next, shift.rotation_offset) == (True, -2)


def test_moving_in_rotation_twice_to_the_same_place_changes_nothing_twice(
    restaurant, clocked_in, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        server_move_in_rotation(restaurant=restaurant, staff=clocked_in, offset=3)
        server_move_in_rotation(restaurant=restaurant, staff=clocked_in, offset=3)

    assert Shift.objects.get(staff=clocked_in).rotation_offset == 3
    assert len(callbacks) == 1


@pytest.mark.parametrize("offset", [51, -51, 1.5, True])
def test_a_rotation_move_out_of_range_is_refused(restaurant, clocked_in, offset):
    with pytest.raises(InvalidStaffInput) as err:
        server_move_in_rotation(restaurant=restaurant, staff=clocked_in, offset=offset)

    assert err.value.details["field"] == "offset"


def test_overrides_end_with_the_shift(restaurant, clocked_in):
    server_cut(restaurant=restaurant, staff=clocked_in)
    shift_clock_out(restaurant=restaurant, staff=clocked_in)

    shift = shift_clock_in(restaurant=restaurant, staff=clocked_in)

    assert (shift.cut, shift.skip_next, shift.rotation_offset) == (False, False, 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clock_ins_at_once_open_one_shift(using_postgres, restaurant, ana):
    barrier = threading.Barrier(4)
    outcomes = []

    def clock_in():
        try:
            barrier.wait(timeout=10)
            outcomes.append(shift_clock_in(restaurant=restaurant, staff=ana))
        except Exception as exc:  # the outcome under test
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=clock_in) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(type(o).__name__ for o in outcomes) == ["AlreadyClockedIn"] * 3 + ["Shift"]
    assert Shift.objects.filter(staff=ana).count() == 1
