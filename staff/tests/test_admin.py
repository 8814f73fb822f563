"""Staff admin: manual tier changes enter the tier history, logins come from the restaurant's members,
shifts carry their breaks, and staff of another restaurant cannot be chosen."""

import pytest

from floor.tests.factories import SectionFactory
from restaurant.tests.admin_support import FAST_HASHERS, admin_client, admin_url, form_data
from staff.models import Shift, ShiftBreak, StaffMember, TierHistory
from staff.tests.factories import ShiftFactory, StaffMemberFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def manager(manager_user):
    return admin_client(manager_user)


def test_changing_a_tier_by_hand_enters_the_tier_history(manager, manager_user, restaurant):
    server = StaffMemberFactory(restaurant=restaurant, tier="standard")
    url = admin_url(StaffMember, "change", server.pk)
    assert manager.post(url, form_data(manager.get(url), tier="strong", tier_locked="on")).status_code == 302
    server.refresh_from_db()
    assert (server.tier, server.tier_locked) == ("strong", True)
    entry = TierHistory.objects.get(staff=server)
    assert (entry.previous_tier, entry.tier, entry.changed_by) == ("standard", "strong", manager_user)
    assert entry.computed_at == server.tier_updated_at


def test_saving_without_a_tier_change_leaves_the_history_alone(manager, restaurant):
    server = StaffMemberFactory(restaurant=restaurant)
    url = admin_url(StaffMember, "change", server.pk)
    assert manager.post(url, form_data(manager.get(url), phone="555-0100")).status_code == 302
    assert not TierHistory.objects.exists()


def test_tier_history_is_read_only(manager, manager_user, restaurant):
    server = StaffMemberFactory(restaurant=restaurant)
    entry = TierHistory.objects.create(restaurant=restaurant, staff=server, tier="strong", changed_by=manager_user)
    assert manager.post(admin_url(TierHistory, "change", entry.pk), {"tier": "developing"}).status_code == 403
    entry.refresh_from_db()
    assert entry.tier == "strong"


def test_login_choices_are_the_restaurants_members_only(manager, staff_user, host_user, outsider_user):
    form = manager.get(admin_url(StaffMember, "add")).context["adminform"].form
    users = set(form.fields["user"].queryset)
    assert {staff_user, host_user} <= users
    assert outsider_user not in users


def test_shift_page_lists_and_adds_breaks(manager, restaurant):
    shift = ShiftFactory(staff=StaffMemberFactory(restaurant=restaurant), section=SectionFactory(restaurant=restaurant))
    ShiftBreak.objects.create(shift=shift, started_at=shift.clock_in, ended_at=shift.clock_in)
    url = admin_url(Shift, "change", shift.pk)
    page = manager.get(url)
    (breaks,) = page.context["inline_admin_formsets"]
    assert breaks.formset.initial_form_count() == 1
    data = form_data(page)
    data.update({"breaks-TOTAL_FORMS": "2", "breaks-1-started_at_0": "2026-11-30", "breaks-1-started_at_1": "18:00"})
    assert manager.post(url, data).status_code == 302
    assert shift.breaks.count() == 2


def test_a_shift_for_another_restaurants_staff_member_is_refused(manager, other_restaurant):
    foreign = StaffMemberFactory(restaurant=other_restaurant)
    url = admin_url(Shift, "add")
    response = manager.post(url, form_data(manager.get(url), staff=foreign.pk, role="server"))
    assert response.status_code == 200
    assert "staff" in response.context["adminform"].form.errors
    assert not Shift.objects.exists()


def test_new_shift_takes_the_restaurant_of_its_staff_member(manager, restaurant):
    server = StaffMemberFactory(restaurant=restaurant)
    url = admin_url(Shift, "add")
    assert manager.post(url, form_data(manager.get(url), staff=server.pk, role="server")).status_code == 302
    assert Shift.objects.get().restaurant == restaurant
