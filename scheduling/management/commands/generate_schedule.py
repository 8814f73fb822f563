"""`python manage.py generate_schedule --restaurant 1 --week 2026-12-07 [--engine cpsat|greedy]
[--time-limit 10] [--publish]`: a week's draft in the foreground with a progress bar; the last line
is JSON for scripts.

`--demo` picks the simulator's demo restaurant, `--week current|next` the week of today or the next
one, and `--if-missing` does nothing when the week already has a schedule: `make run` uses the three
so the demo always has a published week and a draft of the next, and re-running changes nothing."""

import json
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from restaurant.models import Restaurant
from scheduling.engine import ENGINES
from scheduling.exceptions import SchedulingError
from scheduling.models import RunStatus
from scheduling.selectors import latest_schedule, monday_of
from scheduling.services import SchedulingEngine, schedule_publish
from simulator.demo import demo_restaurant


class Command(BaseCommand):
    help = "Generate a week's schedule (a new draft version) and print its figures."

    def add_arguments(self, parser):
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--restaurant", type=int)
        who.add_argument("--demo", action="store_true", help="the simulator's demo restaurant (manage.py seed_demo)")
        parser.add_argument("--week", required=True, help="the Monday the week starts (YYYY-MM-DD), current or next")
        parser.add_argument("--if-missing", action="store_true", help="do nothing if the week has a schedule")
        parser.add_argument("--engine", choices=sorted(ENGINES), default="cpsat")
        parser.add_argument("--time-limit", type=float, default=10.0, help="seconds for CP-SAT (default 10)")
        parser.add_argument("--publish", action="store_true", help="publish the draft if no hard rule is broken")

    def handle(self, *args, restaurant, demo, week, if_missing, engine, time_limit, publish, verbosity, **options):
        found = demo_restaurant() if demo else Restaurant.objects.filter(pk=restaurant).first()
        if found is None:
            raise CommandError(
                "no demo restaurant: run manage.py seed_demo" if demo else f"no restaurant with id {restaurant}"
            )
        if week in ("current", "next"):
            week_start = monday_of(timezone.localdate()) + timedelta(days=7 if week == "next" else 0)
        else:
            try:
                week_start = date.fromisoformat(week)
            except ValueError:
                raise CommandError(f"--week {week!r} is not a date (YYYY-MM-DD), current or next") from None
        existing = latest_schedule(restaurant=found, week_start=week_start)
        if if_missing and existing is not None:
            self.stdout.write(
                json.dumps({"status": "exists", "schedule_id": existing.pk, "week_start": str(week_start)})
            )
            return
        bar = tqdm(total=100, unit="%", desc=f"{engine} {week_start}", disable=verbosity < 1, mininterval=0.5)

        def progress(fraction: float, message: str) -> None:
            bar.set_postfix_str(message[:60], refresh=False)
            bar.update(max(0, round(fraction * 100) - bar.n))

        try:
            run = SchedulingEngine(found, engine=engine, time_limit=time_limit).generate(week_start, progress=progress)
        except SchedulingError as exc:
            raise CommandError(exc.message) from None
        finally:
            bar.update(100 - bar.n)
            bar.close()
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(f"run {run.pk} failed: {run.error}")
        summary = run.summary
        published = False
        if publish:
            try:
                schedule_publish(schedule=run.schedule)
                published = True
            except SchedulingError as exc:
                self.stderr.write(f"not published: {exc.message}")
        for unmet in summary.get("unmet", [])[:10]:
            self.stdout.write(unmet["message"])
        self.stdout.write(
            json.dumps(
                {
                    "status": run.status,
                    "run_id": run.pk,
                    "schedule_id": run.schedule_id,
                    "engine": summary.get("engine"),
                    "solver_status": summary.get("status"),
                    "published": published,
                    **{
                        key: summary.get(key)
                        for key in (
                            "shifts",
                            "shortfall_hours",
                            "target_shortfall_hours",
                            "hours_gini",
                            "preference_score",
                            "prime_spread",
                            "hard_violations",
                            "solve_seconds",
                            "objective",
                            "bound",
                            "gap",
                        )
                    },
                    "unmet": len(summary.get("unmet", [])),
                }
            )
        )
