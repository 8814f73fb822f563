"""One service (a lunch, a dinner, today's rush) as a discrete-event simulation.

Events are arrivals, parties leaving, tables bussed, guests giving up and servers' availability
changing. Whenever something changes, the host walks the queue in order and asks the seat policy
where each waiting party goes; the quote policy names the wait for parties that cannot sit at once.
Both policies are plain callables, so a benchmark replays the same plan through another policy."""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from simulator.config import RestaurantConfig
from simulator.demand import Kitchen, dining_minutes
from simulator.records import (
    Party,
    SectionRecord,
    ShiftRecord,
    StaffRecord,
    StateChangeRecord,
    TableRecord,
    VisitRecord,
    WaitlistRecord,
)

AVAILABLE, OCCUPIED, DIRTY = "available", "occupied", "dirty"
SEATING_ROLES = ("server", "bartender")


class InvalidSeating(ValueError):
    """A seat policy chose a table or server the floor does not allow right now."""


@dataclass(frozen=True)
class SimRestaurant:
    """The restaurant a service runs in: config, floor and staff."""

    config: RestaurantConfig
    sections: tuple[SectionRecord, ...]
    tables: tuple[TableRecord, ...]
    staff: tuple[StaffRecord, ...]


@dataclass(slots=True)
class TableView:
    """A table as the host sees it now. Policies read it; only the engine changes it."""

    id: int
    label: str
    section: int
    min_seats: int
    max_seats: int
    features: frozenset
    combinable_group: str
    state: str = AVAILABLE
    since: datetime | None = None
    party_size: int = 0
    server_id: int | None = None

    def fits(self, party_size: int) -> bool:
        return self.min_seats <= party_size <= self.max_seats


@dataclass(slots=True)
class ServerView:
    """A server (or bartender) on shift as the host sees them now. `id` is the staff index."""

    id: int
    name: str
    role: str
    skill: float
    section: int | None
    clock_in: datetime
    accept_from: datetime
    cut_at: datetime
    breaks: tuple[tuple[datetime, datetime], ...]
    on_break: bool = False
    accepting: bool = False
    last_seated_at: datetime | None = None
    open_tables: int = 0
    active_covers: int = 0
    covers: int = 0
    parties: int = 0


@dataclass(slots=True)
class WaitingParty:
    """A party in the queue: when it joined, what it was quoted, and whether it quietly left."""

    party: Party
    added_at: datetime
    quoted_minutes: int | None = None
    waitlist: int | None = None
    gone_at: datetime | None = None


@dataclass
class FloorState:
    """What a seat or quote policy may look at: the clock, tables, servers on shift and the queue."""

    config: RestaurantConfig
    sections: tuple[SectionRecord, ...]
    now: datetime
    tables: list[TableView]
    servers: list[ServerView]
    waitlist: list[WaitingParty]

    def accepting_by_section(self) -> dict[int, list[ServerView]]:
        """Servers who may take a party now, by the section they work."""
        out: dict[int, list[ServerView]] = {}
        for server in self.servers:
            if server.accepting and server.section is not None:
                out.setdefault(server.section, []).append(server)
        return out

    def expected_dining_minutes(self, party_size: int, day_part: str) -> float:
        return dining_minutes(self.config, party_size, day_part=day_part)


@dataclass(frozen=True)
class Seating:
    """A policy's answer: seat the party at these tables (one, or a combinable group) with this server."""

    table_ids: tuple[int, ...]
    server_id: int


@dataclass(frozen=True)
class Hold:
    """A policy's answer: let the party wait until `until`, when the host looks again (a brief hold
    instead of a double seat). Without one, the host looks again at the next arrival or bussed table."""

    until: datetime


SeatPolicy = Callable[[FloorState, Party], Seating | Hold | None]
QuotePolicy = Callable[[FloorState, Party], int]


@dataclass
class ServicePlan:
    """A service to simulate: its window, the parties who will walk in and the planned shifts."""

    key: str
    restaurant: SimRestaurant
    start: datetime
    end: datetime
    day_parts: tuple[str, ...]
    arrivals: list[Party]
    shifts: list[ShiftRecord]


