"""The API's one error shape, CSRF for session callers, and throttling."""

import re

import pytest
from django.http import HttpRequest
from django.middleware.csrf import _get_new_csrf_string
from rest_framework.test import APIClient

from floor.models import Section
from floor.tests.factories import SectionFactory, TableFactory


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nothing-here/",
        "/api/v1/restaurants/abc/",
        "/api/v1/restaurants/{rid}/tables/abc/",
        "/api/v1/restaurants/{rid}/tables/999999/",
        "/api/v1/restaurants/{rid}/tables/99999999999999999999999/",
        "/api/v1/restaurants/999999/tables/",
        "/api/v1/restaurants/{rid}/tables",  # no trailing slash: no redirect, a JSON 404
    ],
)
def test_unknown_paths_and_ids_are_json_404s(manager_api, restaurant, path):
    assert_error(manager_api.get(path.format(rid=restaurant.pk)), 404, "not_found")


@pytest.mark.django_db
def test_a_post_to_a_path_without_trailing_slash_is_a_json_404_not_a_500(manager_api, restaurant):
    assert_error(manager_api.post(f"/api/v1/restaurants/{restaurant.pk}/sections", {"name": "X"}), 404, "not_found")


@pytest.mark.django_db
def test_an_unsupported_method_is_a_405_in_the_error_shape(manager_api, restaurant):
    assert_error(manager_api.put("/api/v1/restaurants/", {}), 405, "method_not_allowed")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("section=abc", "section"),
        ("section=1.5", "section"),
        ("party_size=0", "party_size"),
        ("party_size=lots", "party_size"),
        ("state=melted", "state"),
        ("feature=jacuzzi", "feature"),
    ],
)
def test_garbage_filters_are_a_400_naming_the_parameter(manager_api, restaurant, query, field):
    error = assert_error(manager_api.get(f"/api/v1/restaurants/{restaurant.pk}/tables/?{query}"), 400, "invalid")
    assert field in error["details"]
    assert error["message"].startswith(f"{field}:")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["page=999", "page=abc", "page=0", "page=-1", "section=99999999999999999999999999", "ordering=nonsense"]
)
def test_odd_paging_and_ordering_are_never_a_500(manager_api, restaurant, query):
    TableFactory(section=SectionFactory(restaurant=restaurant))
    response = manager_api.get(f"/api/v1/restaurants/{restaurant.pk}/tables/?{query}")
    assert response.status_code in (200, 400, 404)
    if response.status_code != 200:
        assert set(response.json()) == {"error"}


