"""Tonight's fairness between the servers on the floor: covers per hour on the floor so far, the Gini of
those rates, who is behind and by how much, and the double seats. Pure; `floor.selectors.fairness`
reads the rows and the floor page shows the result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from floor.engine.floor import FloorSnapshot, minutes_between, shift_counts_from
from floor.engine.server_order import MIN_FLOOR_HOURS


def gini(values: list[float]) -> float:
    """0 when everyone has the same, towards 1 when one has everything."""
    values = sorted(v for v in values if v >= 0)
    n, total = len(values), sum(values)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i + 1) * v for i, v in enumerate(values))
    return (2 * weighted) / (n * total) - (n + 1) / n


@dataclass(frozen=True)
class ServerFairness:
    """One server's night so far: covers, hours on the floor, their rate and how far below the floor's
    mean rate they are (the covers they would need now to reach it)."""

    staff_id: int
    name: str
    covers: int
    hours: float
    covers_per_hour: float
    behind_covers: float
    double_seats: int


@dataclass(frozen=True)
class Fairness:
    """The floor's fairness tonight, servers most behind first."""

    servers: list[ServerFairness]
    gini: float
    mean_covers_per_hour: float
    double_seats: int
    double_seat_minutes: float


def tonight(snapshot: FloorSnapshot, seatings: list[tuple[int, datetime]]) -> Fairness:
    """Fairness of the servers on the floor who take tables; `seatings` are (server id, seated at) of the
    parties seated since their shifts began (for the double seats)."""
    window = timedelta(minutes=snapshot.config.double_seat_minutes)
    times: dict[int, list[datetime]] = {}
    for server_id, seated_at in sorted(seatings, key=lambda row: (row[0], row[1])):
        times.setdefault(server_id, []).append(seated_at)
    rows = []
    for server in snapshot.servers:
        if not server.takes_tables:
            continue
        since = shift_counts_from(server.clock_in, snapshot.now)
        hours = max(minutes_between(since, snapshot.now) / 60, MIN_FLOOR_HOURS)
        mine = [at for at in times.get(server.staff_id, []) if at >= since]
        doubles = sum(1 for before, after in zip(mine, mine[1:], strict=False) if after - before < window)
        rows.append((server, hours, doubles))
    rates = [server.covers_shift / hours for server, hours, _ in rows]
    mean = sum(rates) / len(rates) if rates else 0.0
    servers = [
        ServerFairness(
            staff_id=server.staff_id,
            name=server.name,
            covers=server.covers_shift,
            hours=round(hours, 2),
            covers_per_hour=round(rate, 1),
            behind_covers=round(max(mean - rate, 0.0) * hours, 1),
            double_seats=doubles,
        )
        for (server, hours, doubles), rate in zip(rows, rates, strict=True)
    ]
    servers.sort(key=lambda s: (-s.behind_covers, s.covers_per_hour, s.name, s.staff_id))
    return Fairness(
        servers=servers,
        gini=round(gini(rates), 3),
        mean_covers_per_hour=round(mean, 1),
        double_seats=sum(s.double_seats for s in servers),
        double_seat_minutes=snapshot.config.double_seat_minutes,
    )
