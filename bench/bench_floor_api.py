"""How fast the host stand's API answers over real HTTP, on a busy floor.

Builds a floor of 60 tables in 15 sections, 15 servers clocked in (one section each), a mid-service
floor (occupied, dirty and free tables) and 30 parties waiting, on top of two weeks of simulated history
for the learned quotes, all through the simulator's loader and the floor and staff services. The
database is a dedicated one: `<name>_bench` next to the database DATABASE_URL names (created, migrated
and dropped here; the named database itself is never touched), else a temporary SQLite file.

Then it starts uvicorn serving restaurant.asgi:application as production does (one process, DEBUG off,
a bench secret key, only 127.0.0.1 allowed, no SSL redirect; REDIS_URL passed on when set) on a free
loopback port, and calls it with a `frontend` API key over keep-alive connections:

1. latency: `POST /route` (party sizes 1-8, seeded; every call records a RoutingDecision, as a host's
   does) and `GET /floor`, interleaved in a shuffled order with a trivial authenticated endpoint
   (`GET /restaurants/{id}/`) so that noise hits all three; p50/p95 and their ratio to the trivial one;
2. seating: 1, 4 and 8 client threads seat parties at every free table (`POST /tables/{id}/seat`), with a
   few tables deliberately claimed by two clients at once; seatings per second, 201s and 409s, then the
   database is checked: no table with two open visits, one 201 and one 409 for each contested table.
   The floor is cleared and bussed through the services between passes.

`--json` prints every figure as one JSON object on the last line: {"database", "cache", "floor": {tables,
sections, servers, occupied, dirty, waiting, history_days}, "setup_s": {step: seconds}, "latency":
{"calls", "warmup", "trivial" | "route" | "floor": {"p50_ms", "p95_ms", "x_p50", "x_p95", "statuses"}},
"route_with_recommendations", "seating": [{"clients", "tries", "seated", "refused", "other", "contested",
"raced", "wall_s", "seated_per_s", "p50_ms", "p95_ms", "double_seats", "checks"}], "postgresql":
{"sessions_opened", "requests", "connections_after_latency", "connections_after_seating"} (null on
SQLite), "server_errors": [{"count", "line"}], "double_seats", "seat_errors", "wall_s"}; the ratios
x_p50/x_p95 are to the trivial endpoint's (null for it).

    .venv/bin/python bench/bench_floor_api.py [--calls 300] [--seed 7] [--clients 1,4,8] [--passes 3] [--json]

Over 450 lines on purpose: one standalone script, run by hand and by `make bench`, read top to bottom
(its own database, the server it starts, the two measurements, the checks after them); the benches
share no code with each other or the app beyond the services they call, so splitting it would only make
a package of one script.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TABLES, SERVERS, WAITING = 60, 15, 30
OCCUPIED, DIRTY = 36, 6  # the mid-service floor the latency is measured on; the other 18 tables are free
HISTORY_DAYS = 14
WARMUP_CALLS = 20
CONTESTED_PER_PASS = 6
HTTP_TIMEOUT_S = 15
LATENCY_BUDGET_S = 60  # the latency loop stops here even if it has not made all its calls
SEATING_BUDGET_S = 30  # per seating pass
SERVER_START_S = 30
# The last line of a traceback in the server's log: what a 500 was.
ERROR_LINE = re.compile(r"^((?:[a-z_]+\.)*[A-Za-z_]*(?:Error|Exception)\b.*)$", re.MULTILINE)

# Four tables per section; their mix cycles so that every party size from 1 to 8 has somewhere to go.
SECTION_TABLES = (
    ((("four", 2), ("two", 2)), True, "T"),
    ((("booth4", 2), ("booth6", 1), ("two", 1)), False, "T"),
    ((("six", 1), ("four", 2), ("two", 1)), False, "T"),
    ((("patio4", 2), ("patio2", 2)), True, "P"),
    ((("round8", 1), ("long10", 1), ("six", 1), ("four", 1)), False, "T"),
)
SECTION_ORDER = (0, 1, 2, 0, 3, 2, 0, 1, 4, 0, 2, 3, 0, 1, 4)
COLORS = ("#4f7cac", "#c0504d", "#9bbb59", "#8064a2", "#f79646", "#4bacc6", "#7f7f7f")


# --- The database and the server ---------------------------------------------------------------------------


def bench_database(database_url: str, scratch: Path) -> tuple[str, str | None, str | None]:
    """(the bench's DATABASE_URL, PostgreSQL maintenance URL or None, bench database name or None)."""
    if not database_url:
        return f"sqlite:///{scratch / 'bench.sqlite3'}", None, None
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SystemExit(f"bench_floor_api: DATABASE_URL must be PostgreSQL or unset (SQLite), not {parts.scheme}")
    name = f"{parts.path.lstrip('/') or 'restaurant'}_bench"
    if not re.fullmatch(r"[A-Za-z0-9_]{1,63}", name):
        raise SystemExit(f"bench_floor_api: cannot make a database name from {name!r}")
    return parts._replace(path=f"/{name}").geturl(), parts._replace(path="/postgres").geturl(), name


@contextmanager
def dedicated_database(database_url: str, scratch: Path):
    """Create the bench database (dropping a stale one a killed run left) and always drop it after.
    Yields its URL and, for PostgreSQL, (a maintenance connection, its name); SQLite's file is in `scratch`."""
    url, maintenance, name = bench_database(database_url, scratch)
    if maintenance is None:
        yield url, None
        return
    import psycopg

    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield url, (admin, name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_env(database_url: str, static_root: Path) -> dict[str, str]:
    """The settings a production web process runs with, pointed at the bench database."""
    env = {
        "DJANGO_SETTINGS_MODULE": "restaurant.settings",
        "DJANGO_ENV_FILE": "/dev/null",  # a developer's .env must not change what is measured
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback; TLS ends at a proxy in production
        "DATABASE_URL": database_url,
        "DJANGO_STATIC_ROOT": str(static_root),  # collected here as the Dockerfile does (error pages need it)
        # The bench's one key makes thousands of calls a minute: the throttle still runs, it must not bite.
        "API_THROTTLE_CLIENT": "1000000/min",
        "LOG_LEVEL": "WARNING",
    }
    redis_url = os.environ.get("REDIS_URL", "")
    env["REDIS_URL"] = redis_url
    env["CELERY_BROKER_URL"] = redis_url or "memory://"  # nothing is queued; never the dev queue folder
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def uvicorn_server(env: dict[str, str], log_path: Path):
    """uvicorn serving the project's ASGI app on a free loopback port, as the Procfile runs it; always stopped."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "restaurant.asgi:application", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--lifespan", "off", "--no-access-log", "--log-level", "warning"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench_floor_api: uvicorn did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Client:
    """One keep-alive HTTP/1.1 connection to the bench server, authenticated with the API key."""

    def __init__(self, port: int, key: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT_S)
        self.headers = {"Authorization": f"Api-Key {key}", "Accept": "application/json"}

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, float, bytes]:
        """(status, seconds from sending to the last byte read, body)."""
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        payload = response.read()
        return response.status, time.perf_counter() - started, payload

    def close(self) -> None:
        self.conn.close()


# --- The floor ---------------------------------------------------------------------------------------------


def bench_config():
    """The demo restaurant's people and demand, on a floor of 60 tables in 15 sections, 18 servers."""
    from simulator.config import DEMO_PEAK_RATES, DEMO_STAFFING, RestaurantConfig, SectionPlan

    sections = []
    for index, kind in enumerate(SECTION_ORDER):
        tables, combinable, prefix = SECTION_TABLES[kind]
        row, col = divmod(index, 5)
        region = (20 + col * 196, 20 + row * 226, 186, 216)
        sections.append(
            SectionPlan(
                f"Section {index + 1}", COLORS[index % len(COLORS)], region, tables, columns=2,
                combinable=combinable, label_prefix=prefix,
            )
        )  # fmt: skip
    staffing = tuple(
        (part, role, tuple({"lunch": 7, "dinner": 12}[part] for _ in counts) if role == "server" else counts)
        for part, role, counts in DEMO_STAFFING
    )
    peaks = tuple((part, tuple(rate * 1.2 for rate in rates)) for part, rates in DEMO_PEAK_RATES)
    return replace(
        RestaurantConfig.demo(),
        name="Bench Bistro",
        sections=tuple(sections),
        staff_counts=(("server", 18), ("bartender", 2), ("host", 2), ("busser", 4), ("runner", 2)),
        staffing=staffing,
        peak_rates=peaks,
    )


@dataclass
class Floor:
    """The bench's restaurant, its key and who serves which section."""

    restaurant: object
    key: str
    server_of_section: dict[int, int]
    waiting_ids: list[int]
    timings: dict[str, float] = field(default_factory=dict)


def floor_build(seed: int) -> Floor:
    """History from the simulator, then tonight through the services: clock-ins, seatings, the waitlist."""
    from django.utils import timezone

    from floor.models import Section, Table
    from floor.services.seating import table_clear, table_seat
    from floor.services.waitlist import waitlist_add
    from restaurant.models import ApiScope
    from restaurant.services import api_client_create
    from simulator.engine import simulate_history
    from simulator.loader import history_load
    from staff.models import StaffMember, StaffRole
    from staff.services import shift_clock_in

    timings = {}
    config = bench_config()
    now = timezone.now()
    today = now.astimezone(ZoneInfo(config.timezone)).date()
    started = time.perf_counter()
    # Whole days ending yesterday: every shift of the history is closed, so tonight's clock-ins are ours.
    history = simulate_history(config, start=today - timedelta(days=HISTORY_DAYS), days=HISTORY_DAYS, seed=seed)
    timings["simulate"] = time.perf_counter() - started
    started = time.perf_counter()
    restaurant = history_load(history=history).restaurant
    timings["load history"] = time.perf_counter() - started

    started = time.perf_counter()
    rng = random.Random(f"{seed}:tonight")
    sections = list(Section.objects.for_restaurant(restaurant).order_by("sort_order", "id"))
    servers = list(StaffMember.objects.for_restaurant(restaurant).filter(role=StaffRole.SERVER).order_by("name"))
    assert len(sections) == SERVERS and len(servers) >= SERVERS, (len(sections), len(servers))
    server_of_section = {}
    for position, (section, server) in enumerate(zip(sections, servers, strict=False)):
        shift_clock_in(restaurant=restaurant, staff=server, section=section, at=now - timedelta(minutes=150 - position))
        server_of_section[section.pk] = server
    tables = list(Table.objects.for_restaurant(restaurant).order_by("id"))
    assert len(tables) == TABLES, len(tables)
    for table in rng.sample(tables, OCCUPIED + DIRTY):
        seated_at = now - timedelta(minutes=rng.uniform(6, 110))
        table_seat(
            restaurant=restaurant,
            table=table,
            party_size=rng.randint(table.min_seats, table.max_seats),
            server=server_of_section[table.section_id],
            at=seated_at,
        )
        if rng.random() < DIRTY / (OCCUPIED + DIRTY):
            table_clear(restaurant=restaurant, table=table, at=now - timedelta(minutes=rng.uniform(1, 5)))
    waiting = []
    for number in range(WAITING):
        feature = rng.choices([None, "booth", "patio", "accessible"], weights=[81, 10, 6, 3])[0]
        entry = waitlist_add(
            restaurant=restaurant,
            party_name=f"Guest {number + 1}",
            party_size=rng.choices(range(1, 9), weights=[8, 44, 14, 20, 5, 5, 2, 2])[0],
            preferences={"feature": feature} if feature else None,
            now=now - timedelta(minutes=(WAITING - number) * 1.5),
        ).entry
        waiting.append(entry.pk)
    key = api_client_create(restaurant=restaurant, name="bench", scopes=[ApiScope.FRONTEND]).key
    timings["tonight's floor"] = time.perf_counter() - started
    return Floor(restaurant, key, {pk: s.pk for pk, s in server_of_section.items()}, waiting, timings)


def floor_reset(restaurant) -> None:
    """Every table cleared and bussed, through the services, as a host closing the section would."""
    from floor.models import Table, TableState
    from floor.services.seating import table_bus, table_clear

    for table in Table.objects.for_restaurant(restaurant).filter(state=TableState.OCCUPIED).order_by("id"):
        table_clear(restaurant=restaurant, table=table)
    for table in Table.objects.for_restaurant(restaurant).filter(state=TableState.DIRTY).order_by("id"):
        table_bus(restaurant=restaurant, table=table)


# --- Measuring ---------------------------------------------------------------------------------------------


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


@dataclass
class Latency:
    """Round-trip times of one endpoint, in seconds."""

    label: str
    samples: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)

    @property
    def p50(self) -> float:
        return percentile(self.samples, 50)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)


