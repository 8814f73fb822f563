"""Helpers for the admin tests of every app: logging a persona into admin, and a restaurant with a few
rows of every model, so changelists and change pages have something to show (and N+1 queries show)."""

import datetime
import uuid
from decimal import Decimal

from django import forms
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from floor.models import RoutingDecision, TableStateChange, VisitItem
from floor.tests.factories import MenuItemFactory, SectionFactory, TableFactory, VisitFactory, WaitlistEntryFactory
from restaurant.models import DeliveryAttempt, InboxEvent, OutboxEvent
from restaurant.services import api_client_create
from restaurant.services.webhooks import webhook_endpoint_create
from restaurant.tests.factories import UserFactory
from scheduling.models import ScheduleAuditEntry, ScheduleItem, ScheduleReasoning, ScheduleRun
from scheduling.tests.factories import (
    ScheduleFactory,
    StaffAvailabilityFactory,
    StaffingRequirementFactory,
    StaffPreferenceFactory,
    TimeOffFactory,
)
from staff.models import ShiftBreak, TierHistory, TierJob, TierSettings, WaiterInsights, WaiterMetrics
from staff.tests.factories import ShiftFactory, StaffMemberFactory
from vision.models import ClassifierModel, Crop, Prediction, VisionConflict, VisionSettings
from vision.tests.factories import CameraFactory, TableRegionFactory

PROJECT_APPS = ("restaurant", "floor", "staff", "scheduling", "vision")

# Models that keep a record of what happened: nobody adds or edits them in admin.
READ_ONLY_MODELS = {
    "floor.TableStateChange",
    "staff.TierHistory",
    "staff.TierJob",
    "scheduling.ScheduleAuditEntry",
    "restaurant.InboxEvent",
    "restaurant.OutboxEvent",
    "restaurant.DeliveryAttempt",
}