@pytest.mark.django_db
def test_malformed_json_is_a_400_parse_error(manager_api, restaurant):
    response = manager_api.generic(
        "POST", f"/api/v1/restaurants/{restaurant.pk}/sections/", "{not json", content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


@pytest.mark.django_db
def test_deleting_a_section_that_has_tables_is_a_409_that_says_why(manager_api, restaurant):
    section = SectionFactory(restaurant=restaurant, name="Bar")
    TableFactory(section=section)
    error = assert_error(
        manager_api.delete(f"/api/v1/restaurants/{restaurant.pk}/sections/{section.pk}/"), 409, "conflict"
    )
    assert "1 table" in error["message"]
    assert Section.objects.filter(pk=section.pk).exists()


@pytest.mark.django_db
def test_deleting_a_table_with_visits_is_a_409_naming_the_visits(manager_api, restaurant):
    from floor.tests.factories import VisitFactory

    table = TableFactory(section=SectionFactory(restaurant=restaurant))
    VisitFactory(table=table)
    error = assert_error(manager_api.delete(f"/api/v1/restaurants/{restaurant.pk}/tables/{table.pk}/"), 409, "conflict")
    assert "visits" in error["message"]
    assert error["details"] == {"referenced_by": {"visits": 1}}


# --- CSRF: a session (browser) caller must send the token on unsafe requests; a key caller need not ---


@pytest.fixture
def browser_session(manager_user):
    """A real login (password checked through the authentication backends, django-axes included)."""
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(request=HttpRequest(), username=manager_user.username, password="correct-horse-battery")
    return client


@pytest.mark.django_db
def test_a_session_post_without_a_csrf_token_is_refused(browser_session, restaurant):
    error = assert_error(
        browser_session.post(f"/api/v1/restaurants/{restaurant.pk}/sections/", {"name": "Patio"}),
        403,
        "permission_denied",
    )
    assert "CSRF" in error["message"]
    assert not Section.objects.filter(name="Patio").exists()


@pytest.mark.django_db
def test_a_session_post_with_the_csrf_token_goes_through(browser_session, restaurant):
    token = _get_new_csrf_string()
    browser_session.cookies["csrftoken"] = token
    response = browser_session.post(
        f"/api/v1/restaurants/{restaurant.pk}/sections/", {"name": "Patio"}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_api_key_calls_need_no_csrf_token(make_key_api, restaurant):
    client = make_key_api(restaurant, scopes=["pos"])
    client.handler.enforce_csrf_checks = True
    response = client.post(
        f"/api/v1/restaurants/{restaurant.pk}/menu-items/", {"name": "Tea", "category": "drink", "price": "3.00"}
    )
    assert response.status_code == 201


# --- throttling ---


def _with_rates(settings, **rates) -> None:
    # DRF reloads api_settings when REST_FRAMEWORK changes; our throttles read rates per request.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


@pytest.mark.django_db
def test_a_caller_over_its_rate_gets_429_with_retry_after(settings, manager_api, host_api, restaurant):
    _with_rates(settings, client="3/min")
    url = f"/api/v1/restaurants/{restaurant.pk}/sections/"
    assert [manager_api.get(url).status_code for _ in range(3)] == [200, 200, 200]
    response = manager_api.get(url)
    error = assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert "throttled" in error["message"].lower()
    # Each caller has its own budget.
    assert host_api.get(url).status_code == 200


@pytest.mark.django_db
def test_each_api_key_has_its_own_budget(settings, make_key_api, restaurant):
    _with_rates(settings, client="2/min")
    first = make_key_api(restaurant, name="First")
    second = make_key_api(restaurant, name="Second")
    url = f"/api/v1/restaurants/{restaurant.pk}/menu-items/"
    assert [first.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert second.get(url).status_code == 200


@pytest.mark.django_db
def test_anonymous_callers_are_throttled_by_address_where_they_are_let_in(settings, api_client):
    # DRF checks permissions before throttles, so an anonymous call to a protected endpoint is a 401
    # either way; the anonymous budget guards what anonymous callers may use, such as the schema.
    _with_rates(settings, anon="2/min")
    api_client.credentials(HTTP_ACCEPT="application/json")  # the schema view answers YAML by default
    assert [api_client.get("/api/schema/").status_code for _ in range(2)] == [200, 200]
    assert_error(api_client.get("/api/schema/"), 429, "throttled")
    other_address = api_client.get("/api/schema/", REMOTE_ADDR="127.0.0.2")
    assert other_address.status_code == 200


# --- Headers: nothing under /api/ is cached; every page has the strict policy ---


@pytest.mark.django_db
def test_every_kind_of_api_answer_says_no_store(manager_api, api_client, restaurant):
    answers = [
        manager_api.get(f"/api/v1/restaurants/{restaurant.pk}/sections/"),  # 200
        manager_api.get("/api/v1/nothing-here/"),  # the catch-all's JSON 404
        manager_api.generic(
            "POST", f"/api/v1/restaurants/{restaurant.pk}/sections/", "{", content_type="application/json"
        ),
        api_client.get(f"/api/v1/restaurants/{restaurant.pk}/sections/"),  # 401
        api_client.get("/api/schema/"),
    ]
    assert [response.status_code for response in answers] == [200, 404, 400, 401, 200]
    for response in answers:
        assert "no-store" in response["Cache-Control"], response.request["PATH_INFO"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/api/docs/", "/admin/login/", "/api/v1/nothing-here/"])
def test_pages_carry_a_policy_that_allows_no_inline_script(client, path):
    response = client.get(path)
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in response["Content-Security-Policy"].split(";")
    )
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "'self'" in directives["connect-src"]  # fetch() and the floor's WebSocket, same host
    if response["Content-Type"].startswith("text/html"):
        assert not re.search(rb"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", response.content)
        assert b"<style" not in response.content