def measure_latency(port: int, floor: Floor, *, calls: int, seed: int) -> tuple[dict[str, Latency], int]:
    """Route, floor and the trivial endpoint called in turn (shuffled each round) on one connection."""
    base = f"/api/v1/restaurants/{floor.restaurant.pk}"
    rng = random.Random(f"{seed}:route")

    def route_body() -> dict:
        body = {"party_size": rng.randint(1, 8)}
        if rng.random() < 0.25:  # a host routing a party from the list: its preferences apply
            body["waitlist_entry_id"] = rng.choice(floor.waiting_ids)
        elif rng.random() < 0.2:
            body["preferences"] = {"feature": rng.choice(["booth", "patio"])}
        return body

    requests = {
        "trivial": ("GET", f"{base}/", None),
        "route": ("POST", f"{base}/route", route_body),
        "floor": ("GET", f"{base}/floor", None),
    }
    labels = {"trivial": f"GET  {base}/", "route": f"POST {base}/route", "floor": f"GET  {base}/floor"}
    results = {name: Latency(labels[name]) for name in requests}
    with_recommendations = 0
    client = Client(port, floor.key)
    try:
        deadline = time.monotonic() + LATENCY_BUDGET_S
        for round_number in range(WARMUP_CALLS + calls):
            if time.monotonic() > deadline:
                break
            for name in rng.sample(list(requests), len(requests)):
                method, path, body = requests[name]
                status, seconds, payload = client.call(method, path, body() if body else None)
                if round_number < WARMUP_CALLS:
                    continue
                results[name].samples.append(seconds)
                results[name].statuses[status] += 1
                if name == "route" and status == 200 and json.loads(payload)["recommendations"]:
                    with_recommendations += 1
    finally:
        client.close()
    return results, with_recommendations


