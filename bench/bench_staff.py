"""Staff intelligence figures, in a throwaway database of whatever DATABASE_URL names.

1. Demo Bistro (the simulator, seed 7): the weekly tier job over the last weeks as beat would run it;
   Spearman correlation between tier score and the simulator's hidden server skill with and without
   shrinkage; tier distribution; how stable tiers are week to week with and without hysteresis; the SQL
   aggregation against a baseline that loops over visits in Python (time and queries).
2. Scale: the tier job for R restaurants x S servers x D days of synthetic visits: wall time and queries;
   the query count per restaurant at 10 and at S servers (it must not grow with the staff).

Run: `python bench/bench_staff.py [--restaurants 50] [--servers 30] [--days 90] [--weeks 6] [--json]`."""

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "restaurant.settings")

NOW = "2026-05-04T19:30:00-04:00"  # a Monday evening: every weekly period ends at a local Monday midnight


def naive_aggregate(restaurant, start, end):
    """The baseline: what a first version does, a Python loop over each server's visits and their items."""
    from floor.models import Visit
    from staff.models import StaffMember

    out = {}
    for member in StaffMember.objects.filter(restaurant=restaurant, role__in=["server", "bartender"]):
        covers = sales = tips = upsells = 0
        for visit in Visit.objects.filter(
            server=member, seated_at__gte=start, seated_at__lt=end, closed_at__isnull=False
        ):
            covers += visit.party_size
            sales += float(visit.subtotal)
            tips += float(visit.tip)
            for item in visit.items.all():
                if not item.voided and item.category in ("drink", "alcohol", "appetizer", "dessert"):
                    upsells += item.quantity
        out[member.pk] = (covers, sales, tips, upsells)
    return out


