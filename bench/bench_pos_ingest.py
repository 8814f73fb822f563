"""How fast `POST /api/v1/pos/events` ingests a POS's events, as a ratio to `/healthz` on the same server.

Loads the simulator's demo restaurant (floor, staff, menu; no history) into a dedicated database
(`<name>_pos_bench` next to the one DATABASE_URL names, created, migrated and dropped here; a temporary
SQLite file without DATABASE_URL), starts uvicorn serving restaurant.asgi:application as production does
(bench_floor_api's server and settings), then with N client threads over keep-alive connections:

1. `/healthz` (no database, no broker: the cost of a request through the stack), requests per second;
2. a simulated day of POS events (simulator.pos_feed: menu, clock-ins and outs, checks, items, voids,
   clears, closes), each signed with the key's secret by the `standardwebhooks` package, events per
   second. With several clients the events are dealt out by check (a check's events stay in order on
   one client; clocks and menu go first), so some arrive before what they need and are held, then
   applied: what a POS sending in parallel causes.

Then the database is checked: every event recorded once and processed, as many visits as checks.
The ratio (ingested events/s / healthz requests/s) is the figure; the aim is at least 0.5.

    .venv/bin/python bench/bench_pos_ingest.py [--clients 1,4] [--healthz 2000] [--events 600|0] [--json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bench_floor_api  # noqa: E402
from bench_floor_api import ERROR_LINE, dedicated_database, production_env, uvicorn_server  # noqa: E402

# A loaded machine (CI running tests beside the bench) can take more than half a minute to import the app.
bench_floor_api.SERVER_START_S = max(bench_floor_api.SERVER_START_S, 120)

# The project's models and services are imported inside the functions that use them: the bench picks its
# database at run time (run() sets DATABASE_URL, then django.setup()), and no model may load before that.
# Not a loop between layers.

DAY = date(2026, 3, 6)
HTTP_TIMEOUT_S = 30
URL = "/api/v1/pos/events"


def restaurant_build(seed: int, limit: int):
    """The demo restaurant with nothing happened yet, its staff's POS ids, a POS key; and the day's events."""
    from restaurant.models import ApiScope
    from restaurant.services import api_client_create
    from simulator.config import RestaurantConfig
    from simulator.history import simulate_history
    from simulator.loader import history_load
    from simulator.pos_feed import pos_feed, staff_pos_id
    from staff.models import StaffMember

    history = simulate_history(RestaurantConfig.demo(), start=DAY, days=1, seed=seed)
    empty = replace(history, services=[], table_states=[("available", None)] * len(history.restaurant.tables))
    restaurant = history_load(history=empty).restaurant
    for record in history.restaurant.staff:
        StaffMember.objects.filter(restaurant=restaurant, name=record.name).update(pos_id=staff_pos_id(record.index))
    issued = api_client_create(restaurant=restaurant, name="bench POS", scopes=[ApiScope.POS])
    events = pos_feed(history.services)
    return restaurant, issued, events[:limit] if limit else events


def deal(events, clients: int) -> list[list]:
    """Clocks and menu first on client 0; each check's events in order on one client."""
    lanes: list[list] = [[] for _ in range(clients)]
    for event in events:
        check = event.data.get("check_id")
        lane = 0 if check is None else sum(map(ord, check)) % clients
        lanes[lane].append(event)
    return lanes


class Connection:
    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT_S)

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> int:
        self.conn.request(method, path, body=body, headers=headers or {})
        response = self.conn.getresponse()
        response.read()
        return response.status

    def close(self) -> None:
        self.conn.close()


def run_clients(port: int, lanes: list[list], send) -> tuple[float, dict[int, int]]:
    """Each lane on its own thread and connection; (wall seconds, answers by status)."""
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    start = threading.Barrier(len(lanes) + 1)

    def work(lane):
        conn = Connection(port)
        start.wait()
        try:
            for item in lane:
                status = send(conn, item)
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
        finally:
            conn.close()

    threads = [threading.Thread(target=work, args=(lane,)) for lane in lanes]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, statuses


