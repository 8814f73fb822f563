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


# --- Addresses: X-Forwarded-For only from the proxies the operator trusts ---


def _attempt_via(client, username, password, peer, forwarded_for):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded_for
    )


def test_a_changing_forwarded_for_from_an_untrusted_peer_does_not_dodge_the_lock(client, settings, manager_user):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _attempt_via(client, "manager", "wrong-guess", "198.51.100.9", f"203.0.113.{n}")
    response = _attempt_via(client, "manager", RIGHT, "198.51.100.9", "203.0.113.200")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_client_is_locked_and_others_log_in(settings, manager_user):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    guesser, owner = Client(), Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        # A forged left part ("1.2.3.4") is not believed: the proxy appended the real address on the right.
        _attempt_via(guesser, "manager", "wrong-guess", "10.0.0.1", "1.2.3.4, 203.0.113.5")
    assert _attempt_via(guesser, "manager", RIGHT, "10.0.0.1", "9.9.9.9, 203.0.113.5").status_code == 429
    assert _attempt_via(owner, "manager", RIGHT, "10.0.0.1", "203.0.113.77").status_code == 302


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        ("198.51.100.9", "203.0.113.5", "198.51.100.9"),  # not a proxy: its header is ignored
        ("10.0.0.1", "203.0.113.5", "203.0.113.5"),
        ("10.0.0.1", "203.0.113.5, 10.0.0.2", "203.0.113.5"),  # two proxies of ours
        ("10.0.0.1", "not-an-address", "10.0.0.1"),  # garbage: the proxy answers for it
        ("10.0.0.1", "", "10.0.0.1"),
    ],
)
def test_the_client_address_is_the_right_most_hop_no_trusted_proxy_wrote(peer, forwarded_for, client):
    from restaurant.middleware import client_address, parse_networks

    assert client_address(peer, forwarded_for, parse_networks(["10.0.0.0/24"])) == client


def test_a_bad_trusted_proxies_value_stops_the_start():
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    env = {**os.environ, "TRUSTED_PROXIES": "10.0.0.0/24,not-a-network", "DJANGO_ENV_FILE": os.devnull}
    result = subprocess.run(
        [sys.executable, str(django_settings.BASE_DIR / "manage.py"), "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr


def test_the_anonymous_api_budget_is_not_dodged_with_forwarded_for(settings):
    from rest_framework.test import APIClient

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "2/min"},
    }
    anonymous = APIClient(HTTP_ACCEPT="application/json")
    statuses = [
        anonymous.get("/api/schema/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


# --- The account-wide bound, and the known devices it lets through ---


def _fail_from_many_addresses(settings, username, count):
    for n in range(count):
        # Below the per-address limit everywhere: only the account-wide bound can stop this.
        _attempt(Client(), username, "wrong-guess", ip=f"203.0.113.{n}")


def test_failures_from_many_addresses_lock_the_account_for_new_devices(settings, manager_user):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 8
    _fail_from_many_addresses(settings, "manager", 8)

    response = _attempt(Client(), "manager", RIGHT, ip="198.51.100.50")
    assert response.status_code == 200  # the login page again, with the reason
    assert "Too many failed logins for this account" in response.content.decode()
    assert f"{settings.LOGIN_ACCOUNT_COOLOFF_MINUTES} minutes" in response.content.decode()


def test_below_the_account_bound_a_new_device_logs_in(settings, manager_user):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 8
    _fail_from_many_addresses(settings, "manager", 7)
    assert _attempt(Client(), "manager", RIGHT, ip="198.51.100.50").status_code == 302


def test_a_device_that_logged_in_before_still_logs_in_during_an_attack(settings, manager_user):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 8
    tablet = Client()
    assert _attempt(tablet, "manager", RIGHT, ip="198.51.100.50").status_code == 302
    tablet.post("/accounts/logout/")
    _fail_from_many_addresses(settings, "manager", 12)

    assert _attempt(tablet, "manager", RIGHT, ip="198.51.100.50").status_code == 302
    assert tablet.session["_auth_user_id"] == str(manager_user.pk)


def test_a_known_device_cookie_counts_for_its_own_account_only(settings, manager_user, host_user):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 8
    device = Client()
    assert _attempt(device, "host", RIGHT, ip="198.51.100.50").status_code == 302
    device.post("/accounts/logout/")
    _fail_from_many_addresses(settings, "manager", 8)
    assert "Too many failed logins" in _attempt(device, "manager", RIGHT, ip="198.51.100.50").content.decode()
    device.cookies["known_login"] = "forged"
    assert "Too many failed logins" in _attempt(device, "manager", RIGHT, ip="198.51.100.50").content.decode()


# --- A real server, started as the Procfile starts it ---


@pytest.fixture
def procfile_server(transactional_db):
    """uvicorn on loopback with the options of the Procfile's web line (the same as compose's)."""
    import shlex
    import socket
    import threading
    import time
    import urllib.request
    from types import SimpleNamespace

    import uvicorn
    from django.conf import settings as django_settings

    from restaurant.asgi import application

    line = next(line for line in (django_settings.BASE_DIR / "Procfile").read_text().splitlines() if line[:4] == "web:")
    options = uvicorn.main.make_context("uvicorn", shlex.split(line.split(":", 1)[1])[1:]).params
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        application,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        proxy_headers=options["proxy_headers"],
        forwarded_allow_ips=options["forwarded_allow_ips"],
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                break
        except OSError:
            assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
            time.sleep(0.1)
    yield SimpleNamespace(url=url)
    server.should_exit = True
    thread.join(timeout=10)


def test_a_real_server_does_not_let_forwarded_for_dodge_the_lock(procfile_server, settings, manager_user):
    import httpx

    with httpx.Client(base_url=procfile_server.url) as browser:
        browser.get(LOGIN)
        token = browser.cookies["csrftoken"]
        statuses = []
        for n in range(settings.AXES_FAILURE_LIMIT + 1):
            response = browser.post(
                LOGIN,
                data={"username": "manager", "password": "wrong-guess", "csrfmiddlewaretoken": token},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            )
            statuses.append(response.status_code)
    assert statuses[-1] == 429, statuses
