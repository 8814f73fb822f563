"""How long the simulator takes: generating the demo history, loading it into the database
(a throwaway test database on whatever DATABASE_URL names), and replaying its dinners through a
seat policy. Run: `python bench/bench_simulator.py [--weeks 6] [--seed 7] [--no-load]`."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "restaurant.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-load", action="store_true", help="skip the database part")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from simulator.demo import demo_history
    from simulator.engine import random_policy, replay_service, rotation_host_policy, service_metrics
    from simulator.loader import history_load, rows_to_write

    started = time.perf_counter()
    history = demo_history(now=timezone.now(), weeks=args.weeks, seed=args.seed)
    generated = time.perf_counter() - started
    figures = history.summary()
    rows = rows_to_write(history)
    print(
        f"generate: {args.weeks} weeks + today, {figures['services']} services, {figures['visits']} visits, "
        f"{figures['covers']} covers, {figures['items']} check lines, {figures['shifts']} shifts "
        f"-> {generated:.2f} s ({figures['visits'] / generated:,.0f} visits/s)"
    )

    dinners = [s.plan for s in history.services if s.plan.day_parts == ("dinner",)]
    for name, policy in (("rotation host", rotation_host_policy), ("random", random_policy(args.seed))):
        started = time.perf_counter()
        metrics = [service_metrics(replay_service(plan, policy)) for plan in dinners]
        elapsed = time.perf_counter() - started
        print(
            f"replay {len(dinners)} dinners, {name:<13}: {elapsed / len(dinners) * 1000:6.1f} ms each; "
            f"Gini covers/server-hour {statistics.mean(m.covers_per_server_hour_gini for m in metrics):.3f}, "
            f"double-seats {sum(m.double_seats for m in metrics)}, "
            f"mean wait {statistics.mean(m.mean_wait_minutes for m in metrics):.1f} min"
        )

    if args.no_load:
        return
    vendor = connection.vendor
    # Its own scratch database, never test_<name>: a test run on the same DATABASE_URL may be using that.
    if vendor != "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_simulator_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        history_load(history=history)
        loaded = time.perf_counter() - started
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(f"load ({vendor}): {rows:,} rows -> {loaded:.2f} s ({rows / loaded:,.0f} rows/s)")
    print(f"seed_demo total (generate + load): {generated + loaded:.1f} s")


if __name__ == "__main__":
    main()
