"""Schemathesis over the OpenAPI schema: every operation, fuzzed as a manager of a small seeded
restaurant, through the WSGI app. No request may produce a 500, responses must match the schema, and
nothing may change in the other restaurant seeded beside it."""

import re
from datetime import time

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from floor.models import MenuItem, RoutingDecision, Section, Table, TableStateChange, Visit, VisitItem, WaitlistEntry
from floor.tests.factories import MenuItemFactory, SectionFactory, TableFactory, VisitFactory, WaitlistEntryFactory
from restaurant.models import ApiScope, OutboxEvent, Restaurant, Role, WebhookEndpoint
from restaurant.services import api_client_create
from restaurant.services.webhooks import webhook_endpoint_create, webhook_endpoint_send_test
from restaurant.tests.factories import MembershipFactory, RestaurantFactory, UserFactory
from restaurant.tests.webhook_sender import URL as POS_EVENTS
from restaurant.tests.webhook_sender import signed_headers
from scheduling.models import ScheduleItem
from scheduling.tests.factories import (
    ScheduleFactory,
    StaffAvailabilityFactory,
    StaffingRequirementFactory,
    TimeOffFactory,
)
from staff.models import Shift, StaffMember
from staff.tests.factories import ShiftFactory, StaffMemberFactory
from vision.models import ConflictKind, Crop, VisionConflict
from vision.tests.factories import CameraFactory, TableRegionFactory

# Phases: the schema's examples, then fuzzing. Schemathesis' coverage phase is off: it sends several
# hundred boundary-value requests per write operation (minutes for the API on two cores); the
# unexpected-method part of it is covered below by test_every_path_answers_every_method_without_a_500.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), config=CONFIG)

