"""Shared fixtures: the personas every access test uses, and the rule that CI runs on real services.

With CI=true a missing PostgreSQL, Redis or browser fails the run; on a laptop the tests that need
one are skipped with a reason instead."""

import os

import pytest

from restaurant.models import Role

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, what: str) -> None:
    """Fail in CI, skip elsewhere, when a real service or package a test needs is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI needs {what}, and it is missing", pytrace=False)
    pytest.skip(f"needs {what}")


def pytest_configure(config):
    if IN_CI:
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            raise pytest.UsageError("CI must run on PostgreSQL: set DATABASE_URL=postgres://...")
        if not os.environ.get("REDIS_URL"):
            raise pytest.UsageError("CI must run with Redis: set REDIS_URL=redis://...")


@pytest.fixture
def using_postgres(settings):
    require(settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql", "PostgreSQL (DATABASE_URL)")


@pytest.fixture
def redis_url(settings):
    require(bool(settings.REDIS_URL), "Redis (REDIS_URL)")
    return settings.REDIS_URL


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # PBKDF2's deliberate slowness was most of the suite's time; tests need a hash, not a slow one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters live in the cache; one test's calls must not throttle the next. The quote model a
    # process holds besides the cache goes with it (one test's history must not quote the next's parties).
    # Imported here: this root conftest loads before pytest-django sets Django up.
    from django.core.cache import cache

    from floor.selectors.quotes import turn_models_forget

    cache.clear()
    turn_models_forget()
    yield


@pytest.fixture
def restaurant(db):
    from restaurant.tests.factories import RestaurantFactory

    return RestaurantFactory(name="Home Bistro")


@pytest.fixture
def other_restaurant(db):
    from restaurant.tests.factories import RestaurantFactory

    return RestaurantFactory(name="Rival Grill")


def _member(restaurant, role, username):
    from restaurant.tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username=username)
    MembershipFactory(user=user, restaurant=restaurant, role=role)
    return user


@pytest.fixture
def owner_user(restaurant):
    return _member(restaurant, Role.OWNER, "owner")


@pytest.fixture
def manager_user(restaurant):
    return _member(restaurant, Role.MANAGER, "manager")


@pytest.fixture
def host_user(restaurant):
    return _member(restaurant, Role.HOST, "host")


@pytest.fixture
def staff_user(restaurant):
    """A server with a login, linked to their StaffMember row."""
    from staff.tests.factories import StaffMemberFactory

    user = _member(restaurant, Role.STAFF, "staffer")
    StaffMemberFactory(restaurant=restaurant, user=user, name="Sam Staffer")
    return user


@pytest.fixture
def outsider_user(other_restaurant):
    """A manager of another restaurant: must see none of ours."""
    return _member(other_restaurant, Role.MANAGER, "outsider")


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def _logged_in(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def owner_api(owner_user):
    return _logged_in(owner_user)


@pytest.fixture
def manager_api(manager_user):
    return _logged_in(manager_user)


@pytest.fixture
def host_api(host_user):
    return _logged_in(host_user)


@pytest.fixture
def staff_api(staff_user):
    return _logged_in(staff_user)


@pytest.fixture
def outsider_api(outsider_user):
    return _logged_in(outsider_user)


@pytest.fixture
def make_key_api(db):
    """Builds an APIClient that sends `Authorization: Api-Key <key>` for a new key of a restaurant."""
    from rest_framework.test import APIClient

    from restaurant.services import api_client_create

    def make(restaurant, scopes=(), name="Test integration"):
        issued = api_client_create(restaurant=restaurant, name=name, scopes=list(scopes))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issued.key}")
        client.issued = issued
        return client

    return make


@pytest.fixture
def key_api(make_key_api, restaurant):
    """An API key of our restaurant with every scope (pos, frontend, camera)."""
    return make_key_api(restaurant, scopes=["pos", "frontend", "camera"], name="All scopes")


# --- Playwright: Debian's chromium, never a browser downloaded by `playwright install` ---

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root, where chromium's sandbox refuses to start
    "--disable-gpu",
    # The network is closed here: without these, chromium retries Google's hosts at every start.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    return next((path for path in CHROMIUM_PATHS if os.access(path, os.X_OK)), None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    require(path is not None, "Debian's chromium (apt-get install -y chromium)")
    # Playwright's sync API keeps an event loop in the main thread from here to the end of the session,
    # so every later ORM call (test bodies, live_server's flush) would raise SynchronousOnlyOperation.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_ARGS}


# --- A real ASGI server for browser tests that need WebSockets ---


class AsgiLiveServer:
    """uvicorn serving the project's ASGI application on one loopback port, in a daemon thread. `restart()`
    stops it and starts a new one on the same port: what a deploy or a crash looks like to an open page."""

    def __init__(self, application, port: int | None = None):
        import socket

        if port is None:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
        self.application = application
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.server = self.thread = None

    def start(self) -> None:
        import threading
        import time
        import urllib.request

        import uvicorn

        self.server = uvicorn.Server(
            uvicorn.Config(self.application, host="127.0.0.1", port=self.port, lifespan="off", log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, name="asgi-live-server", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return
            except OSError:
                if time.monotonic() > deadline or not self.thread.is_alive():
                    self.stop()
                    pytest.fail(f"the ASGI test server did not answer on {self.url}", pytrace=False)
                time.sleep(0.1)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def asgi_live_server(transactional_db):
    """The project's ASGI application (HTTP and WebSockets) served by uvicorn on a free loopback port
    (`AsgiLiveServer`: `.url`, `.restart()`) for the duration of one test. pytest-django's `live_server` is WSGI
    and cannot serve a WebSocket. `transactional_db`: the server's threads see what the test committed."""
    from django.db import connections

    from restaurant.asgi import application

    # The test body runs the ORM next to Playwright's event loop (see browser_type_launch_args).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Each request closes its connection, so no server thread keeps one open into the test database's teardown.
    kept_ages = {alias: connections.settings[alias].get("CONN_MAX_AGE", 0) for alias in connections}
    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = 0
    server = AsgiLiveServer(application)
    server.start()
    yield server
    server.stop()
    for alias, age in kept_ages.items():
        connections.settings[alias]["CONN_MAX_AGE"] = age
