"""Request bodies: JSON only, with a size and a nesting limit, parsed after the permission check.

The fuzz test in test_schema_fuzz.py sends the same bad bodies to every operation of the schema; these
tests pin the order of the checks and the edges of the limits."""

import pytest
from django.http import HttpRequest
from django.middleware.csrf import _get_new_csrf_string
from rest_framework.test import APIClient

from floor.models import Section
from restaurant.api.parsers import json_depth_exceeds
from restaurant.models import RoutingMode
from restaurant.tests.test_api_errors import assert_error

DEEP = "[" * 1000 + "]" * 1000
MULTIPART = "multipart/form-data; boundary=XyZ"
MULTIPART_BODY = '--XyZ\r\nContent-Disposition: form-data; name="mode"\r\n\r\nperformance\r\n--XyZ--\r\n'


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize(
    ("text", "deeper_than_3"),
    [
        ("[[[]]]", False),
        ("[[[[]]]]", True),
        ('{"a": {"b": {"c": 1}}}', False),
        ('{"a": {"b": {"c": {"d": 1}}}}', True),
        ('["[[[[[[", "]]]]"]', False),  # brackets inside strings are text
        ('["\\"[[[[[["]', False),  # so are escaped quotes before them
        ('[[["\\\\"], [[1]]]]', True),  # an escaped backslash ends the string
    ],
)
def test_depth_counts_arrays_and_objects_but_not_brackets_in_strings(text, deeper_than_3):
    assert json_depth_exceeds(text, 3) is deeper_than_3


@pytest.mark.django_db
def test_a_body_at_the_depth_limit_is_read_and_one_level_more_is_a_400(manager_api, restaurant, settings):
    url = f"/api/v1/restaurants/{restaurant.pk}/route"
    at_limit = '{"party_size": 2, "preferences": ' + nested(settings.API_MAX_JSON_DEPTH - 1) + "}"
    response = manager_api.generic("POST", url, at_limit, content_type="application/json")
    assert response.status_code == 400 and "preferences" in response.json()["error"]["details"]  # the serializer's
    over = '{"party_size": 2, "preferences": ' + nested(settings.API_MAX_JSON_DEPTH) + "}"
    error = assert_error(manager_api.generic("POST", url, over, content_type="application/json"), 400, "parse_error")
    assert f"deeper than {settings.API_MAX_JSON_DEPTH}" in error["message"]


@pytest.mark.django_db
def test_a_body_over_djangos_own_cap_is_a_413_in_the_error_shape(manager_api, restaurant, settings):
    settings.API_MAX_BODY_BYTES = 10_000_000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"name": "' + "x" * 2000 + '"}'
    response = manager_api.generic(
        "POST", f"/api/v1/restaurants/{restaurant.pk}/sections/", body, content_type="application/json"
    )
    assert_error(response, 413, "request_too_large")
    assert not Section.objects.exists()


@pytest.mark.django_db
def test_a_form_post_is_a_415_even_with_every_field_right(manager_api, restaurant):
    response = manager_api.post(f"/api/v1/restaurants/{restaurant.pk}/sections/", {"name": "Patio"}, format="multipart")
    assert_error(response, 415, "unsupported_media_type")
    assert not Section.objects.exists()


def logged_in_browser(user) -> APIClient:
    """A real login, CSRF enforced as for a browser, with the token cookie set (send it in the header)."""
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(request=HttpRequest(), username=user.username, password="correct-horse-battery")
    client.token = _get_new_csrf_string()
    client.cookies["csrftoken"] = client.token
    return client


@pytest.fixture
def browser_session(manager_user):
    return logged_in_browser(manager_user)


@pytest.mark.django_db
def test_a_role_that_may_not_call_the_endpoint_gets_its_403_whatever_the_body(host_user, restaurant):
    host = logged_in_browser(host_user)
    mode_url = f"/api/v1/restaurants/{restaurant.pk}/mode"
    sections_url = f"/api/v1/restaurants/{restaurant.pk}/sections/"
    for url in (mode_url, sections_url):
        for content_type, body in [
            ("application/json", DEEP),
            ("application/json", "{not json"),
            ("application/x-www-form-urlencoded", "mode=performance"),
            (MULTIPART, MULTIPART_BODY),
        ]:
            response = host.generic("POST", url, body, content_type=content_type, HTTP_X_CSRFTOKEN=host.token)
            error = assert_error(response, 403, "permission_denied")
            assert "CSRF" not in error["message"]
    restaurant.refresh_from_db()
    assert restaurant.routing_mode == RoutingMode.ROTATION
    assert not Section.objects.exists()


@pytest.mark.django_db
def test_a_session_sends_the_csrf_token_in_the_header_and_a_deep_body_is_still_a_400(browser_session, restaurant):
    url = f"/api/v1/restaurants/{restaurant.pk}/sections/"
    without = browser_session.generic("POST", url, DEEP, content_type="application/json")
    assert "CSRF" in assert_error(without, 403, "permission_denied")["message"]
    with_token = browser_session.generic(
        "POST", url, DEEP, content_type="application/json", HTTP_X_CSRFTOKEN=browser_session.token
    )
    assert_error(with_token, 400, "parse_error")


@pytest.mark.django_db
def test_a_csrf_token_in_a_form_field_does_not_count(browser_session, restaurant):
    # The API reads no form, so the token in a form field is not looked at: the header is the only place.
    response = browser_session.post(
        f"/api/v1/restaurants/{restaurant.pk}/sections/",
        {"name": "Patio", "csrfmiddlewaretoken": browser_session.token},
        format="multipart",
    )
    assert "CSRF" in assert_error(response, 403, "permission_denied")["message"]
    assert not Section.objects.exists()
