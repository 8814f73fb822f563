"""Scheduling admin: staff members keep their own availability, time off and preferences and nothing
else; managers decide time off and publish schedules."""

import datetime

import pytest

from floor.models import Table
from floor.tests.factories import SectionFactory
from restaurant.models import Membership, Restaurant
from restaurant.tests.admin_support import (
    FAST_HASHERS,
    admin_client,
    admin_url,
    changelist_rows,
    form_data,
)
from scheduling.models import Schedule, ScheduleAuditEntry, ScheduleItem, StaffAvailability, StaffPreference, TimeOff
from scheduling.tests.factories import (
    ScheduleFactory,
    StaffAvailabilityFactory,
    StaffPreferenceFactory,
    TimeOffFactory,
)
from staff.models import StaffMember
from staff.tests.factories import StaffMemberFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def sam(staff_user):
    return StaffMember.objects.get(user=staff_user)


@pytest.fixture
def colleague(restaurant):
    return StaffMemberFactory(restaurant=restaurant, name="Colleague Cat")


@pytest.fixture
def staff_admin(staff_user):
    return admin_client(staff_user)


def test_staff_member_lists_only_their_own_availability(sam, colleague, other_restaurant, staff_admin):
    own = StaffAvailabilityFactory(staff=sam)
    StaffAvailabilityFactory(staff=colleague)
    StaffAvailabilityFactory(staff=StaffMemberFactory(restaurant=other_restaurant))
    assert changelist_rows(staff_admin.get(admin_url(StaffAvailability, "changelist"))) == [own]


def test_staff_member_adds_availability_for_themselves(sam, restaurant, staff_admin):
    url = admin_url(StaffAvailability, "add")
    page = staff_admin.get(url)
    form = page.context["adminform"].form
    assert list(form.fields["staff"].queryset) == [sam]
    assert "restaurant" not in form.fields

    response = staff_admin.post(url, form_data(page, weekday=5, start_time="10:00", end_time="16:00"))
    assert response.status_code == 302
    row = StaffAvailability.objects.get()
    assert (row.staff, row.restaurant, row.weekday) == (sam, restaurant, 5)


def test_staff_member_posting_a_colleagues_id_gets_a_form_error_and_nothing_is_saved(colleague, staff_admin):
    url = admin_url(StaffAvailability, "add")
    page = staff_admin.get(url)
    response = staff_admin.post(
        url, form_data(page, staff=colleague.pk, weekday=5, start_time="10:00", end_time="16:00")
    )
    assert response.status_code == 200
    assert "staff" in response.context["adminform"].form.errors
    assert not StaffAvailability.objects.exists()


def test_staff_member_cannot_open_change_or_delete_a_colleagues_availability(colleague, staff_admin):
    theirs = StaffAvailabilityFactory(staff=colleague)
    page = staff_admin.get(admin_url(StaffAvailability, "change", theirs.pk), follow=True)
    assert "doesn’t exist" in page.content.decode()
    staff_admin.post(admin_url(StaffAvailability, "change", theirs.pk), {"weekday": 0})
    staff_admin.post(admin_url(StaffAvailability, "delete", theirs.pk), {"post": "yes"})
    theirs.refresh_from_db()
    assert theirs.weekday == 4


def test_staff_member_edits_and_deletes_their_own_availability(sam, staff_admin):
    own = StaffAvailabilityFactory(staff=sam)
    url = admin_url(StaffAvailability, "change", own.pk)
    page = staff_admin.get(url)
    assert "staff" not in page.context["adminform"].form.fields  # shown, not editable
    assert staff_admin.post(url, form_data(page, end_time="22:00")).status_code == 302
    own.refresh_from_db()
    assert own.end_time.hour == 22

    assert staff_admin.post(admin_url(StaffAvailability, "delete", own.pk), {"post": "yes"}).status_code == 302
    assert not StaffAvailability.objects.exists()


@pytest.mark.parametrize("model", [Table, Restaurant, StaffMember, Schedule, Membership])
def test_staff_member_cannot_reach_anything_else(model, sam, staff_admin):
    assert staff_admin.get(admin_url(model, "changelist")).status_code == 403
    assert staff_admin.get(admin_url(model, "add")).status_code == 403


def test_staff_member_cannot_use_the_staff_autocomplete(sam, colleague, staff_admin):
    response = staff_admin.get(
        "/admin/autocomplete/",
        {"app_label": "scheduling", "model_name": "staffavailability", "field_name": "staff"},
    )
    assert response.status_code == 403


def test_staff_member_requests_time_off_which_stays_requested_whatever_they_post(sam, staff_admin):
    url = admin_url(TimeOff, "add")
    page = staff_admin.get(url)
    assert "status" not in page.context["adminform"].form.fields
    data = form_data(page, start_date="2026-12-24", end_date="2026-12-26", reason="family", status="approved")
    assert staff_admin.post(url, data).status_code == 302
    request = TimeOff.objects.get()
    assert (request.staff, request.status, request.decided_by) == (sam, "requested", None)


