"""`python manage.py recalculate_tiers [--restaurant ID] [--weeks N]`: the tier job in the foreground.

For each restaurant (default: every one with servers or bartenders) it runs the same job the weekly beat
entry and the API start, with a progress bar, and prints a JSON summary on its last line:
{"restaurants", "staff_scored", "tiers", "changed", "insights", "jobs", "skipped"}. `--weeks N` replays the
last N weekly periods oldest first (history for the trend arrows and tier stability). A restaurant with a
job in flight (a worker is on it) is skipped and named in "skipped". Running it twice changes nothing."""

import json
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from restaurant.models import Restaurant
from staff.models import TierJobTrigger
from staff.selectors import restaurants_with_tracked_staff, tier_schedule_for
from staff.services.jobs import TierRecalculationJob, tier_job_request, weekly_slot
from staff.services.metrics import period_end_for


class Command(BaseCommand):
    help = "Recalculate metrics, tiers and insights now (foreground, with a progress bar); JSON summary last."

    def add_arguments(self, parser):
        parser.add_argument("--restaurant", type=int, help="only this restaurant id")
        parser.add_argument(
            "--weeks", type=int, default=0, help="also replay the N weekly periods before today, oldest first (0-26)"
        )

    def handle(self, *args, restaurant, weeks, verbosity, **options):
        if not 0 <= weeks <= 26:
            raise CommandError("--weeks must be between 0 and 26")
        if restaurant is not None:
            restaurants = list(Restaurant.objects.filter(pk=restaurant))
            if not restaurants:
                raise CommandError(f"no restaurant with id {restaurant}")
        else:
            restaurants = list(restaurants_with_tracked_staff())
        summary = {"restaurants": 0, "staff_scored": 0, "tiers": {}, "changed": 0, "insights": {}, "jobs": []}
        skipped = []
        for place in restaurants:
            for period_end in self._periods(place, weeks):
                job, created = tier_job_request(
                    restaurant=place, trigger=TierJobTrigger.COMMAND, period_end=period_end, enqueue=False
                )
                runner = TierRecalculationJob.claim(job.pk) if created else None
                if runner is None:
                    skipped.append(place.pk)
                    self.stderr.write(f"{place.name}: job {job.pk} is already {job.status}; skipped")
                    break
                bar = tqdm(total=1, desc=f"{place.name} {period_end:%Y-%m-%d}", unit="step", disable=verbosity < 1)

                def progress(stage, done, total, bar=bar):
                    bar.total = total
                    bar.n = done
                    bar.set_postfix_str(stage, refresh=False)
                    bar.refresh()

                result = runner.run(progress=progress)
                bar.close()
                summary["jobs"].append(job.pk)
                summary["changed"] += result.changed
                for source, count in result.insights.items():
                    summary["insights"][source] = summary["insights"].get(source, 0) + count
            else:
                summary["restaurants"] += 1
                summary["staff_scored"] += result.staff_scored
                for tier, count in result.tiers.items():
                    summary["tiers"][tier] = summary["tiers"].get(tier, 0) + count
        summary["skipped"] = skipped
        self.stdout.write(json.dumps(summary, sort_keys=True))

    def _periods(self, place, weeks):
        """The last `weeks` weekly periods (at the restaurant's weekly run day), oldest first, then today's."""
        today = period_end_for(place)
        if not weeks:
            return [today]
        weekday, hour = tier_schedule_for(restaurant=place)
        slot = period_end_for(place, weekly_slot(place, weekday=weekday, hour=hour, now=today))
        ends = [slot - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
        return [end for end in ends if end < today] + [today]
