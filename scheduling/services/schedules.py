"""Writes to schedules: drafts by hand, shift edits (checked by the engine's rules as they are made),
publishing (which archives the week's previous published version) and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from scheduling.exceptions import InvalidSchedulingInput, PublishBlocked, ScheduleNotEditable, SchedulingError
from scheduling.models import (
    AuditAction,
    ItemSource,
    Schedule,
    ScheduleAuditEntry,
    ScheduleItem,
    ScheduleStatus,
)
from scheduling.selectors import day_parts_of
from scheduling.services.planning import ConstraintValidator, person_or_none, rules_of
from staff.models import StaffMember

ITEM_FIELDS = ("staff", "date", "day_part", "role", "start_time", "end_time", "section", "locked")


def _audit(schedule: Schedule, action: str, actor, **details) -> ScheduleAuditEntry:
    actor = person_or_none(actor)
    return ScheduleAuditEntry.objects.create(schedule=schedule, action=action, actor=actor, details=details)


def _editable(schedule: Schedule) -> Schedule:
    locked = Schedule.objects.select_for_update().get(pk=schedule.pk)
    if locked.status != ScheduleStatus.DRAFT:
        raise ScheduleNotEditable(
            f"Version {locked.version} is {locked.status}; edit a draft (generate one, or copy this week).",
            details={"status": locked.status},
        )
    return locked


@transaction.atomic
def schedule_create(*, restaurant, week_start: date, notes: str = "", actor=None) -> Schedule:
    """An empty draft for a week, the next version number."""
    if week_start.weekday() != 0:
        raise InvalidSchedulingInput("week_start", "must be a Monday")
    version = (
        Schedule.objects.select_for_update()
        .filter(restaurant=restaurant, week_start=week_start)
        .aggregate(m=Max("version"))["m"]
        or 0
    ) + 1
    schedule = Schedule.objects.create(
        restaurant=restaurant,
        week_start=week_start,
        version=version,
        notes=notes,
        created_by=person_or_none(actor),
    )
    _audit(schedule, AuditAction.CREATED, actor, by="hand")
    return schedule


@transaction.atomic
def schedule_delete(*, schedule: Schedule) -> None:
    if schedule.status == ScheduleStatus.PUBLISHED:
        raise ScheduleNotEditable("A published schedule is archived by publishing another version, not deleted.")
    schedule.delete()


def _check_item(schedule: Schedule, values: dict) -> dict:
    restaurant = schedule.restaurant
    staff = values["staff"]
    if staff.restaurant_id != restaurant.pk:
        raise InvalidSchedulingInput("staff", "not found in this restaurant")
    if values.get("section") is not None and values["section"].restaurant_id != restaurant.pk:
        raise InvalidSchedulingInput("section", "not found in this restaurant")
    if not schedule.week_start <= values["date"] <= schedule.week_start + timedelta(days=6):
        raise InvalidSchedulingInput("date", f"must be in the week of {schedule.week_start}")
    parts = {p.key: p for p in day_parts_of(restaurant)}
    part = parts.get(values["day_part"])
    if part is None:
        raise InvalidSchedulingInput("day_part", f"unknown day-part; this restaurant has {sorted(parts)}")
    values.setdefault("start_time", part.start)
    values.setdefault("end_time", part.end)
    if values["start_time"] is None:
        values["start_time"] = part.start
    if values["end_time"] is None:
        values["end_time"] = part.end
    if values["end_time"] <= values["start_time"]:
        raise InvalidSchedulingInput("end_time", "must be after the start time")
    return values


def schedule_check(*, schedule: Schedule) -> dict:
    """Hard violations, warnings and unmet minimums of the schedule as it stands, under the rules of the
    run that made it (two shifts a day, say), the defaults for a schedule made by hand."""
    run = schedule.runs.order_by("-id").first()
    rules = rules_of(run.parameters if run else None)
    return ConstraintValidator(schedule.restaurant, schedule.week_start, rules=rules).check(
        schedule.items.select_related("staff")
    )


def _save_item(item: ScheduleItem) -> ScheduleItem:
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise InvalidSchedulingInput(
            "staff", f"{item.staff} already has a {item.day_part} shift on {item.date} in this schedule"
        ) from None
    return item


@transaction.atomic
def schedule_item_add(*, schedule: Schedule, actor=None, **values) -> tuple[ScheduleItem, dict]:
    """A shift added by hand (source manual). Returns the item and the schedule's check after it."""
    schedule = _editable(schedule)
    values = _check_item(schedule, {k: v for k, v in values.items() if k in ITEM_FIELDS})
    item = _save_item(ScheduleItem(schedule=schedule, source=ItemSource.MANUAL, **values))
    _audit(
        schedule,
        AuditAction.ITEM_ADDED,
        actor,
        item=item.pk,
        staff=item.staff_id,
        date=str(item.date),
        day_part=item.day_part,
    )
    return item, schedule_check(schedule=schedule)


