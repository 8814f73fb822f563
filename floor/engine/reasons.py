"""The sentences a host reads beside each recommendation, and when nothing fits, why.

Pure functions of the floor (`floor.engine.floor`) and of what the routing engine chose; no scoring
happens here, so the wording can change without touching a score (docs/routing.md quotes them)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from floor.engine.floor import BALANCED, PERFORMANCE, ROTATION, FloorServer, FloorSnapshot, FloorTable, Preferences


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _minutes(delta: timedelta) -> int:
    return max(int(delta.total_seconds() // 60), 0)


def short_names(servers: tuple[FloorServer, ...]) -> dict[int, str]:
    """First names, unless two people on the floor share one: then the full name."""
    firsts: dict[str, int] = {}
    for server in servers:
        first = server.name.split()[0] if server.name.split() else server.name
        firsts[first] = firsts.get(first, 0) + 1
    names = {}
    for server in servers:
        first = server.name.split()[0] if server.name.split() else server.name
        names[server.staff_id] = first if firsts[first] == 1 else server.name
    return names


def table_text(tables: tuple[FloorTable, ...], party_size: int, prefs: Preferences, snapshot: FloorSnapshot) -> str:
    """'Table 12 (4-top, exact fit; booth as asked)', or the tables pushed together."""
    seats = sum(t.max_seats for t in tables)
    wasted = seats - party_size
    fit = "exact fit" if wasted == 0 else f"{wasted} spare seat{'s' if wasted != 1 else ''}"
    asked = []
    if prefs.feature:
        has = all(prefs.feature in t.features for t in tables)
        asked.append(f"{prefs.feature.replace('_', '-')} {'as asked' if has else 'not available'}")
    if prefs.section_id is not None:
        name = snapshot.section_names.get(prefs.section_id, "the section asked")
        asked.append(f"in {name} as asked" if tables[0].section_id == prefs.section_id else f"not in {name}")
    extra = "; " + ", ".join(asked) if asked else ""
    if len(tables) == 1:
        return f"Table {tables[0].label} ({tables[0].max_seats}-top, {fit}{extra})"
    labels = "+".join(t.label for t in tables)
    return f"Tables {labels} (pushed together, {seats} seats, {fit}{extra})"


def server_text(
    server: FloorServer,
    *,
    rank: int,
    capacity: float,
    capped: bool,
    snapshot: FloorSnapshot,
    double_seat: bool,
    section_id: int | None = None,
) -> str:
    """Why this server, in the words of the restaurant's mode: their place, load, last seating, overrides,
    and, for a table of `section_id` outside their section, that it is lent to them."""
    mode = snapshot.mode
    parts = []
    if mode == BALANCED:
        load = f"{server.covers_now} covers on {capacity:g} seats"
        parts.append(f"lightest load, {load}" if rank == 0 else load)
    elif mode == PERFORMANCE:
        lead = f"{server.tier} tier, {server.covers_shift} covers this shift"
        if capped:
            lead += f" (held back: {snapshot.config.performance_covers_gap_cap}+ covers ahead)"
        elif rank == 0:
            lead = "first for this party: " + lead
        parts.append(lead)
    else:
        parts.append("next in rotation" if rank == 0 else f"{_ordinal(rank + 1)} in rotation")
    if server.last_seated_at is None:
        parts.append("not seated yet this shift")
    else:
        parts.append(f"last seated {_minutes(snapshot.now - server.last_seated_at)} min ago")
    if mode != BALANCED:
        parts.append(f"{server.covers_now} covers now")
    if double_seat:
        parts.append("double seat")
    if server.skip_next:
        parts.append("skipped once by the host")
    if mode == ROTATION and server.rotation_offset:
        direction = "up" if server.rotation_offset < 0 else "down"
        parts.append(f"moved {direction} {abs(server.rotation_offset)} by the host")
    config = snapshot.config
    tables, carries = server.tables_now + 1, config.table_capacity(server.tier)
    if config.overload_penalty and tables > carries:
        parts.append(f"{tables} tables with this one, over a {server.tier} server's {carries}")
    if server.section_id is None:
        parts.append("covers every section")
    elif section_id is not None and server.section_id != section_id:
        table_section = snapshot.section_names.get(section_id, "another section")
        own = snapshot.section_names.get(server.section_id, "their section")
        parts.append(f"lent this {table_section} table from {own}")
    return ", ".join(parts)


def clock_time(snapshot: FloorSnapshot, minutes_from_now: int) -> str:
    """The restaurant's local clock time this many minutes from the snapshot, "19:42"."""
    at = snapshot.now + timedelta(minutes=minutes_from_now)
    return at.astimezone(ZoneInfo(snapshot.timezone)).strftime("%H:%M")