def measure(port: int, issued, events, *, clients: int, healthz: int) -> dict:
    from standardwebhooks import Webhook

    signer = Webhook(issued.client.signing_secret)
    auth = f"Api-Key {issued.key}"
    run_id = f"{clients}-{time.time_ns()}"

    def send_event(conn: Connection, event) -> int:
        body = json.dumps(event.body())
        event_id = f"{run_id}-{event.event_id}"
        signed_at = datetime.now(UTC)
        headers = {
            "Authorization": auth,
            "Content-Type": "application/json",
            "webhook-id": event_id,
            "webhook-timestamp": str(int(signed_at.timestamp())),
            "webhook-signature": signer.sign(event_id, signed_at, body),
        }
        return conn.call("POST", URL, body.encode(), headers)

    def send_healthz(conn: Connection, _item) -> int:
        return conn.call("GET", "/healthz")

    health_s, health_statuses = run_clients(port, [[None] * (healthz // clients)] * clients, send_healthz)
    ingest_s, ingest_statuses = run_clients(port, deal(events, clients), send_event)
    health_rate = (healthz // clients) * clients / health_s
    ingest_rate = len(events) / ingest_s
    return {
        "clients": clients,
        "healthz_per_s": round(health_rate, 1),
        "events_per_s": round(ingest_rate, 1),
        "ratio": round(ingest_rate / health_rate, 3),
        "healthz_statuses": health_statuses,
        "event_statuses": ingest_statuses,
    }


def database_check(restaurant, events: int) -> dict:
    from floor.models import Visit
    from restaurant.models import InboxEvent

    inbox = InboxEvent.objects.filter(restaurant=restaurant)
    by_status = {status: inbox.filter(status=status).count() for status in ("processed", "held", "failed")}
    visits = Visit.objects.filter(restaurant=restaurant).count()
    errors = list(inbox.filter(status="failed").values_list("error", flat=True)[:3])
    # What the events still held wait for (an event held at the end was never applied).
    held = list(inbox.filter(status="held").order_by("occurred_at").values_list("event_type", "error")[:3])
    return {
        "recorded": inbox.count(),
        "expected": events,
        **by_status,
        "visits": visits,
        "errors": errors,
        "held_for": held,
    }


def run(args, scratch: Path) -> dict:
    client_counts = [int(n) for n in args.clients.split(",") if n.strip()]
    url = os.environ.get("DATABASE_URL", "")
    if url:
        parts = urlsplit(url)
        url = parts._replace(path=f"{parts.path.rstrip('/') or '/restaurant'}_pos").geturl()
    with dedicated_database(url, scratch) as (database_url, _database):
        env = production_env(database_url, scratch / "static")
        env["API_THROTTLE_CLIENT"] = "100000000/min"
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, connections

        for command in ("migrate", "collectstatic"):
            call_command(command, interactive=False, verbosity=0)
        results = []
        log_path = scratch / "uvicorn.log"
        with uvicorn_server(env, log_path) as port:
            print(f"server: uvicorn restaurant.asgi:application, 1 process, http://127.0.0.1:{port}, DEBUG off")
            for clients in client_counts:
                # Each round ingests the day into a restaurant of its own, where nothing has happened yet.
                began = time.perf_counter()
                restaurant, issued, events = restaurant_build(args.seed, args.events)
                print(
                    f"database: {connection.vendor}; restaurant: {restaurant.tables.count()} tables, "
                    f"{restaurant.staff.count()} staff; {len(events)} POS events of a simulated day "
                    f"(built in {time.perf_counter() - began:.1f} s)"
                )
                connections.close_all()  # the server must not wait on a lock this process holds
                result = measure(port, issued, events, clients=clients, healthz=args.healthz)
                check = database_check(restaurant, len(events))
                connections.close_all()
                results.append({**result, "inbox": check})
                print(
                    f"{clients} client(s): healthz {result['healthz_per_s']:.0f}/s, ingest "
                    f"{result['events_per_s']:.0f} events/s -> ratio {result['ratio']:.2f} (aim >= 0.5); "
                    f"answers {result['event_statuses']}; inbox: {check['recorded']} recorded, "
                    f"{check['processed']} processed, {check['held']} held, {check['failed']} failed; "
                    f"{check['visits']} visits {check['errors']} {check['held_for']}"
                )
    for line, count in Counter(ERROR_LINE.findall(log_path.read_text(errors="replace"))).most_common(3):
        print(f"server log: {count} x {line[:200]}")
    first = results[0]
    return {
        "bench": "pos_ingest",
        "events": first["inbox"]["expected"],
        "ratio": first["ratio"],
        "events_per_s": first["events_per_s"],
        "healthz_per_s": first["healthz_per_s"],
        "by_clients": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,4", help="numbers of client threads, one round each")
    parser.add_argument("--healthz", type=int, default=2000, help="healthz requests per round")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--events", type=int, default=600, help="the day's first N events (the lunch service); 0: the whole day"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object, last")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-pos-"))
    try:
        figures = run(args, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