@transaction.atomic
def schedule_item_change(*, item: ScheduleItem, actor=None, **changes) -> tuple[ScheduleItem, dict]:
    schedule = _editable(item.schedule)
    values = {name: getattr(item, name) for name in ITEM_FIELDS}
    before = {k: str(v) for k, v in values.items()}
    values.update({k: v for k, v in changes.items() if k in ITEM_FIELDS})
    if {"day_part"} & set(changes) and not {"start_time", "end_time"} & set(changes):
        values["start_time"] = values["end_time"] = None
    values = _check_item(schedule, values)
    for name, value in values.items():
        setattr(item, name, value)
    if set(changes) - {"locked"}:
        item.source = ItemSource.MANUAL
    _save_item(item)
    after = {k: str(getattr(item, k)) for k in ITEM_FIELDS}
    diff = {k: [before[k], after[k]] for k in ITEM_FIELDS if before[k] != after[k]}
    _audit(schedule, AuditAction.ITEM_CHANGED, actor, item=item.pk, changes=diff)
    return item, schedule_check(schedule=schedule)


@transaction.atomic
def schedule_item_remove(*, item: ScheduleItem, actor=None) -> dict:
    schedule = _editable(item.schedule)
    _audit(
        schedule,
        AuditAction.ITEM_REMOVED,
        actor,
        item=item.pk,
        staff=item.staff_id,
        date=str(item.date),
        day_part=item.day_part,
    )
    item.delete()
    return schedule_check(schedule=schedule)


@transaction.atomic
def schedule_publish(*, schedule: Schedule, actor=None, force_check: bool = True) -> Schedule:
    """Publish a draft: hard violations refuse it (409 listing them); the week's previously published
    version is archived first, and both steps are in the audit trail. Rows are locked in one order
    (every version of the week, by id) so two managers publishing at once cannot both win."""
    versions = list(
        Schedule.objects.select_for_update()
        .filter(restaurant_id=schedule.restaurant_id, week_start=schedule.week_start)
        .order_by("pk")
    )
    target = next(v for v in versions if v.pk == schedule.pk)
    if target.status == ScheduleStatus.PUBLISHED:
        return target
    if target.status != ScheduleStatus.DRAFT:
        raise ScheduleNotEditable(f"Version {target.version} is {target.status}; only a draft can be published.")
    if force_check:
        check = schedule_check(schedule=target)
        if check["hard"]:
            raise PublishBlocked(
                f"{len(check['hard'])} rule(s) broken: {check['hard'][0]['message']}",
                details={"violations": check["hard"]},
            )
    for other in versions:
        if other.status == ScheduleStatus.PUBLISHED:
            other.status = ScheduleStatus.ARCHIVED
            other.save(update_fields=["status"])
            _audit(other, AuditAction.ARCHIVED, actor, replaced_by=target.pk, version=target.version)
    target.status = ScheduleStatus.PUBLISHED
    target.published_at = timezone.now()
    target.published_by = person_or_none(actor)
    try:
        with transaction.atomic():
            target.save(update_fields=["status", "published_at", "published_by"])
    except IntegrityError:
        raise SchedulingError("Another version of this week was published at the same moment.") from None
    _audit(target, AuditAction.PUBLISHED, actor, version=target.version, shifts=target.items.count())
    return target


def staff_in(restaurant, staff_id) -> StaffMember:
    member = StaffMember.objects.for_restaurant(restaurant).filter(pk=staff_id).first()
    if member is None:
        raise InvalidSchedulingInput("staff", "not found in this restaurant")
    return member
