"""How close the waits we quoted were to the waits parties had: the quote-accuracy panel's figures."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from floor.models import WaitlistEntry, WaitlistStatus

ACCURACY_SIZE_BUCKETS = ((1, 2), (3, 4), (5, 6), (7, None))
ACCURACY_WEEKS = 4


@dataclass(frozen=True)
class AccuracyBucket:
    """Quoted against actual wait for the parties of one group (a party size, an hour of arrival)."""

    key: str
    label: str
    parties: int
    mean_quoted: float
    mean_actual: float
    mean_abs_error: float
    mean_error: float  # actual - quoted: positive when parties waited longer than they were told


@dataclass(frozen=True)
class AccuracyPeriod:
    """The quote accuracy over one period, overall and by party size and hour of arrival (local time)."""

    key: str
    label: str
    parties: int
    mean_abs_error: float | None
    mean_error: float | None
    by_party_size: tuple[AccuracyBucket, ...]
    by_hour: tuple[AccuracyBucket, ...]


def _size_bucket(size: int) -> tuple[str, str]:
    for low, high in ACCURACY_SIZE_BUCKETS:
        if high is None:
            return f"{low}+", f"{low}+ guests"
        if low <= size <= high:
            return f"{low}-{high}", f"{low}-{high} guests"
    raise AssertionError("the last bucket is open-ended")


def _accuracy_bucket(key: str, label: str, rows: list[tuple[float, float]]) -> AccuracyBucket:
    count = len(rows)
    return AccuracyBucket(
        key=key,
        label=label,
        parties=count,
        mean_quoted=round(sum(q for q, _ in rows) / count, 1),
        mean_actual=round(sum(a for _, a in rows) / count, 1),
        mean_abs_error=round(sum(abs(a - q) for q, a in rows) / count, 1),
        mean_error=round(sum(a - q for q, a in rows) / count, 1),
    )


def _accuracy_period(key: str, label: str, rows: list[tuple[int, int, float, float]]) -> AccuracyPeriod:
    by_size: dict[str, list] = defaultdict(list)
    size_labels: dict[str, str] = {}
    size_order: dict[str, int] = {}
    by_hour: dict[int, list] = defaultdict(list)
    for size, hour, quoted, actual in rows:
        bucket, bucket_label = _size_bucket(size)
        by_size[bucket].append((quoted, actual))
        size_labels[bucket] = bucket_label
        size_order[bucket] = size
        by_hour[hour].append((quoted, actual))
    errors = [actual - quoted for _, _, quoted, actual in rows]
    return AccuracyPeriod(
        key=key,
        label=label,
        parties=len(rows),
        mean_abs_error=round(sum(abs(e) for e in errors) / len(errors), 1) if errors else None,
        mean_error=round(sum(errors) / len(errors), 1) if errors else None,
        by_party_size=tuple(
            _accuracy_bucket(bucket, size_labels[bucket], by_size[bucket])
            for bucket in sorted(by_size, key=size_order.get)
        ),
        by_hour=tuple(_accuracy_bucket(f"{hour:02d}", f"{hour:02d}:00", by_hour[hour]) for hour in sorted(by_hour)),
    )


def quote_accuracy(*, restaurant, now: datetime | None = None) -> tuple[AccuracyPeriod, AccuracyPeriod]:
    """How close the waits we quoted were to the waits parties had, for today and the last four weeks
    (today included), by party size and by the local hour the party arrived. Counts seated parties that
    were quoted a wait. One query."""
    now = now or timezone.now()
    zone = ZoneInfo(restaurant.timezone)
    local_now = now.astimezone(zone)
    today = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    # Midnight 27 days before today, in local time (a DST change in between keeps it at midnight).
    since = (today.replace(tzinfo=None) - timedelta(days=ACCURACY_WEEKS * 7 - 1)).replace(tzinfo=zone)
    rows = []
    for size, quoted, added_at, seated_at in (
        WaitlistEntry.objects.for_restaurant(restaurant)
        .filter(
            status=WaitlistStatus.SEATED,
            quoted_wait_minutes__isnull=False,
            seated_at__isnull=False,
            added_at__gte=since,
            added_at__lte=now,
        )
        .values_list("party_size", "quoted_wait_minutes", "added_at", "seated_at")
    ):
        local_added = added_at.astimezone(zone)
        actual = max((seated_at - added_at).total_seconds() / 60, 0.0)
        rows.append((size, local_added.hour, float(quoted), actual, local_added >= today))
    return (
        _accuracy_period("today", "Today", [row[:4] for row in rows if row[4]]),
        _accuracy_period("weeks", f"Last {ACCURACY_WEEKS} weeks", [row[:4] for row in rows]),
    )
