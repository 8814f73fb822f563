"""Tonight's fairness on the floor (`floor.engine.fairness`), read from the floor and tonight's visits."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from floor.engine.fairness import Fairness, tonight
from floor.engine.floor import window_start
from floor.models import Visit
from floor.selectors.floor import floor_snapshot


def fairness_tonight(*, restaurant, now: datetime | None = None) -> Fairness:
    """Covers per server-hour so far, the Gini, who is behind and by how much, and the double seats, for
    the servers on the floor now. Four queries whatever the floor's size (the snapshot's three, the
    seatings)."""
    now = now or timezone.now()
    snapshot = floor_snapshot(restaurant=restaurant, now=now, sections=False)
    since = window_start((server.clock_in for server in snapshot.servers if server.takes_tables), now)
    seatings = list(
        Visit.objects.for_restaurant(restaurant)
        .filter(seated_at__gte=since, seated_at__lte=now, server_id__isnull=False)
        .values_list("server_id", "seated_at")
    )
    return tonight(snapshot, seatings)