def test_staff_member_cannot_approve_their_own_request(sam, staff_admin):
    request = TimeOffFactory(staff=sam)
    url = admin_url(TimeOff, "change", request.pk)
    page = staff_admin.get(url)
    assert staff_admin.post(url, form_data(page, status="approved", reason="please")).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.reason) == ("requested", "please")

    changelist = staff_admin.get(admin_url(TimeOff, "changelist"))
    assert "approve" not in dict(changelist.context["action_form"].fields["action"].choices)
    staff_admin.post(admin_url(TimeOff, "changelist"), {"action": "approve", "_selected_action": [request.pk]})
    request.refresh_from_db()
    assert request.status == "requested"


def test_staff_member_keeps_preferences_with_sections_of_their_restaurant_only(
    sam, restaurant, other_restaurant, staff_admin
):
    ours = SectionFactory(restaurant=restaurant)
    theirs = SectionFactory(restaurant=other_restaurant)
    url = admin_url(StaffPreference, "add")
    page = staff_admin.get(url)
    assert list(page.context["adminform"].form.fields["sections"].queryset) == [ours]

    refused = staff_admin.post(url, form_data(page, roles=["server"], sections=[theirs.pk]))
    assert "sections" in refused.context["adminform"].form.errors
    assert not StaffPreference.objects.exists()

    accepted = staff_admin.post(
        url, form_data(page, roles=["server", "host"], sections=[ours.pk], max_hours_per_week=30)
    )
    assert accepted.status_code == 302
    preference = StaffPreference.objects.get()
    assert (preference.staff, preference.roles, list(preference.sections.all())) == (sam, ["server", "host"], [ours])


def test_former_member_sees_nothing_even_with_a_staff_profile(sam, staff_user, staff_admin):
    StaffAvailabilityFactory(staff=sam)
    Membership.objects.filter(user=staff_user).delete()
    assert staff_admin.get(admin_url(StaffAvailability, "changelist")).status_code == 403


def test_host_with_a_staff_profile_keeps_their_own_availability_too(host_user, restaurant, colleague):
    host_profile = StaffMemberFactory(restaurant=restaurant, user=host_user, role="host")
    own = StaffAvailabilityFactory(staff=host_profile)
    StaffAvailabilityFactory(staff=colleague)
    client = admin_client(host_user)
    assert changelist_rows(client.get(admin_url(StaffAvailability, "changelist"))) == [own]


def test_manager_sees_every_staff_members_rows_of_their_restaurant_only(manager_user, sam, colleague, other_restaurant):
    ours = {StaffAvailabilityFactory(staff=sam), StaffAvailabilityFactory(staff=colleague)}
    StaffAvailabilityFactory(staff=StaffMemberFactory(restaurant=other_restaurant))
    rows = changelist_rows(admin_client(manager_user).get(admin_url(StaffAvailability, "changelist")))
    assert set(rows) == ours


def test_manager_approving_time_off_is_recorded_as_the_decider(manager_user, sam):
    request = TimeOffFactory(staff=sam)
    client = admin_client(manager_user)
    url = admin_url(TimeOff, "change", request.pk)
    assert client.post(url, form_data(client.get(url), status="approved")).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("approved", manager_user)


def test_manager_denies_requests_in_bulk_but_only_their_restaurants(manager_user, sam, other_restaurant):
    ours = TimeOffFactory(staff=sam)
    theirs = TimeOffFactory(staff=StaffMemberFactory(restaurant=other_restaurant))
    client = admin_client(manager_user)
    client.post(admin_url(TimeOff, "changelist"), {"action": "deny", "_selected_action": [ours.pk, theirs.pk]})
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.status, ours.decided_by) == ("denied", manager_user)
    assert theirs.status == "requested"


def test_staff_member_page_shows_availability_time_off_and_preferences_inline(manager_user, sam):
    StaffAvailabilityFactory(staff=sam)
    TimeOffFactory(staff=sam)
    StaffPreferenceFactory(staff=sam)
    page = admin_client(manager_user).get(admin_url(StaffMember, "change", sam.pk))
    inlines = {
        inline.opts.model: inline.formset.initial_form_count() for inline in page.context["inline_admin_formsets"]
    }
    assert inlines == {StaffAvailability: 1, TimeOff: 1, StaffPreference: 1}


