"""The scheduling API over real authentication: personas, tenancy (404 across restaurants), input
errors naming the field with nothing written, and the rules the services keep."""

import datetime

import pytest

from scheduling.models import (
    Schedule,
    ScheduleAuditEntry,
    ScheduleItem,
    ScheduleRun,
    StaffAvailability,
    StaffingRequirement,
    StaffPreference,
    TimeOff,
)
from scheduling.services import SchedulingEngine, schedule_publish
from scheduling.tests.factories import ScheduleFactory, StaffAvailabilityFactory, TimeOffFactory
from scheduling.tests.week_setup import WEEK, small_week
from staff.models import StaffMember
from staff.tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db


def base(restaurant) -> str:
    return f"/api/v1/restaurants/{restaurant.pk}"


def field_error(response, field: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()["error"]
    assert field in body["details"], body


@pytest.fixture
def sam(staff_user):
    return StaffMember.objects.get(user=staff_user)


@pytest.fixture
def draft(restaurant):
    small_week(restaurant)
    return SchedulingEngine(restaurant, engine="greedy").generate(WEEK).schedule


# --- runs -------------------------------------------------------------------------------------


def test_manager_starts_a_run_and_gets_202_with_its_id(restaurant, manager_api):
    answer = manager_api.post(
        f"{base(restaurant)}/schedules/run", {"week_start": "2026-12-07", "engine": "greedy"}, format="json"
    )
    assert answer.status_code == 202
    run = ScheduleRun.objects.get(pk=answer.json()["run_id"])
    assert (run.status, run.week_start, run.parameters["engine"]) == ("queued", WEEK, "greedy")
    status = manager_api.get(f"{base(restaurant)}/schedules/runs/{run.pk}").json()
    assert {k: status[k] for k in ("status", "progress", "schedule_id")} == {
        "status": "queued",
        "progress": 0,
        "schedule_id": None,
    }
    assert "metrics" in status


def test_frontend_key_may_start_a_run_and_the_engine_defaults_to_cpsat(restaurant, make_key_api):
    answer = make_key_api(restaurant, scopes=["frontend"]).post(
        f"{base(restaurant)}/schedules/run", {"week_start": "2026-12-07"}, format="json"
    )
    assert answer.status_code == 202
    assert ScheduleRun.objects.get().parameters["engine"] == "cpsat"


@pytest.mark.parametrize("persona", ["host_api", "staff_api"])
def test_hosts_and_staff_may_not_start_a_run(persona, restaurant, request):
    client = request.getfixturevalue(persona)
    answer = client.post(f"{base(restaurant)}/schedules/run", {"week_start": "2026-12-07"}, format="json")
    assert answer.status_code == 403
    assert not ScheduleRun.objects.exists()


def test_pos_key_may_not_start_a_run(restaurant, make_key_api):
    client = make_key_api(restaurant, scopes=["pos"])
    assert (
        client.post(f"{base(restaurant)}/schedules/run", {"week_start": "2026-12-07"}, format="json").status_code == 403
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"week_start": "2026-12-08"}, "week_start"),
        ({"week_start": "soon"}, "week_start"),
        ({}, "week_start"),
        ({"week_start": "2026-12-07", "engine": "simplex"}, "engine"),
        ({"week_start": "2026-12-07", "time_limit": 9999}, "time_limit"),
        ({"week_start": "2026-12-07", "max_shifts_per_day": 0}, "max_shifts_per_day"),
        ({"week_start": "2026-12-07", "min_rest_hours": -1}, "min_rest_hours"),
    ],
)
def test_a_bad_run_request_names_the_field_and_queues_nothing(body, field, restaurant, manager_api):
    field_error(manager_api.post(f"{base(restaurant)}/schedules/run", body, format="json"), field)
    assert not ScheduleRun.objects.exists()


def test_another_restaurants_run_and_schedules_are_404(restaurant, other_restaurant, outsider_api, manager_api):
    run = ScheduleRun.objects.create(restaurant=other_restaurant, week_start=WEEK)
    assert manager_api.get(f"{base(restaurant)}/schedules/runs/{run.pk}").status_code == 404
    assert (
        outsider_api.post(f"{base(restaurant)}/schedules/run", {"week_start": "2026-12-07"}, format="json").status_code
        == 404
    )
    assert outsider_api.get(f"{base(restaurant)}/schedules/").status_code == 404


# --- availability -----------------------------------------------------------------------------


