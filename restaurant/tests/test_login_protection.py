"""Brute force and cross-site posts against the login page are refused."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
RIGHT = "correct-horse-battery"  # what UserFactory sets


def _attempt(client, username, password, ip="10.0.0.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _fail_until_locked(client, settings, username, ip="10.0.0.7"):
    responses = [_attempt(client, username, "wrong-guess", ip) for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    return responses[-1]


def test_the_failure_that_reaches_the_limit_gets_the_lockout_page(client, settings, manager_user):
    response = _fail_until_locked(client, settings, "manager")
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_locked_account_is_refused_even_with_the_right_password(client, settings, manager_user):
    _fail_until_locked(client, settings, "manager")

    response = _attempt(client, "manager", RIGHT)
    assert response.status_code == 429
    html = response.content.decode()
    assert "The account <strong>manager</strong> is" in html
    assert f"after {settings.AXES_FAILURE_LIMIT} wrong passwords" in html
    assert re.search(rf"Try again in\s+{round(settings.AXES_COOLOFF_TIME * 60)} minutes", html)
    assert "_auth_user_id" not in client.session


def test_fewer_failures_than_the_limit_do_not_lock(client, settings, manager_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(client, "manager", "wrong-guess").status_code == 200
    response = _attempt(client, "manager", RIGHT)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(manager_user.pk)


def test_another_username_from_the_same_address_still_logs_in(client, settings, manager_user, host_user):
    _fail_until_locked(client, settings, "manager")

    response = _attempt(client, "host", RIGHT)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(host_user.pk)


def test_same_username_from_another_address_still_logs_in(client, settings, manager_user):
    _fail_until_locked(client, settings, "manager", ip="10.0.0.7")

    response = _attempt(Client(), "manager", RIGHT, ip="10.0.0.8")
    assert response.status_code == 302


def test_login_post_without_csrf_token_is_rejected(manager_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "manager", "password": RIGHT})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_login_post_with_the_forms_csrf_token_is_accepted(manager_user):
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value
    response = client.post(LOGIN, {"username": "manager", "password": RIGHT, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(manager_user.pk)