def test_manager_adds_availability_inline_on_the_staff_member_page(manager_user, sam, restaurant):
    client = admin_client(manager_user)
    url = admin_url(StaffMember, "change", sam.pk)
    data = form_data(client.get(url))
    data.update(
        {
            "availability-TOTAL_FORMS": "1",
            "availability-0-weekday": "2",
            "availability-0-start_time": "09:00",
            "availability-0-end_time": "15:00",
            "availability-0-available": "on",
        }
    )
    assert client.post(url, data).status_code == 302
    row = StaffAvailability.objects.get()
    assert (row.staff, row.restaurant, row.weekday) == (sam, restaurant, 2)


def test_publishing_a_schedule_in_admin_records_who_and_when(manager_user, restaurant):
    schedule = ScheduleFactory(restaurant=restaurant)
    ScheduleAuditEntry.objects.create(schedule=schedule, action="created")
    client = admin_client(manager_user)
    url = admin_url(Schedule, "change", schedule.pk)
    page = client.get(url)
    assert [inline.opts.model.__name__ for inline in page.context["inline_admin_formsets"]] == [
        "ScheduleItem",
        "ScheduleAuditEntry",
    ]
    assert client.post(url, form_data(page, status="published")).status_code == 302
    schedule.refresh_from_db()
    assert schedule.published_by == manager_user
    assert schedule.published_at is not None
    # The read-only audit inline posts nothing back; publishing goes through the service, which audits it.
    assert list(schedule.audit.values_list("action", flat=True)) == ["published", "created"]


def test_schedule_page_queries_do_not_grow_with_its_shifts(manager_user, restaurant, django_assert_max_num_queries):
    schedule = ScheduleFactory(restaurant=restaurant)
    section = SectionFactory(restaurant=restaurant)
    people = [StaffMemberFactory(restaurant=restaurant) for _ in range(5)]
    for day in range(7):
        for person in people:
            ScheduleItem.objects.create(
                schedule=schedule,
                staff=person,
                section=section,
                date=schedule.week_start + datetime.timedelta(days=day),
                day_part="dinner",
                role="server",
                start_time=datetime.time(17),
                end_time=datetime.time(23),
            )
        ScheduleAuditEntry.objects.create(schedule=schedule, action="item_added", actor=manager_user)
    client = admin_client(manager_user)
    with django_assert_max_num_queries(16):
        page = client.get(admin_url(Schedule, "change", schedule.pk))
    assert page.context["inline_admin_formsets"][0].formset.initial_form_count() == 35


def test_staff_member_changing_the_dates_of_approved_time_off_sends_it_back_to_pending(sam, manager_user, staff_admin):
    request = TimeOffFactory(staff=sam, status="approved", decided_by=manager_user)
    url = admin_url(TimeOff, "change", request.pk)
    page = staff_admin.get(url)
    assert staff_admin.post(url, form_data(page, start_date="2026-12-20", end_date="2026-12-31")).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.end_date) == ("requested", None, datetime.date(2026, 12, 31))
    assert request.resubmitted_at is not None
    assert request.previous_dates == "2026-12-24..2026-12-26 (approved)"

    # The manager sees it reopened in the time-off list, filtered by "changed after decision".
    manager = admin_client(manager_user)
    listed = manager.get(admin_url(TimeOff, "changelist"), {"resubmitted_at__isempty": "0"})
    assert changelist_rows(listed) == [request]
    assert "changed after decision" in listed.content.decode().lower()


def test_staff_member_saving_approved_time_off_unchanged_keeps_it_approved(sam, manager_user, staff_admin):
    request = TimeOffFactory(staff=sam, status="approved", decided_by=manager_user)
    url = admin_url(TimeOff, "change", request.pk)
    assert staff_admin.post(url, form_data(staff_admin.get(url))).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.resubmitted_at) == ("approved", manager_user, None)


def test_staff_member_edits_a_pending_request_freely(sam, staff_admin):
    request = TimeOffFactory(staff=sam)
    url = admin_url(TimeOff, "change", request.pk)
    assert staff_admin.post(url, form_data(staff_admin.get(url), end_date="2026-12-28")).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.end_date, request.resubmitted_at) == (
        "requested",
        datetime.date(2026, 12, 28),
        None,
    )


def test_manager_changing_dates_of_approved_time_off_keeps_their_decision(sam, manager_user):
    request = TimeOffFactory(staff=sam, status="approved", decided_by=manager_user)
    client = admin_client(manager_user)
    url = admin_url(TimeOff, "change", request.pk)
    assert client.post(url, form_data(client.get(url), end_date="2026-12-27")).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.resubmitted_at) == ("approved", manager_user, None)


def test_publishing_a_second_version_in_admin_archives_the_first(manager_user, restaurant):
    first = ScheduleFactory(restaurant=restaurant, status="published")
    second = ScheduleFactory(restaurant=restaurant, version=2)
    client = admin_client(manager_user)
    url = admin_url(Schedule, "change", second.pk)
    assert client.post(url, form_data(client.get(url), status="published")).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("archived", "published")
    assert first.audit.get().action == "archived"
