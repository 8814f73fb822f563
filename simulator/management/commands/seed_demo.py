"""`python manage.py seed_demo`: the demo restaurant with weeks of history and today's service in
progress, plus the demo logins. Safe to run again: it loads once and then only repairs the logins."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from simulator.config import RestaurantConfig
from simulator.demo import demo_history, demo_logins_ensure, demo_password, demo_restaurant, demo_seed
from simulator.loader import rows_to_write
from vision.services.demo import vision_demo_ensure


class Command(BaseCommand):
    help = "Load the demo restaurant (simulated history ending mid-service now) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7, help="simulation seed (same seed, same data)")
        parser.add_argument("--weeks", type=int, default=6, help="weeks of history before today (1-12)")
        parser.add_argument("--reset", action="store_true", help="delete the demo restaurant and load it again")
        parser.add_argument("--now", help="ISO 8601 time with offset to end the history at (default: the current time)")

    def handle(self, *args, seed, weeks, reset, now, verbosity, **options):
        if not 1 <= weeks <= 12:
            raise CommandError("--weeks must be between 1 and 12")
        moment = timezone.now()
        if now:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now {now!r} is not an ISO 8601 time") from None
            if moment.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. 2026-05-01T19:30:00-04:00")
        config = RestaurantConfig.demo()
        started = time.perf_counter()
        bar = None

        def progress(label: str, rows: int) -> None:
            bar.set_postfix_str(label, refresh=False)
            bar.update(rows)

        existing = demo_restaurant(config)
        if existing is not None and not reset:
            self.stdout.write(f"{config.name} is already loaded (id {existing.pk}); --reset reloads it.")
            restaurant = existing
        else:
            if verbosity:
                self.stdout.write(
                    f"Simulating {weeks} weeks of {config.name} (seed {seed}) up to "
                    f"{moment.astimezone(ZoneInfo(config.timezone)):%a %Y-%m-%d %H:%M} {config.timezone}"
                )
            history = demo_history(now=moment, weeks=weeks, seed=seed, config=config)
            simulated = time.perf_counter() - started
            bar = tqdm(
                total=rows_to_write(history), unit="rows", desc="Loading", mininterval=1.0, disable=verbosity < 1
            )
            loaded = demo_seed(history=history, reset=reset, progress=progress)
            bar.close()
            restaurant = loaded.restaurant
            if verbosity:
                figures = history.summary()
                self.stdout.write(
                    f"Loaded {config.name} (id {restaurant.pk}) in {time.perf_counter() - started:.1f} s "
                    f"(simulation {simulated:.1f} s): {figures['visits']} visits, {figures['covers']} covers, "
                    f"{figures['staff']} staff, {figures['tables']} tables, {figures['shifts']} shifts, "
                    f"{figures['waitlist_entries']} waitlist entries; now: {figures['open_visits']} open visits."
                )
        vision = vision_demo_ensure(restaurant=restaurant)
        if verbosity:
            model = vision.model
            self.stdout.write(
                f"Vision: {vision.camera.name} watches {vision.camera.regions.count()} tables"
                + (f"; {model} (a demo head over a random backbone; real weights replace it)" if model else "")
            )
        logins = demo_logins_ensure(restaurant=restaurant, password=demo_password())
        self.stdout.write("Demo logins (password from DEMO_PASSWORD, default demo-pass-2026):")
        for login in logins:
            self.stdout.write(f"  {login.username:<8} {login.password:<16} {login.role:<10} {login.note}")