def demo_figures(weeks: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from simulator.demo import demo_history
    from simulator.loader import history_load
    from staff.engine import TierPolicy, spearman
    from staff.models import StaffMember
    from staff.selectors import performance_aggregates
    from staff.services.jobs import tiers_recalculate
    from staff.services.llm import LLMScorer
    from staff.services.metrics import MetricsAggregator, period_end_for
    from staff.services.tiers import TierCalculator

    now = datetime.fromisoformat(NOW)
    history = demo_history(now=now, weeks=weeks + 5, seed=7)  # 30 days of data before the first period
    restaurant = history_load(history=history).restaurant
    skill = {s.name: s.skill for s in history.restaurant.staff}
    staff = {m.pk: m for m in StaffMember.objects.filter(restaurant=restaurant)}
    servers = [pk for pk, m in staff.items() if m.role == "server"]
    today = period_end_for(restaurant, now)
    ends = [today - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]

    aggregator = MetricsAggregator(restaurant)
    week_aggregator = MetricsAggregator(restaurant, window_days=7)  # 1-6 shifts each: where shrinkage matters
    rows = {"shrunk": [], "raw": [], "shrunk 7d": [], "raw 7d": []}
    tiers_by_week = {"hysteresis 0.1": [], "hysteresis 0": []}
    previous = {"hysteresis 0.1": {}, "hysteresis 0": {}}
    for end in ends:
        metrics = aggregator.compute(period_end=end)
        week = week_aggregator.compute(period_end=end)
        for label, shrink, figures in (
            ("shrunk", True, metrics),
            ("raw", False, metrics),
            ("shrunk 7d", True, week),
            ("raw 7d", False, week),
        ):
            scored = TierCalculator(restaurant, policy=TierPolicy(), shrink=shrink).score(figures)
            ids = [pk for pk in servers if pk in scored]
            rows[label].append(spearman([scored[pk].score for pk in ids], [skill[staff[pk].name] for pk in ids]))
        for label, hysteresis in (("hysteresis 0.1", 0.1), ("hysteresis 0", 0.0)):
            scored = TierCalculator(restaurant, policy=TierPolicy(hysteresis=hysteresis)).score(
                metrics, previous=previous[label]
            )
            previous[label] = {pk: result.tier for pk, result in scored.items()}
            tiers_by_week[label].append(previous[label])

    def stability(weeks_of_tiers):
        kept = total = 0
        for before, after in zip(weeks_of_tiers, weeks_of_tiers[1:], strict=False):
            for pk in set(before) & set(after):
                total += 1
                kept += before[pk] == after[pk]
        return kept / total if total else 1.0

    # The weekly job itself, as beat runs it, oldest period first; then once more for the last (idempotent).
    job_times, job_queries = [], []
    for end in ends:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = tiers_recalculate(restaurant=restaurant, period_end=end, scorer=LLMScorer(api_key=""))
            job_times.append(time.perf_counter() - started)
        job_queries.append(len(captured))
    with CaptureQueriesContext(connection) as captured:
        again = tiers_recalculate(restaurant=restaurant, period_end=ends[-1], scorer=LLMScorer(api_key=""))
    start = ends[-1] - timedelta(days=30)

    def timed(fn, repeat=3):
        best, queries = None, 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                fn()
                elapsed = time.perf_counter() - started
            best = elapsed if best is None else min(best, elapsed)
            queries = len(captured)
        return best, queries

    sql_time, sql_queries = timed(lambda: performance_aggregates(restaurant=restaurant, start=start, end=ends[-1]))
    naive_time, naive_queries = timed(lambda: naive_aggregate(restaurant, start, ends[-1]), repeat=1)
    return {
        "servers": len(servers),
        "periods": len(ends),
        "spearman_shrunk_mean": statistics.mean(rows["shrunk"]),
        "spearman_raw_mean": statistics.mean(rows["raw"]),
        "spearman_7day_shrunk_mean": statistics.mean(rows["shrunk 7d"]),
        "spearman_7day_raw_mean": statistics.mean(rows["raw 7d"]),
        "spearman_shrunk_by_week": rows["shrunk"],
        "spearman_raw_by_week": rows["raw"],
        "tiers_last_week": result.tiers,
        "stability_with_hysteresis": stability(tiers_by_week["hysteresis 0.1"]),
        "stability_without_hysteresis": stability(tiers_by_week["hysteresis 0"]),
        "job_seconds_median": statistics.median(job_times),
        "job_queries": job_queries,
        "rerun_writes": again.snapshots_written + again.updated + sum(again.insights.values()),
        "rerun_queries": len(captured),
        "aggregate_sql_ms": sql_time * 1000,
        "aggregate_sql_queries": sql_queries,
        "aggregate_naive_ms": naive_time * 1000,
        "aggregate_naive_queries": naive_queries,
    }


def scale_figures(restaurants: int, servers: int, days: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from floor.models import Visit
    from restaurant.models import Restaurant
    from staff.services.jobs import tiers_recalculate
    from staff.services.llm import LLMScorer
    from staff.services.metrics import period_end_for
    from staff.tests.performance_setup import synthetic_team

    zone = ZoneInfo("America/New_York")
    end = datetime(2026, 5, 4, tzinfo=zone)
    started = time.perf_counter()
    places = []
    for index in range(restaurants):
        place = Restaurant.objects.create(name=f"Bench {index}", timezone="America/New_York")
        synthetic_team(place, servers=servers, days=days, end=end, seed=index)
        places.append(place)
    small = Restaurant.objects.create(name="Bench small", timezone="America/New_York")
    synthetic_team(small, servers=10, days=days, end=end, seed=999)
    generated = time.perf_counter() - started
    visits = Visit.objects.count()
    scorer = LLMScorer(api_key="")
    per_restaurant = defaultdict(list)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as total:
        for place in places:
            before = len(total)
            tiers_recalculate(restaurant=place, period_end=period_end_for(place, end), scorer=scorer)
            per_restaurant[servers].append(len(total) - before)
    wall = time.perf_counter() - started
    with CaptureQueriesContext(connection) as captured:
        tiers_recalculate(restaurant=small, period_end=period_end_for(small, end), scorer=scorer)
    return {
        "restaurants": restaurants,
        "servers": servers,
        "days": days,
        "visits": visits,
        "generate_seconds": generated,
        "job_seconds_total": wall,
        "job_seconds_per_restaurant": wall / restaurants,
        "queries_total": len(total),
        f"queries_per_restaurant_{servers}_servers": sorted(set(per_restaurant[servers])),
        "queries_per_restaurant_10_servers": len(captured),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--restaurants", type=int, default=50)
    parser.add_argument("--servers", type=int, default=30)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--weeks", type=int, default=6, help="weekly periods of the demo to score")
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--no-scale", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    vendor = connection.vendor
    if vendor != "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_staff_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    figures = {"database": vendor}
    try:
        if not args.no_demo:
            demo = demo_figures(args.weeks)
            figures["demo"] = demo
            print(f"Demo Bistro, {demo['servers']} servers, {demo['periods']} weekly 30-day periods ({vendor}):")
            print(
                f"  Spearman(tier score, hidden skill): {demo['spearman_shrunk_mean']:.2f} with shrinkage, "
                f"{demo['spearman_raw_mean']:.2f} without (mean over the periods); over 7-day windows "
                f"{demo['spearman_7day_shrunk_mean']:.2f} with, {demo['spearman_7day_raw_mean']:.2f} without"
            )
            print(f"  tiers at the last period: {demo['tiers_last_week']}")
            print(
                f"  servers keeping their tier week to week: {demo['stability_with_hysteresis']:.0%} with hysteresis "
                f"0.1, {demo['stability_without_hysteresis']:.0%} without"
            )
            print(
                f"  weekly job: {demo['job_seconds_median'] * 1000:.0f} ms median, queries {demo['job_queries']}; "
                f"a second run for the same period writes {demo['rerun_writes']} rows ({demo['rerun_queries']} queries)"
            )
            print(
                f"  30-day aggregation: SQL {demo['aggregate_sql_ms']:.0f} ms in {demo['aggregate_sql_queries']} "
                f"queries vs a Python loop over visits {demo['aggregate_naive_ms']:.0f} ms in "
                f"{demo['aggregate_naive_queries']} queries "
                f"(x{demo['aggregate_naive_ms'] / demo['aggregate_sql_ms']:.1f})"
            )
        if not args.no_scale:
            scale = scale_figures(args.restaurants, args.servers, args.days)
            figures["scale"] = scale
            print(
                f"Scale: {scale['restaurants']} restaurants x {scale['servers']} servers x {scale['days']} days = "
                f"{scale['visits']:,} visits (generated in {scale['generate_seconds']:.0f} s)"
            )
            print(
                f"  tier job for all: {scale['job_seconds_total']:.1f} s "
                f"({scale['job_seconds_per_restaurant'] * 1000:.0f} ms per restaurant), "
                f"{scale['queries_total']} queries"
            )
            print(
                f"  queries per restaurant: {scale[f'queries_per_restaurant_{args.servers}_servers']} with "
                f"{args.servers} servers, {scale['queries_per_restaurant_10_servers']} with 10"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