# Operations whose contract answers 503 while no classifier is configured (vision, docs/api.md).
CONTRACT_503 = {"/api/v1/ml/predict"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
TENANT_MODELS = [
    WebhookEndpoint,
    OutboxEvent,
    Section,
    Table,
    TableStateChange,
    StaffMember,
    Shift,
    MenuItem,
    WaitlistEntry,
    Visit,
    VisitItem,
    RoutingDecision,
]


def seed(restaurant) -> dict[str, list[int]]:
    """A small floor in service. Returns ids by the path segment that names the resource."""
    sections = [SectionFactory(restaurant=restaurant, name=name) for name in ("Main", "Patio")]
    tables = [TableFactory(section=sections[index % 2], label=f"T{index}") for index in range(4)]
    staff = [StaffMemberFactory(restaurant=restaurant, role=role) for role in ("server", "server", "host", "busser")]
    ShiftFactory(staff=staff[0])  # one server on the floor
    menu = [MenuItemFactory(restaurant=restaurant, category=cat) for cat in ("drink", "entree", "dessert")]
    waitlist = [WaitlistEntryFactory(restaurant=restaurant, party_size=size) for size in (2, 5)]
    visits = [VisitFactory(table=tables[0], server=staff[0])]
    # A camera (on a closed loopback port: a capture fails fast) over one table, with a crop and a conflict.
    camera = CameraFactory(restaurant=restaurant, source_url="http://127.0.0.1:9/snapshot.jpg")
    region = TableRegionFactory(camera=camera, table=tables[1])
    crop = Crop.objects.create(camera=camera, table=tables[1], image="vision/crops/fuzz.jpg", width=8, height=8)
    conflict = VisionConflict.objects.create(
        restaurant=restaurant,
        table=tables[0],
        camera=camera,
        visit=visits[0],
        kind=ConflictKind.EMPTY_WITH_OPEN_VISIT,
        seen_label="empty",
        confidence=0.9,
    )
    # The week's scheduling rows: availability, time off, a requirement, a draft with one shift.
    availability = StaffAvailabilityFactory(staff=staff[1])
    time_off = TimeOffFactory(staff=staff[1])
    requirement = StaffingRequirementFactory(restaurant=restaurant)
    schedule = ScheduleFactory(restaurant=restaurant)
    # An outgoing webhook endpoint (on a closed loopback port) with one queued delivery.
    endpoint = webhook_endpoint_create(
        restaurant=restaurant, name="Fuzz hook", url="http://127.0.0.1:9/hook", event_types=["visit.closed"]
    ).endpoint
    delivery = webhook_endpoint_send_test(endpoint=endpoint)
    item = ScheduleItem.objects.create(
        schedule=schedule,
        staff=staff[1],
        date=schedule.week_start,
        day_part="dinner",
        role="server",
        start_time=time(17),
        end_time=time(22),
    )
    return {
        "restaurants": [restaurant.pk],
        "availability": [availability.pk],
        "time-off": [time_off.pk],
        "staffing-requirements": [requirement.pk],
        "schedules": [schedule.pk],
        "items": [item.pk],
        "sections": [row.pk for row in sections],
        "tables": [row.pk for row in tables],
        "staff": [row.pk for row in staff],
        "menu-items": [row.pk for row in menu],
        "waitlist": [row.pk for row in waitlist],
        "visits": [row.pk for row in visits],
        "cameras": [camera.pk],
        "regions": [region.pk],
        "crops": [crop.pk],
        "conflicts": [conflict.pk],
        "webhook-endpoints": [endpoint.pk],
        "webhook-deliveries": [delivery.pk],
    }


def snapshot(restaurant) -> dict:
    """Every row of a restaurant the API can reach, to prove fuzzed writes never touched it."""
    rows = {model.__name__: sorted(model.objects.for_restaurant(restaurant).values_list()) for model in TENANT_MODELS}
    rows["Restaurant"] = list(Restaurant.objects.filter(pk=restaurant.pk).values_list())
    return rows


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """The real WSGI handler closes "old" database connections around each request, which would close
    the test's transaction on PostgreSQL; Django's test client unhooks the same signals."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(db, wsgi_keeps_the_test_connection):
    ours, theirs = RestaurantFactory(name="Fuzz Bistro"), RestaurantFactory(name="Bystander")
    manager = UserFactory(username="fuzz-manager")
    MembershipFactory(user=manager, restaurant=ours, role=Role.MANAGER)
    ids = seed(ours)
    seed(theirs)
    session = Client()
    session.force_login(manager)
    token = _get_new_csrf_string()
    # The POS endpoint takes API keys only (a session cannot sign): its requests go with this one.
    pos = api_client_create(restaurant=ours, name="Fuzz POS", scopes=[ApiScope.POS])
    before = snapshot(theirs)
    yield {
        "ours": ours,
        "ids": ids,
        "headers": {"X-CSRFToken": token},
        "cookies": {"sessionid": session.cookies["sessionid"].value, "csrftoken": token},
        "pos_key": f"Api-Key {pos.key}",
        "pos_secret": pos.client.signing_secret,
    }
    assert snapshot(theirs) == before, "a request changed another restaurant's rows"


def resource_of(path: str, param: str) -> str:
    """The path segment naming what a path parameter identifies: `.../tables/{table_id}/seat` -> tables."""
    segments = path.strip("/").split("/")
    return segments[segments.index(f"{{{param}}}") - 1]


def aim_path_parameters(path: str, params: dict, world: dict) -> None:
    """Send every request to our restaurant, and most ids to real rows of ours, so writes really run.

    A fuzzed integer id is kept one time in four (an unknown id: must be a 404); other values
    (strings, floats) are kept as they are, and no route matches them (a JSON 404)."""
    for name, value in list(params.items()):
        if name == "restaurant_id":
            params[name] = world["ours"].pk
            continue
        ids = world["ids"].get(resource_of(path, name))
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if ids and isinstance(value, int) and not isinstance(value, bool) and value % 4 != 3:
            params[name] = ids[value % len(ids)]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,  # the same cases on every run: a CI failure reproduces locally
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_operation_gives_a_server_error(case, fuzz_world):
    if case.path_parameters:
        aim_path_parameters(case.operation.path, case.path_parameters, fuzz_world)
    if case.operation.path == POS_EVENTS:
        # Keyed, with whatever signature headers were generated: a 400 naming the signature, never a 500.
        case.headers = {**(case.headers or {}), "Authorization": fuzz_world["pos_key"]}
        response = case.call()
    else:
        response = case.call(headers=fuzz_world["headers"], cookies=fuzz_world["cookies"])
    assert response.status_code != 401, f"{case.method} {case.formatted_path}: the manager's session was refused"
    checks = CHECKS
    if response.status_code == 503 and case.operation.path in CONTRACT_503:
        # The contract's answer when no classifier is configured (none is in this world): documented, not a crash.
        assert response.json()["error"]["code"] == "classifier_not_configured"
        checks = [check for check in CHECKS if check is not not_a_server_error]
    case.validate_response(response, checks=checks)


@pytest.mark.django_db
def test_every_path_answers_every_method_without_a_500(fuzz_world):
    client = Client()
    client.cookies.load(fuzz_world["cookies"])
    world_ids = fuzz_world["ids"]
    requests = 0
    for path in schema.raw_schema["paths"]:
        if not path.startswith("/api/v1/"):
            continue

        def real_id(match, path=path):
            ids = world_ids.get(resource_of(path, match.group(1)), [999999])
            return str(fuzz_world["ours"].pk if match.group(1) == "restaurant_id" else ids[0])

        url = re.sub(r"\{(\w+)\}", real_id, path)
        for method in ("get", "head", "options", "post", "put", "patch", "delete", "trace"):
            response = getattr(client, method)(url, content_type="application/json", **fuzz_world["headers"])
            requests += 1
            assert response.status_code < 500, f"{method.upper()} {url} gave {response.status_code}"
            if method not in ("head", "options") and response.status_code >= 400:
                assert "error" in response.json(), f"{method.upper()} {url}: not the error shape"
    assert requests > 100


# --- Bodies no endpoint may choke on: nested too deep, too large, not JSON ---

DEEP_ARRAY = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000
BAD_BODIES = [
    # (what, content type, body, status, error code)
    ("nested arrays", "application/json", DEEP_ARRAY, 400, "parse_error"),
    ("nested objects", "application/json", DEEP_OBJECT, 400, "parse_error"),
    (
        "deep inside a field",
        "application/json",
        '{"party_size": 2, "preferences": ' + DEEP_ARRAY + "}",
        400,
        "parse_error",
    ),
    ("over the size limit", "application/json", '{"name": "' + "x" * 9000 + '"}', 413, "request_too_large"),
    ("form-encoded", "application/x-www-form-urlencoded", "name=Patio&party_size=2", 415, "unsupported_media_type"),
    (
        "multipart",
        "multipart/form-data; boundary=BoUnDaRy",
        '--BoUnDaRy\r\nContent-Disposition: form-data; name="name"\r\n\r\nPatio\r\n--BoUnDaRy--\r\n',
        415,
        "unsupported_media_type",
    ),
    ("not JSON at all", "application/json", "{not json", 400, "parse_error"),
    ("NaN", "application/json", '{"party_size": NaN}', 400, "parse_error"),
]


# File uploads take multipart on purpose (an image); vision/tests hold their 400/413/415 answers.
UPLOAD_OPERATIONS = {"POST /api/v1/ml/predict", "POST /api/v1/crops/cameras/{camera_id}/frames"}


def test_schema_offers_json_only_for_every_request_body():
    bodies = {
        f"{method.upper()} {path}": sorted(operation["requestBody"]["content"])
        for path, operations in schema.raw_schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    }
    assert len(bodies) >= 20
    not_json = {name: types for name, types in bodies.items() if types != ["application/json"]}
    assert not_json == {name: ["multipart/form-data"] for name in UPLOAD_OPERATIONS}


@pytest.mark.django_db
def test_every_operation_with_a_body_refuses_deep_large_and_non_json_bodies_in_the_error_shape(fuzz_world, settings):
    settings.API_MAX_BODY_BYTES = 8192  # the deep bodies fit; the large one does not
    client = Client()
    client.cookies.load(fuzz_world["cookies"])
    ours_before = snapshot(fuzz_world["ours"])
    wrong, checked = [], 0
    for path, operations in schema.raw_schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation or f"{method.upper()} {path}" in UPLOAD_OPERATIONS:
                continue

            def real_id(match, path=path):
                ids = fuzz_world["ids"].get(resource_of(path, match.group(1)), [999999])
                return str(fuzz_world["ours"].pk if match.group(1) == "restaurant_id" else ids[0])

            url = re.sub(r"\{(\w+)\}", real_id, path)
            for what, content_type, body, status, code in BAD_BODIES:
                headers = fuzz_world["headers"]
                if path == POS_EVENTS:  # keyed and signed: the body itself is what gets refused
                    headers = {**signed_headers(fuzz_world["pos_secret"], "evt_bad", body)}
                    headers["HTTP_AUTHORIZATION"] = fuzz_world["pos_key"]
                response = client.generic(method.upper(), url, body, content_type=content_type, **headers)
                checked += 1
                got = (response.status_code, response.json().get("error", {}).get("code"))
                if got != (status, code):
                    wrong.append((f"{method.upper()} {url}", what, got))
    assert checked >= 20 * len(BAD_BODIES)
    assert wrong == []
    assert snapshot(fuzz_world["ours"]) == ours_before, "a refused body changed something"
