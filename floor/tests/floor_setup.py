"""Small builders shared by the floor service tests: a table in a restaurant, a server on the floor."""

from floor.tests.factories import SectionFactory, TableFactory
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