def hold_text(
    table_part: str, *, held: str, seat_at: str, minutes: int, alternative: str, alternative_tables: list[str]
) -> str:
    """Pacing's one sentence: "Seat at 19:42 with Ana (Table 7 ...), or now with Ben (Table 9)"."""
    if alternative == held and not alternative_tables:
        now = "or now as a double seat"
    elif alternative_tables:
        tables = "+".join(alternative_tables)
        now = f"or now with {alternative} (Table{'s' if len(alternative_tables) > 1 else ''} {tables})"
    else:
        now = f"or now with {alternative}"
    return f"Seat at {seat_at} with {held}, {now}: {held} was just seated, {table_part} in {minutes} min"


def kept_reason(kept, party_size: int, snapshot: FloorSnapshot) -> str:
    """Table mix's one sentence: why the free table is not this party's."""
    return (
        f"Table {kept.table.label} ({kept.table.max_seats}-top) is kept for the party of {kept.for_size} waiting; "
        f"Table {kept.better.label} ({kept.better.max_seats}-top) should free in about "
        f"{max(1, round(kept.minutes))} min for this party of {party_size}"
    )


def no_server_reason(snapshot: FloorSnapshot) -> str:
    floor = [s for s in snapshot.servers if s.takes_tables]
    if not floor:
        return "no server on the floor"
    if all(s.on_break for s in floor):
        return "every server on the floor is on break"
    if all(s.cut for s in floor):
        return "every server on the floor is cut"
    return "no server on the floor can take a party (on break or cut)"


def no_place_reason(
    snapshot: FloorSnapshot,
    party_size: int,
    prefs: Preferences,
    free: list[FloorTable],
    staffed: list[FloorTable],
) -> str:
    largest = max(t.max_seats for t in snapshot.tables)
    group_seats: dict[tuple[str, int], int] = {}
    for t in snapshot.tables:
        if t.combinable_group:
            key = (t.combinable_group, t.section_id)
            group_seats[key] = group_seats.get(key, 0) + t.max_seats
    if party_size > largest and party_size > max(group_seats.values(), default=0):
        return f"no table or combination of tables seats {party_size} (largest table: {largest})"
    accessible = " accessible" if prefs.accessible else ""
    unstaffed = [t for t in free if t.fits(party_size) and t not in staffed]
    if unstaffed:
        sections = sorted({snapshot.section_names.get(t.section_id, f"section {t.section_id}") for t in unstaffed})
        return f"free{accessible} tables for {party_size} are in sections with no server ({', '.join(sections)})"
    return f"no free{accessible} table for {party_size}"


def free_tables_text(snapshot: FloorSnapshot, party_size: int, prefs: Preferences) -> str:
    """What is free, when a waiting party cannot be seated: the host would ask next."""
    kind = "accessible " if prefs.accessible else ""
    free = [t for t in snapshot.tables if t.is_free and (t.accessible or not prefs.accessible)]
    if not free:
        return f"no {kind}table is free"
    big_enough = [t for t in free if t.max_seats >= party_size]
    if not big_enough:
        return f"largest free {kind}is a {max(t.max_seats for t in free)}-top"
    # Free tables with seats enough, kept for larger parties (their minimum is higher): say the closest.
    closest = min(big_enough, key=lambda t: (t.min_seats, t.max_seats, t.id))
    return f"the free {closest.max_seats}-top takes {closest.min_seats} to {closest.max_seats}"


def waiting_reason(snapshot: FloorSnapshot, reason: str, party_size: int, prefs: Preferences) -> str:
    """Why a waiting party waits: the ranking's reason, and what is free when that is the question."""
    # "no free table for 9" alone leaves the host asking what is free: say so.
    if reason.startswith("no free"):
        return f"{reason} — {free_tables_text(snapshot, party_size, prefs)}"
    return reason