def test_staff_member_adds_their_own_availability_over_the_api(restaurant, sam, staff_api):
    answer = staff_api.post(
        f"{base(restaurant)}/availability/",
        {"staff": sam.pk, "weekday": 2, "start_time": "10:00", "end_time": "18:00"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert StaffAvailability.objects.get().staff == sam


def test_staff_member_cannot_add_or_change_a_colleagues_availability(restaurant, sam, staff_api):
    colleague = StaffMemberFactory(restaurant=restaurant)
    answer = staff_api.post(
        f"{base(restaurant)}/availability/",
        {"staff": colleague.pk, "weekday": 2, "start_time": "10:00", "end_time": "18:00"},
        format="json",
    )
    field_error(answer, "staff")
    theirs = StaffAvailabilityFactory(staff=colleague)
    assert (
        staff_api.patch(f"{base(restaurant)}/availability/{theirs.pk}/", {"weekday": 1}, format="json").status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.weekday == 4
    assert StaffAvailability.objects.count() == 1


def test_bulk_availability_is_all_or_nothing_and_names_the_bad_row(restaurant, manager_api):
    ana = StaffMemberFactory(restaurant=restaurant)
    good = {"staff": ana.pk, "weekday": 1, "start_time": "10:00", "end_time": "18:00"}
    bad = {"staff": ana.pk, "weekday": 2, "start_time": "18:00", "end_time": "10:00"}
    refused = manager_api.post(f"{base(restaurant)}/availability/bulk/", {"items": [good, bad]}, format="json")
    field_error(refused, "items")
    assert refused.json()["error"]["details"]["items"]["1"] == {"end_time": ["must be after the start time"]}
    assert not StaffAvailability.objects.exists()
    made = manager_api.post(
        f"{base(restaurant)}/availability/bulk/", {"items": [good, {**good, "weekday": 3}]}, format="json"
    )
    assert made.status_code == 201
    assert StaffAvailability.objects.count() == 2


def test_availability_of_another_restaurants_staff_is_an_unknown_id(restaurant, other_restaurant, manager_api):
    theirs = StaffMemberFactory(restaurant=other_restaurant)
    answer = manager_api.post(
        f"{base(restaurant)}/availability/",
        {"staff": theirs.pk, "weekday": 1, "start_time": "10:00", "end_time": "18:00"},
        format="json",
    )
    field_error(answer, "staff")


# --- preferences ------------------------------------------------------------------------------


def test_preferences_upsert_creates_then_replaces(restaurant, sam, staff_api):
    url = f"{base(restaurant)}/staff/{sam.pk}/preferences"
    body = {"roles": ["server"], "day_parts": ["dinner"], "min_hours_per_week": 10, "max_hours_per_week": 30}
    assert staff_api.put(url, body, format="json").status_code == 201
    assert staff_api.put(url, {**body, "max_hours_per_week": 25}, format="json").status_code == 200
    preference = StaffPreference.objects.get()
    assert (preference.staff, preference.max_hours_per_week, preference.restaurant) == (sam, 25, restaurant)
    assert staff_api.get(url).json()["day_parts"] == ["dinner"]


def test_preferences_refuse_unknown_day_parts_and_a_colleagues_row(restaurant, sam, staff_api):
    field_error(
        staff_api.put(f"{base(restaurant)}/staff/{sam.pk}/preferences", {"day_parts": ["brunch"]}, format="json"),
        "day_parts",
    )
    field_error(
        staff_api.put(
            f"{base(restaurant)}/staff/{sam.pk}/preferences",
            {"min_hours_per_week": 30, "max_hours_per_week": 20},
            format="json",
        ),
        "max_hours_per_week",
    )
    colleague = StaffMemberFactory(restaurant=restaurant)
    assert staff_api.put(f"{base(restaurant)}/staff/{colleague.pk}/preferences", {}, format="json").status_code == 403
    assert not StaffPreference.objects.exists()


# --- staffing requirements --------------------------------------------------------------------


def test_manager_keeps_requirements_and_a_host_only_reads_them(restaurant, manager_api, host_api):
    url = f"{base(restaurant)}/staffing-requirements/"
    body = {"weekday": 5, "day_part": "dinner", "role": "server", "min_staff": 3, "target_staff": 5, "max_staff": 6}
    assert manager_api.post(url, body, format="json").status_code == 201
    field_error(manager_api.post(url, {**body, "weekday": 4, "target_staff": 1}, format="json"), "target_staff")
    field_error(manager_api.post(url, {**body, "weekday": 4, "day_part": "brunch"}, format="json"), "day_part")
    field_error(manager_api.post(url, body, format="json"), "weekday")  # the same slot twice
    assert host_api.post(url, {**body, "weekday": 1}, format="json").status_code == 403
    assert len(host_api.get(url).json()["results"]) == 1
    assert StaffingRequirement.objects.count() == 1


# --- schedules, items, publish, audit ---------------------------------------------------------


def test_manager_creates_an_empty_draft_and_the_next_version_number(restaurant, manager_api):
    ScheduleFactory(restaurant=restaurant, week_start=WEEK)
    answer = manager_api.post(f"{base(restaurant)}/schedules/", {"week_start": "2026-12-07"}, format="json")
    assert answer.status_code == 201
    assert (answer.json()["version"], answer.json()["status"]) == (2, "draft")
    field_error(
        manager_api.post(f"{base(restaurant)}/schedules/", {"week_start": "2026-12-09"}, format="json"), "week_start"
    )
    assert Schedule.objects.count() == 2


def test_staff_see_published_schedules_only(restaurant, staff_api, draft):
    assert staff_api.get(f"{base(restaurant)}/schedules/").json()["results"] == []
    assert staff_api.get(f"{base(restaurant)}/schedules/{draft.pk}/items/").status_code == 404
    schedule_publish(schedule=draft)
    assert [s["id"] for s in staff_api.get(f"{base(restaurant)}/schedules/").json()["results"]] == [draft.pk]
    assert staff_api.get(f"{base(restaurant)}/schedules/{draft.pk}/items/").status_code == 200


def test_items_list_carries_reasons_in_a_fixed_number_of_queries(
    restaurant, manager_api, draft, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        answer = manager_api.get(f"{base(restaurant)}/schedules/{draft.pk}/items/?page_size=200")
    rows = answer.json()["results"]
    assert rows and all(row["reasoning"]["summary"] for row in rows)


def test_locking_an_item_answers_the_schedules_check_and_audits_it(restaurant, manager_api, draft):
    item = draft.items.filter(role="server").first()
    url = f"{base(restaurant)}/schedules/{draft.pk}/items/{item.pk}/"
    answer = manager_api.patch(url, {"locked": True}, format="json")
    assert answer.status_code == 200, answer.content
    assert (answer.json()["locked"], answer.json()["source"]) == (True, "engine")  # locking is not an edit
    assert answer.json()["check"]["hard"] == []
    entry = ScheduleAuditEntry.objects.get(schedule=draft, action="item_changed")
    assert entry.details["changes"] == {"locked": ["False", "True"]}


def test_moving_an_item_to_another_day_part_takes_that_day_parts_times(restaurant, manager_api, draft):
    item = draft.items.filter(role="server", day_part="lunch").first()
    url = f"{base(restaurant)}/schedules/{draft.pk}/items/{item.pk}/"
    ScheduleItem.objects.filter(schedule=draft, staff=item.staff, date=item.date).exclude(pk=item.pk).delete()
    answer = manager_api.patch(url, {"day_part": "dinner"}, format="json")
    assert answer.status_code == 200, answer.content
    assert (answer.json()["start_time"], answer.json()["end_time"], answer.json()["source"]) == (
        "17:00:00",
        "23:00:00",
        "manual",
    )


def test_adding_a_shift_for_someone_unavailable_is_saved_flagged_and_blocks_publishing(restaurant, manager_api, draft):
    ana = StaffMember.objects.get(name="Ana Alvarez")
    ScheduleItem.objects.filter(schedule=draft, staff=ana, date=WEEK).delete()
    answer = manager_api.post(
        f"{base(restaurant)}/schedules/{draft.pk}/items/",
        {"staff": ana.pk, "date": "2026-12-07", "day_part": "lunch", "role": "server"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["start_time"] == "11:00:00"
    assert any("not available Monday" in v["message"] for v in answer.json()["check"]["hard"])
    refused = manager_api.post(f"{base(restaurant)}/schedules/{draft.pk}/publish")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "publish_blocked"
    draft.refresh_from_db()
    assert draft.status == "draft"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": "2026-12-20"}, "date"),
        ({"day_part": "brunch"}, "day_part"),
        ({"role": "chef"}, "role"),
        ({"staff": 999999}, "staff"),
    ],
)
def test_a_bad_item_names_the_field_and_writes_nothing(change, field, restaurant, manager_api, draft):
    sam = StaffMember.objects.get(name="Eve Evans")
    before = draft.items.count(), draft.audit.count()
    body = {"staff": sam.pk, "date": "2026-12-09", "day_part": "lunch", "role": "server", **change}
    field_error(manager_api.post(f"{base(restaurant)}/schedules/{draft.pk}/items/", body, format="json"), field)
    assert (draft.items.count(), draft.audit.count()) == before


def test_another_restaurants_staff_cannot_be_scheduled_here(restaurant, other_restaurant, manager_api, draft):
    theirs = StaffMemberFactory(restaurant=other_restaurant)
    body = {"staff": theirs.pk, "date": "2026-12-09", "day_part": "lunch", "role": "server"}
    field_error(manager_api.post(f"{base(restaurant)}/schedules/{draft.pk}/items/", body, format="json"), "staff")


def test_publish_over_the_api_archives_the_last_version_and_the_audit_lists_it(restaurant, manager_api, draft):
    first = manager_api.post(f"{base(restaurant)}/schedules/{draft.pk}/publish")
    assert first.status_code == 200 and first.json()["status"] == "published"
    second = SchedulingEngine(restaurant, engine="greedy").generate(WEEK).schedule
    assert manager_api.post(f"{base(restaurant)}/schedules/{second.pk}/publish").json()["status"] == "published"
    assert Schedule.objects.get(pk=draft.pk).status == "archived"
    audit = manager_api.get(f"{base(restaurant)}/schedules/{draft.pk}/audit").json()["results"]
    assert [row["action"] for row in audit] == ["archived", "published", "created"]
    assert audit[1]["actor"] == "manager"
    # Published and archived versions are not edited or deleted.
    item = draft.items.first()
    assert manager_api.delete(f"{base(restaurant)}/schedules/{draft.pk}/items/{item.pk}/").status_code == 409
    assert manager_api.delete(f"{base(restaurant)}/schedules/{second.pk}/").status_code == 409


def test_a_host_cannot_see_or_publish_a_draft(restaurant, host_api, draft):
    assert host_api.post(f"{base(restaurant)}/schedules/{draft.pk}/publish").status_code == 404
    assert Schedule.objects.get(pk=draft.pk).status == "draft"


def test_check_endpoint_lists_what_blocks_and_what_is_unmet(restaurant, manager_api, draft):
    check = manager_api.get(f"{base(restaurant)}/schedules/{draft.pk}/check").json()
    assert set(check) == {"hard", "soft", "unmet"}


def test_forecast_endpoint_gives_covers_and_staff_needed_per_day_part(restaurant, manager_api):
    answer = manager_api.get(f"{base(restaurant)}/schedules/forecast", {"week_start": "2026-12-07"})
    assert answer.status_code == 200
    body = answer.json()
    assert len(body["days"]) == 14 and "server" in body["ratios"]
    field_error(manager_api.get(f"{base(restaurant)}/schedules/forecast", {"week_start": "2026-12-08"}), "week_start")


# --- time off: the rule admin shares ----------------------------------------------------------


def test_staff_changing_approved_time_off_over_the_api_sends_it_back_to_pending(
    restaurant, sam, staff_api, manager_user
):
    approved = TimeOffFactory(staff=sam, status="approved", decided_by=manager_user)
    answer = staff_api.patch(
        f"{base(restaurant)}/time-off/{approved.pk}/", {"end_date": "2026-12-30", "status": "approved"}, format="json"
    )
    assert answer.status_code == 200, answer.content
    approved.refresh_from_db()
    assert (approved.status, approved.decided_by, approved.end_date) == ("requested", None, datetime.date(2026, 12, 30))
    assert answer.json()["resubmitted_at"]


def test_staff_request_time_off_pending_whatever_they_send_and_managers_decide(
    restaurant, sam, staff_api, manager_api, manager_user
):
    made = staff_api.post(
        f"{base(restaurant)}/time-off/",
        {"staff": sam.pk, "start_date": "2026-12-24", "end_date": "2026-12-26", "status": "approved"},
        format="json",
    )
    assert made.status_code == 201 and made.json()["status"] == "requested"
    row = TimeOff.objects.get()
    decided = manager_api.patch(f"{base(restaurant)}/time-off/{row.pk}/", {"status": "approved"}, format="json")
    assert decided.json()["status"] == "approved"
    row.refresh_from_db()
    assert row.decided_by == manager_user
    field_error(
        staff_api.post(
            f"{base(restaurant)}/time-off/",
            {"staff": sam.pk, "start_date": "2026-12-26", "end_date": "2026-12-24"},
            format="json",
        ),
        "end_date",
    )
    assert TimeOff.objects.count() == 1