@dataclass(frozen=True)
class Attempt:
    """One seat request: the table, the answer, when it was sent and when its answer was read."""

    table_id: int
    status: int
    sent: float
    done: float


@dataclass
class SeatingRound:
    """What N clients seating at once got, and what the database says afterwards."""

    clients: int
    attempts: int = 0
    statuses: Counter = field(default_factory=Counter)
    contested: int = 0
    overlapped: int = 0  # contested tables whose two requests were in flight at the same time
    wall_s: float = 0.0
    samples: list[float] = field(default_factory=list)
    double_seats: int = 0
    skipped: int = 0  # attempts not made: the pass ran out of its time budget
    mismatches: list[str] = field(default_factory=list)

    @property
    def seated_per_s(self) -> float:
        return self.statuses[201] / self.wall_s if self.wall_s else 0.0


def seating_pass(port: int, floor: Floor, *, clients: int, result: SeatingRound) -> None:
    """Seat a party at every free table with `clients` threads; a few tables are claimed by two of them."""
    from django.db.models import Count

    from floor.models import Table, TableState, Visit

    restaurant = floor.restaurant
    free = list(Table.objects.for_restaurant(restaurant).filter(state=TableState.AVAILABLE).order_by("id"))
    plans: list[list[Table]] = [[] for _ in range(clients)]
    for index, table in enumerate(free):
        plans[index % clients].append(table)
    contested = []
    if clients > 1:
        # The first tables of the clients' lists are also claimed by the next client, at the same place in
        # its list: both requests leave together, before the clients drift apart.
        firsts = [plan[place] for place in range(len(free)) for plan in plans if place < len(plan)]
        for table in firsts[:CONTESTED_PER_PASS]:
            owner = next(plan for plan in plans if table in plan)
            rival = plans[(plans.index(owner) + 1) % clients]
            rival.insert(min(owner.index(table), len(rival)), table)
            contested.append(table.pk)
    base = f"/api/v1/restaurants/{restaurant.pk}/tables"
    outcomes: list[Attempt] = []
    lock = threading.Lock()
    connections = [Client(port, floor.key) for _ in range(clients)]
    for client in connections:  # connect before the clock starts
        client.call("GET", f"/api/v1/restaurants/{restaurant.pk}/")
    start = threading.Barrier(clients + 1)
    deadline = time.monotonic() + SEATING_BUDGET_S

    def work(client: Client, plan: list[Table]) -> None:
        start.wait()
        for table in plan:
            if time.monotonic() > deadline:
                return
            body = {"party_size": table.max_seats, "server_id": floor.server_of_section[table.section_id]}
            sent = time.perf_counter()
            status, seconds, _ = client.call("POST", f"{base}/{table.pk}/seat", body)
            with lock:
                outcomes.append(Attempt(table.pk, status, sent, sent + seconds))

    threads = [threading.Thread(target=work, args=pair) for pair in zip(connections, plans, strict=True)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result.wall_s += time.perf_counter() - began
    for client in connections:
        client.close()

    result.skipped += sum(len(plan) for plan in plans) - len(outcomes)
    result.attempts += len(outcomes)
    result.contested += len(contested)
    result.statuses.update(attempt.status for attempt in outcomes)
    result.samples.extend(attempt.done - attempt.sent for attempt in outcomes)
    open_visits = dict(
        Visit.objects.for_restaurant(restaurant)
        .filter(closed_at__isnull=True)
        .values_list("table_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    result.double_seats += sum(1 for n in open_visits.values() if n > 1)
    won = {attempt.table_id for attempt in outcomes if attempt.status == 201}
    if set(open_visits) != won:
        result.mismatches.append(f"{len(set(open_visits) ^ won)} tables where the 201s and the open visits differ")
    by_table: dict[int, list[Attempt]] = {}
    for attempt in outcomes:
        by_table.setdefault(attempt.table_id, []).append(attempt)
    for table_id in contested:
        claims = by_table.get(table_id, [])
        if sorted(claim.status for claim in claims) != [201, 409]:
            result.mismatches.append(f"contested table {table_id} answered {sorted(c.status for c in claims)}")
        elif claims[0].sent < claims[1].done and claims[1].sent < claims[0].done:
            result.overlapped += 1
    lost = Counter(a.status for a in outcomes if a.table_id not in contested and a.status != 201)
    if lost:
        result.mismatches.append(f"uncontested tables refused: {dict(lost)}")


def pg_connections(database) -> tuple[int, int] | None:
    """(connections open to the bench database now, sessions ever opened to it), PostgreSQL only."""
    if database is None:
        return None
    admin, name = database
    time.sleep(1.2)  # backends report their session counts to the statistics at most once a second
    row = admin.execute(
        "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = %s), sessions "
        "FROM pg_stat_database WHERE datname = %s",
        [name, name],
    ).fetchone()
    return row[0], row[1]


# --- Report ------------------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def print_latency(latency: dict[str, Latency], routed: int) -> None:
    trivial = latency["trivial"]
    print(f"\nlatency: {len(trivial.samples)} timed calls each after {WARMUP_CALLS} warm-up, interleaved")
    print(f"{'endpoint':<44} {'p50 ms':>7} {'p95 ms':>7} {'x p50':>6} {'x p95':>6}  statuses")
    for item in latency.values():
        ratio = " " * 13 if item is trivial else f"{item.p50 / trivial.p50:6.2f} {item.p95 / trivial.p95:6.2f}"
        print(f"{item.label:<44} {ms(item.p50)} {ms(item.p95)} {ratio}  {dict(item.statuses)}")
    print(f"route answered with recommendations: {routed} of {len(latency['route'].samples)}")


def print_seating(rounds: list[SeatingRound], passes: int) -> None:
    print(f"\nseating: POST .../tables/{{id}}/seat at every free table, {passes} passes, floor reset between")
    print(
        f"{'clients':>7} {'tries':>5} {'201':>5} {'409':>5} {'other':>5} {'contested':>9} {'raced':>5} "
        f"{'wall s':>6} {'seated/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'double':>6}  checks"
    )
    for r in rounds:
        other = r.attempts - r.statuses[201] - r.statuses[409]
        problems = r.mismatches[:3] + ([f"{r.skipped} attempts skipped (time budget)"] if r.skipped else [])
        checks = "; ".join(problems) or "ok"
        print(
            f"{r.clients:>7} {r.attempts:>5} {r.statuses[201]:>5} {r.statuses[409]:>5} {other:>5} {r.contested:>9} "
            f"{r.overlapped:>5} {r.wall_s:6.2f} {r.seated_per_s:8.1f} {ms(percentile(r.samples, 50))} "
            f"{ms(percentile(r.samples, 95))} {r.double_seats:>6}  {checks}"
        )


def latency_figures(latency: dict[str, Latency], routed: int) -> dict:
    trivial = latency["trivial"]
    figures = {"calls": len(trivial.samples), "warmup": WARMUP_CALLS}
    for name, item in latency.items():
        figures[name] = {
            "p50_ms": round(item.p50 * 1000, 2),
            "p95_ms": round(item.p95 * 1000, 2),
            "x_p50": None if item is trivial else round(item.p50 / trivial.p50, 3),
            "x_p95": None if item is trivial else round(item.p95 / trivial.p95, 3),
            "statuses": {str(status): count for status, count in sorted(item.statuses.items())},
        }
    return figures


def seating_figures(r: SeatingRound) -> dict:
    return {
        "clients": r.clients,
        "tries": r.attempts,
        "seated": r.statuses[201],
        "refused": r.statuses[409],
        "other": r.attempts - r.statuses[201] - r.statuses[409],
        "contested": r.contested,
        "raced": r.overlapped,
        "wall_s": round(r.wall_s, 3),
        "seated_per_s": round(r.seated_per_s, 2),
        "p50_ms": round(percentile(r.samples, 50) * 1000, 2) if r.samples else None,
        "p95_ms": round(percentile(r.samples, 95) * 1000, 2) if r.samples else None,
        "double_seats": r.double_seats,
        "checks": r.mismatches + ([f"{r.skipped} attempts skipped (time budget)"] if r.skipped else []),
    }


def run(args, scratch: Path) -> int:
    """Set up, serve, measure, print. Returns the exit status: 1 if any table got two open visits."""
    started = time.perf_counter()
    client_counts = [int(n) for n in args.clients.split(",") if n.strip()]
    with dedicated_database(os.environ.get("DATABASE_URL", ""), scratch) as (database_url, database):
        env = production_env(database_url, scratch / "static")
        os.environ.update(env)  # this process builds the floor with the settings the server runs with
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, connections

        vendor = connection.vendor
        setup = {}
        for command in ("migrate", "collectstatic"):
            began = time.perf_counter()
            call_command(command, interactive=False, verbosity=0)
            setup[command] = time.perf_counter() - began
        floor = floor_build(args.seed)
        setup.update(floor.timings)
        print(
            f"database: {vendor} ({urlsplit(database_url).path.rsplit('/', 1)[-1]}), "
            f"cache: {'redis' if env['REDIS_URL'] else 'local memory'}; floor: {TABLES} tables in {SERVERS} "
            f"sections, {SERVERS} servers on, {OCCUPIED} occupied, {DIRTY} dirty, {WAITING} waiting, "
            f"{HISTORY_DAYS} days of history"
        )
        print("setup: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in setup.items()))
        connections.close_all()  # the server must not wait on a lock this process holds

        log_path = scratch / "uvicorn.log"
        with uvicorn_server(env, log_path) as port:
            print(f"server: uvicorn restaurant.asgi:application, 1 process, http://127.0.0.1:{port}, DEBUG off")
            pg_before = pg_connections(database)
            latency, routed = measure_latency(port, floor, calls=args.calls, seed=args.seed)
            print_latency(latency, routed)
            pg_after_latency = pg_connections(database)
            rounds = []
            for clients in client_counts:
                result = SeatingRound(clients)
                for _ in range(args.passes):
                    floor_reset(floor.restaurant)
                    connections.close_all()
                    seating_pass(port, floor, clients=clients, result=result)
                rounds.append(result)
            pg_after_seating = pg_connections(database)
        connections.close_all()

    print_seating(rounds, args.passes)
    postgresql = None
    if database is not None:
        requests = len(latency) * (WARMUP_CALLS + len(latency["trivial"].samples))
        opened = pg_after_latency[1] - pg_before[1]
        postgresql = {
            "sessions_opened": opened,
            "requests": requests,
            "connections_after_latency": pg_after_latency[0],
            "connections_after_seating": pg_after_seating[0],
        }
        print(
            f"PostgreSQL: {opened} sessions opened for the {requests} latency requests "
            f"({opened / requests:.2f} a request); connections open: {pg_after_latency[0]} after the latency "
            f"calls, {pg_after_seating[0]} after seating (one of them this process's)"
        )
    errors = Counter(ERROR_LINE.findall(log_path.read_text(errors="replace"))).most_common(3)
    for line, count in errors:
        print(f"server log: {count} x {line[:150]}")
    trivial, route, board = latency["trivial"], latency["route"], latency["floor"]
    busiest = max(rounds, key=lambda r: r.clients, default=None)
    seating = f"seating {busiest.seated_per_s:.0f}/s at {busiest.clients} clients; " if busiest else ""
    doubles = sum(r.double_seats for r in rounds)
    failed = sum(r.attempts - r.statuses[201] - r.statuses[409] for r in rounds)
    wall_s = time.perf_counter() - started
    print(
        f"\n{vendor}: route p50 x{route.p50 / trivial.p50:.2f} of trivial, p95 x{route.p95 / trivial.p95:.2f}; "
        f"floor p50 x{board.p50 / trivial.p50:.2f}, p95 x{board.p95 / trivial.p95:.2f} (aim <= 3x); "
        f"{seating}{doubles} double seats, {failed} seat errors; {wall_s:.0f} s in all"
    )
    if args.json:
        figures = {
            "database": vendor,
            "cache": "redis" if env["REDIS_URL"] else "local memory",
            "floor": {
                "tables": TABLES,
                "sections": SERVERS,
                "servers": SERVERS,
                "occupied": OCCUPIED,
                "dirty": DIRTY,
                "waiting": WAITING,
                "history_days": HISTORY_DAYS,
            },
            "setup_s": {name: round(seconds, 2) for name, seconds in setup.items()},
            "latency": latency_figures(latency, routed),
            "route_with_recommendations": routed,
            "seating": [seating_figures(r) for r in rounds],
            "postgresql": postgresql,
            "server_errors": [{"count": count, "line": line[:150]} for line, count in errors],
            "double_seats": doubles,
            "seat_errors": failed,
            "wall_s": round(wall_s, 1),
        }
        print(json.dumps(figures))
    return 1 if doubles else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="timed calls of each endpoint (after warm-up)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clients", default="1,4,8", help="numbers of concurrent seating clients")
    parser.add_argument("--passes", type=int, default=3, help="seating passes over the free floor per client count")
    parser.add_argument("--json", action="store_true", help="print every figure as JSON on the last line")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-floor-"))  # SQLite file, collected static, server log
    try:
        status = run(args, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