@dataclass
class ServiceResult:
    """What happened in one service. Indices of visits and waitlist entries are local to it."""

    plan: ServicePlan
    visits: list[VisitRecord]
    waitlist: list[WaitlistRecord]
    state_changes: list[StateChangeRecord]
    shifts: list[ShiftRecord]
    walkaways: int = 0
    finished_at: datetime | None = None
    party_waits: dict[int, float] = field(default_factory=dict)  # party index -> minutes waited, if seated


ARRIVE, LEAVE, BUSSED, RENEGE, CHANGE = range(5)


def run_service(plan: ServicePlan, seat_policy: SeatPolicy, quote_policy: QuotePolicy) -> ServiceResult:
    """Simulate a plan to the last table bussed. The plan is not changed, so it can be replayed."""
    return _Service(plan, seat_policy, quote_policy).run()


class _Service:
    def __init__(self, plan: ServicePlan, seat_policy: SeatPolicy, quote_policy: QuotePolicy):
        self.plan = plan
        self.config = plan.restaurant.config
        self.staff = plan.restaurant.staff
        self.seat_policy, self.quote_policy = seat_policy, quote_policy
        self.kitchen = Kitchen(self.config)
        self.tables = [
            TableView(t.index, t.label, t.section, t.min_seats, t.max_seats, t.features, t.combinable_group)
            for t in plan.restaurant.tables
        ]
        self.shifts = [replace(s, breaks=[replace(b) for b in s.breaks]) for s in plan.shifts]
        self.servers = [
            ServerView(
                id=s.staff,
                name=self.staff[s.staff].name,
                role=s.role,
                skill=self.staff[s.staff].skill,
                section=s.section,
                clock_in=s.clock_in,
                accept_from=s.accept_from,
                cut_at=s.cut_at,
                breaks=tuple((b.started_at, b.ended_at) for b in s.breaks),
            )
            for s in self.shifts
            if s.role in SEATING_ROLES and s.section is not None
        ]
        self.server_by_id = {s.id: s for s in self.servers}
        self.bussers = [s for s in self.shifts if s.role == "busser"]
        self.parties = {party.index: party for party in plan.arrivals}
        self.queue: list[WaitingParty] = []
        self.state = FloorState(
            self.config, plan.restaurant.sections, plan.start, self.tables, self.servers, self.queue
        )
        self.visits: list[VisitRecord] = []
        self.waitlist: list[WaitlistRecord] = []
        self.changes: list[StateChangeRecord] = []
        self.walkaways = 0
        self.waits: dict[int, float] = {}
        self.seat_times: dict[int, list[datetime]] = {}  # server -> when each of their parties was seated
        self.wake_ups: set[datetime] = set()  # moments a policy's hold asked the host to look again
        self.events: list = []
        self.seq = 0
        self.last_bussed: datetime | None = None

    def push(self, at: datetime, kind: int, payload=None) -> None:
        self.seq += 1
        heapq.heappush(self.events, (at, self.seq, kind, payload))

    def run(self) -> ServiceResult:
        for party in self.plan.arrivals:
            self.push(party.arrived_at, ARRIVE, party)
        for server in self.servers:
            for moment in (server.accept_from, server.cut_at, *[m for span in server.breaks for m in span]):
                self.push(moment, CHANGE)
        now = self.plan.start
        while self.events:
            now, _, kind, payload = heapq.heappop(self.events)
            self.state.now = now
            self.refresh_servers(now)
            if kind == ARRIVE:
                self.arrive(now, payload)
            elif kind == LEAVE:
                self.leave(now, payload)
            elif kind == BUSSED:
                self.bussed(now, payload)
            elif kind == RENEGE:
                self.renege(now, payload)
            else:
                self.try_seat(now)
        for waiting in self.queue:  # parties who left quietly and were never called
            record = self.waitlist[waiting.waitlist]
            record.status = "no_show"
            record.removed_at = record.notified_at = (waiting.gone_at or now) + timedelta(minutes=15)
        self.clock_out()
        return ServiceResult(
            self.plan, self.visits, self.waitlist, self.changes, self.shifts, self.walkaways, now, self.waits
        )

    def refresh_servers(self, now: datetime) -> None:
        for server in self.servers:
            server.on_break = any(start <= now < end for start, end in server.breaks)
            server.accepting = server.accept_from <= now < server.cut_at and not server.on_break

    def arrive(self, now: datetime, party: Party) -> None:
        waiting = WaitingParty(party, now)
        self.queue.append(waiting)
        self.try_seat(now)
        if waiting not in self.queue:
            return
        quote = int(self.quote_policy(self.state, party))
        waiting.quoted_minutes = quote
        waiting.waitlist = len(self.waitlist)
        record = WaitlistRecord(
            index=len(self.waitlist),
            party=party.index,
            party_name=party.name,
            party_size=party.size,
            phone=party.phone,
            preferences=party.preference,
            status="waiting",
            quoted_wait_minutes=quote,
            added_at=now,
        )
        self.waitlist.append(record)
        if quote > party.max_quote_minutes:
            self.queue.remove(waiting)
            record.status, record.removed_at = "cancelled", now + timedelta(minutes=1)
            self.walkaways += 1
            return
        self.push(now + timedelta(minutes=max(party.patience_minutes, 1.25 * quote)), RENEGE, waiting)

    def renege(self, now: datetime, waiting: WaitingParty) -> None:
        if waiting not in self.queue or waiting.gone_at is not None:
            return
        self.walkaways += 1
        if waiting.party.tells_host:
            self.queue.remove(waiting)
            record = self.waitlist[waiting.waitlist]
            record.status, record.removed_at = "cancelled", now
        else:
            waiting.gone_at = now

    def try_seat(self, now: datetime) -> None:
        for waiting in list(self.queue):
            decision = self.seat_policy(self.state, waiting.party)
            if isinstance(decision, Hold):
                if decision.until > now and decision.until not in self.wake_ups:
                    self.wake_ups.add(decision.until)
                    self.push(decision.until, CHANGE)
                continue
            if decision is None:
                continue
            if waiting.gone_at is not None:
                # The host calls the party, and nobody answers.
                self.queue.remove(waiting)
                record = self.waitlist[waiting.waitlist]
                record.status, record.notified_at, record.removed_at = "no_show", now, now
                continue
            self.seat(now, waiting, decision)

    def validate(self, party: Party, decision: Seating) -> tuple[list[TableView], ServerView]:
        ids = decision.table_ids
        if not ids or len(set(ids)) != len(ids) or any(not 0 <= i < len(self.tables) for i in ids):
            raise InvalidSeating(f"unknown or repeated tables {ids}")
        tables = [self.tables[i] for i in ids]
        busy = [t.label for t in tables if t.state != AVAILABLE]
        if busy:
            raise InvalidSeating(f"tables not available: {busy}")
        if len(tables) == 1:
            if not tables[0].fits(party.size):
                raise InvalidSeating(f"party of {party.size} does not fit table {tables[0].label}")
        else:
            groups = {t.combinable_group for t in tables}
            if len(groups) != 1 or "" in groups:
                raise InvalidSeating("joined tables must share one combinable group")
            if sum(t.max_seats for t in tables) < party.size:
                raise InvalidSeating(f"joined tables seat fewer than {party.size}")
        server = self.server_by_id.get(decision.server_id)
        if server is None or not server.accepting:
            raise InvalidSeating(f"server {decision.server_id} is not on the floor taking parties")
        return tables, server

    def seat(self, now: datetime, waiting: WaitingParty, decision: Seating) -> None:
        party = waiting.party
        tables, server = self.validate(party, decision)
        self.queue.remove(waiting)
        try:
            part = self.config.day_part(party.day_part)
        except KeyError:
            part = None
        seated_before = self.seat_times.setdefault(server.id, [])
        slower, tip_points_lost = self.config.reactions.effect(
            skill=server.skill, seated_before=seated_before, open_tables=server.open_tables, now=now
        )
        seated_before.append(now)
        minutes = slower * dining_minutes(
            self.config, party.size, day_part=party.day_part, skill=server.skill, noise=party.dining_noise
        )
        items, subtotal, tax, tip, discount = self.kitchen.check(
            party, skill=server.skill, part=part, seated_at=now, minutes=minutes, tip_points_lost=tip_points_lost
        )
        index = len(self.visits)
        wait = (now - party.arrived_at).total_seconds() / 60
        visit = VisitRecord(
            index=index,
            party=party.index,
            table=tables[0].id,
            joined_tables=tuple(t.id for t in tables[1:]),
            server=server.id,
            party_size=party.size,
            day_part=party.day_part,
            seated_at=now,
            closed_at=now + timedelta(minutes=minutes),
            subtotal=subtotal,
            tax=tax,
            tip=tip,
            discount=discount,
            pos_check_id=f"CHK-{self.plan.key}-{index + 1:04d}",
            waitlist=waiting.waitlist,
            wait_minutes=round(wait, 2),
            items=items,
        )
        self.visits.append(visit)
        self.waits[party.index] = wait
        for table in tables:
            note = f"joined to {tables[0].label}" if table is not tables[0] else ""
            self.change(table, OCCUPIED, "host", now, note)
            table.party_size, table.server_id = party.size, server.id
        server.last_seated_at = now
        server.open_tables += 1
        server.active_covers += party.size
        server.covers += party.size
        server.parties += 1
        if waiting.waitlist is not None:
            record = self.waitlist[waiting.waitlist]
            rng = random.Random(party.seed ^ 0x7A17)
            record.status, record.seated_at = "seated", now
            record.notified_at = max(record.added_at, now - timedelta(minutes=rng.uniform(1, 4)))
        self.push(visit.closed_at, LEAVE, visit)

    def leave(self, now: datetime, visit: VisitRecord) -> None:
        server = self.server_by_id[visit.server]
        server.open_tables -= 1
        server.active_covers -= visit.party_size
        on = sum(1 for s in self.bussers if s.clock_in <= now)
        factor = {0: 2.2, 1: 1.5, 2: 1.0}.get(on, 0.8)
        rng = random.Random(self.parties[visit.party].seed ^ 0xB055)
        delay = self.config.busser_minutes * factor * math.exp(rng.gauss(0, 0.35))
        for offset, table_id in enumerate(visit.tables):
            table = self.tables[table_id]
            self.change(table, DIRTY, "pos", now, "check closed")
            table.party_size, table.server_id = 0, None
            self.push(now + timedelta(minutes=delay + offset), BUSSED, table)

    def bussed(self, now: datetime, table: TableView) -> None:
        self.change(table, AVAILABLE, "host", now, "bussed")
        self.last_bussed = now
        self.try_seat(now)

    def change(self, table: TableView, to_state: str, source: str, at: datetime, note: str = "") -> None:
        self.changes.append(StateChangeRecord(table.id, table.state, to_state, source, at, note))
        table.state, table.since = to_state, at

    def clock_out(self) -> None:
        """Servers leave once their last table has closed; the others once the floor is reset."""
        last_close: dict[int, datetime] = {}
        for visit in self.visits:
            last_close[visit.server] = max(visit.closed_at, last_close.get(visit.server, visit.closed_at))
        for shift in self.shifts:
            rng = random.Random(f"{self.plan.key}:out:{shift.staff}")
            if shift.role in SEATING_ROLES:
                done = max(shift.cut_at, last_close.get(shift.staff, shift.cut_at))
                shift.clock_out = done + timedelta(minutes=rng.uniform(10, 25))
            elif shift.role == "busser" and self.last_bussed is not None:
                shift.clock_out = max(shift.cut_at, self.last_bussed) + timedelta(minutes=rng.uniform(5, 15))
            else:
                shift.clock_out = shift.cut_at + timedelta(minutes=rng.uniform(0, 15))
            for pause in shift.breaks:
                pause.ended_at = min(pause.ended_at, shift.clock_out)