# Personas are created with a password; the default PBKDF2 hasher would spend most of the test time on it.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def project_models() -> list:
    return [model for label in PROJECT_APPS for model in apps.get_app_config(label).get_models()]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def admin_client(user) -> Client:
    """A test client logged in as `user`, who may enter admin (is_staff)."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def superuser_client() -> Client:
    user = UserFactory(username="root", password=None)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return admin_client(user)


def admin_app_models(response) -> set[str]:
    """'app.Model' labels the admin index lists."""
    return {
        f"{app['app_label']}.{model['object_name']}" for app in response.context["app_list"] for model in app["models"]
    }


def changelist_rows(response) -> list:
    return list(response.context["cl"].queryset)


def fill_restaurant(restaurant, rows: int = 3) -> dict:
    """`rows` rows of every model (one classifier, shared by all) for `restaurant`; returns them by model."""
    now = timezone.now()
    made: dict = {}

    def keep(obj):
        made.setdefault(type(obj), []).append(obj)
        return obj

    user = UserFactory(username=f"member-{restaurant.pk}", password=None)
    restaurant.memberships.create(user=user, role="staff")
    for i in range(rows):
        section = keep(SectionFactory(restaurant=restaurant))
        table = keep(TableFactory(section=section))
        keep(
            TableStateChange.objects.create(
                restaurant=restaurant, table=table, from_state="available", to_state="reserved", source="host"
            )
        )
        staff = keep(StaffMemberFactory(restaurant=restaurant, user=user if i == 0 else None))
        menu_item = keep(MenuItemFactory(restaurant=restaurant))
        entry = keep(WaitlistEntryFactory(restaurant=restaurant))
        visit = keep(
            VisitFactory(
                table=table,
                server=staff,
                waitlist_entry=entry,
                seated_at=now - datetime.timedelta(hours=2),
                closed_at=now - datetime.timedelta(hours=1),
                subtotal=Decimal("40.00"),
                tip=Decimal("8.00"),
                pos_check_id=f"chk-{restaurant.pk}-{i}",
            )
        )
        keep(
            VisitItem.objects.create(visit=visit, menu_item=menu_item, name=menu_item.name, unit_price=menu_item.price)
        )
        keep(
            RoutingDecision.objects.create(
                restaurant=restaurant,
                party_size=2,
                mode="rotation",
                recommended_table=table,
                chosen_table=table,
                recommended_server=staff,
                chosen_server=staff,
                followed=True,
                visit=visit,
                requested_by=user,
            )
        )
        shift = keep(
            ShiftFactory(
                staff=staff,
                section=section,
                clock_in=now - datetime.timedelta(hours=6),
                clock_out=now - datetime.timedelta(hours=1),
            )
        )
        keep(ShiftBreak.objects.create(shift=shift, started_at=now - datetime.timedelta(hours=3), ended_at=now))
        metrics = keep(
            WaiterMetrics.objects.create(
                restaurant=restaurant,
                staff=staff,
                period_start=now - datetime.timedelta(days=30),
                period_end=now,
                covers=40,
                sales=Decimal("900"),
            )
        )
        keep(WaiterInsights.objects.create(restaurant=restaurant, staff=staff, metrics=metrics, strengths=["upsells"]))
        keep(TierHistory.objects.create(restaurant=restaurant, staff=staff, tier="strong", score=1.2, changed_by=user))
        if i == 0:
            keep(TierSettings.objects.create(restaurant=restaurant))  # one per restaurant
        keep(
            TierJob.objects.create(
                restaurant=restaurant, status="done", trigger="command", period_end=now - datetime.timedelta(days=7 * i)
            )
        )
        keep(StaffAvailabilityFactory(staff=staff))
        keep(TimeOffFactory(staff=staff))
        preference = keep(StaffPreferenceFactory(staff=staff))
        preference.sections.add(section)
        keep(StaffingRequirementFactory(restaurant=restaurant, weekday=i))
        schedule = keep(ScheduleFactory(restaurant=restaurant, version=i + 1, created_by=user))
        item = keep(
            ScheduleItem.objects.create(
                schedule=schedule,
                staff=staff,
                section=section,
                date=schedule.week_start,
                day_part="dinner",
                role="server",
                start_time=datetime.time(17),
                end_time=datetime.time(23),
            )
        )
        keep(ScheduleReasoning.objects.create(item=item, summary=f"{staff.name} is free on Mondays"))
        keep(ScheduleAuditEntry.objects.create(schedule=schedule, action="created", actor=user))
        keep(ScheduleRun.objects.create(restaurant=restaurant, week_start=schedule.week_start, schedule=schedule))
        camera = keep(CameraFactory(restaurant=restaurant))
        keep(TableRegionFactory(camera=camera, table=table))
        keep(
            Prediction.objects.create(
                restaurant=restaurant,
                table=table,
                camera=camera,
                label="occupied",
                confidence=0.9,
                probabilities={"occupied": 0.9, "available": 0.1},
                model_version="test-1",
            )
        )
        crop = keep(Crop.objects.create(camera=camera, table=table, image=f"vision/crops/{i}.jpg", width=8, height=8))
        keep(
            VisionConflict.objects.create(
                restaurant=restaurant,
                table=table,
                camera=camera,
                kind="occupied_without_visit",
                seen_label=f"occupied-{crop.pk}",
                confidence=0.9,
            )
        )
        client = keep(api_client_create(restaurant=restaurant, name=f"POS {i}", scopes=["pos"]).client)
        keep(InboxEvent.objects.create(restaurant=restaurant, api_client=client, event_id=f"e{i}", event_type="check"))
        endpoint = keep(
            webhook_endpoint_create(
                restaurant=restaurant,
                name=f"Hook {i}",
                url=f"https://pos{i}.example.com/hook",
                event_types=["visit.closed"],
            ).endpoint
        )
        event = keep(
            OutboxEvent.objects.create(
                restaurant=restaurant, endpoint=endpoint, event_id=uuid.uuid4(), event_type="visit.closed"
            )
        )
        keep(
            DeliveryAttempt.objects.create(
                restaurant=restaurant,
                outbox_event=event,
                started_at=timezone.now(),
                duration_ms=12,
                status_code=500,
                error="HTTP 500",
                succeeded=False,
            )
        )
    made[VisionSettings] = [VisionSettings.objects.create(restaurant=restaurant)]
    made[type(restaurant)] = [restaurant]
    made[type(restaurant.memberships.first())] = list(restaurant.memberships.all())
    made[ClassifierModel] = [
        ClassifierModel.objects.create(name="table-state", version=f"r{restaurant.pk}.{i}", weights_path="ts.pt")
        for i in range(rows)
    ]
    return made


def _post_values(name: str, bound) -> dict:
    value = bound.value()
    widget = bound.field.widget
    if isinstance(widget, forms.MultiWidget):
        parts = widget.decompress(value) if value else [None] * len(widget.widgets)
        return {f"{name}_{i}": "" if part is None else str(part) for i, part in enumerate(parts)}
    if isinstance(value, bool):
        return {name: "on"} if value else {}
    if isinstance(value, list | tuple):
        return {name: [str(item) for item in value]}
    return {name: "" if value is None else str(value)}


def form_data(response, **changes) -> dict:
    """What a browser would post back for the admin form in `response` (main form, inline management
    forms and rows), with `changes` applied on top."""
    data: dict = {}
    form = response.context["adminform"].form
    forms_to_post = [form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        forms_to_post += [management, *inline.formset.forms]
    for each in forms_to_post:
        for field_name in each.fields:
            data.update(_post_values(each.add_prefix(field_name), each[field_name]))
    data.update(changes)
    return data
