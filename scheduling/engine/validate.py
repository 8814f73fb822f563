"""The rules, checked on any set of assignments: the engine's output, or a manager's hand edits.

Hard violations (a person's availability, role, one shift a day, rest, weekly hours and shifts, a
slot's ceiling) block publishing. Soft findings (below a slot's minimum or target, outside
someone's preferred day-parts) are warnings: a short week may still be published, with its diagnosis."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from scheduling.engine.problem import Assignment, Person, Problem, Slot, rest_conflict


@dataclass(frozen=True)
class Violation:
    """One broken rule, in words, with what it concerns."""

    rule: str
    severity: str  # "hard" or "soft"
    message: str
    person_id: int | None = None
    slot: int | None = None

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "person_id": self.person_id,
            "slot": self.slot,
        }


class Ledger:
    """Who works what so far: hours, shifts and days per person, heads per slot. The greedy engine
    fills it one assignment at a time; the validator and the diagnosis read a finished one."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.minutes: dict[int, int] = defaultdict(int)
        self.shifts: dict[int, int] = defaultdict(int)
        self.slots_of: dict[int, list[int]] = defaultdict(list)
        self.heads: dict[int, list[int]] = defaultdict(list)

    def add(self, person_id: int, slot: int) -> None:
        self.minutes[person_id] += self.problem.slots[slot].minutes
        self.shifts[person_id] += 1
        self.slots_of[person_id].append(slot)
        self.heads[slot].append(person_id)

    def hours(self, person_id: int) -> float:
        return self.minutes[person_id] / 60

    def blockers(self, person: Person, slot_index: int) -> list[tuple[str, str]]:
        """Why `person` cannot also take slot `slot_index` now, as (rule, words); empty when they can."""
        slot = self.problem.slots[slot_index]
        rules = self.problem.rules
        name = person.first_name
        out: list[tuple[str, str]] = []
        if slot.role not in person.roles:
            out.append(("role", f"{name} does not work as {slot.role}"))
        reason = person.unavailable.get((slot.date, slot.day_part))
        if reason:
            out.append(("availability", f"{name} is {reason}"))
        mine = self.slots_of.get(person.id, [])
        if slot_index in mine:
            out.append(("duplicate", f"{name} already has this shift"))
            return out
        same_day = [s for s in mine if self.problem.slots[s].date == slot.date]
        if len(same_day) >= rules.max_shifts_per_day:
            other = self.problem.slots[same_day[0]]
            out.append(("one_per_day", f"{name} already works {other.day_part} that day"))
        for s in mine:
            other = self.problem.slots[s]
            if other.date != slot.date and rest_conflict(other, slot, rules.min_rest_hours):
                out.append(("rest", f"{name} would get under {rules.min_rest_hours:g} h rest after {other.label}"))
                break
            if other.date == slot.date and other.start < slot.end and slot.start < other.end:
                out.append(("overlap", f"{name} already works {other.day_part} as {other.role} then"))
                break
        if self.minutes[person.id] + slot.minutes > person.max_hours * 60 + 1e-6:
            out.append(("max_hours", f"{name} is at {self.hours(person.id):g} h of {person.max_hours:g} h"))
        if self.shifts[person.id] + 1 > person.max_shifts:
            out.append(("max_shifts", f"{name} already has {self.shifts[person.id]} shifts, their most"))
        if len(self.heads[slot_index]) >= slot.max_staff:
            out.append(("max_staff", f"{slot.label} already has its {slot.max_staff} {slot.role}s"))
        return out


def ledger_of(problem: Problem, assignments: list[Assignment]) -> Ledger:
    ledger = Ledger(problem)
    for a in assignments:
        ledger.add(a.person_id, a.slot)
    return ledger


def validate(problem: Problem, assignments: list[Assignment]) -> list[Violation]:
    """Every rule the assignments break, hard ones first."""
    found: list[Violation] = []
    rules = problem.rules
    people = {p.id: p for p in problem.people}
    by_person: dict[int, list[int]] = defaultdict(list)
    heads: dict[int, int] = defaultdict(int)
    for a in assignments:
        slot = problem.slots[a.slot]
        person = people.get(a.person_id)
        heads[a.slot] += 1
        if person is None:
            found.append(Violation("unknown", "hard", f"staff #{a.person_id} is not on the team", a.person_id, a.slot))
            continue
        if a.slot in by_person[a.person_id]:
            found.append(Violation("duplicate", "hard", f"{person.name} is on {slot.label} twice", person.id, a.slot))
        by_person[a.person_id].append(a.slot)
        if slot.role not in person.roles:
            found.append(
                Violation(
                    "role", "hard", f"{person.name} does not work as {slot.role} ({slot.label})", person.id, a.slot
                )
            )
        reason = person.unavailable.get((slot.date, slot.day_part))
        if reason:
            found.append(
                Violation("availability", "hard", f"{person.name} is {reason} ({slot.label})", person.id, a.slot)
            )
    for person_id, mine in by_person.items():
        person = people[person_id]
        slots = sorted(set(mine), key=lambda s: problem.slots[s].start)
        per_day: dict = defaultdict(list)
        for s in slots:
            per_day[problem.slots[s].date].append(s)
        for day_slots in per_day.values():
            if len(day_slots) > rules.max_shifts_per_day:
                found.append(
                    Violation(
                        "one_per_day",
                        "hard",
                        f"{person.name} has {len(day_slots)} shifts on {problem.slots[day_slots[0]].label.split()[0]}"
                        f" (at most {rules.max_shifts_per_day})",
                        person.id,
                        day_slots[-1],
                    )
                )
        for i, s in enumerate(slots):
            for t in slots[i + 1 :]:
                a, b = problem.slots[s], problem.slots[t]
                if a.date == b.date and not (a.start < b.end and b.start < a.end):
                    continue
                if rest_conflict(a, b, rules.min_rest_hours):
                    what = "overlapping shifts" if a.date == b.date else f"under {rules.min_rest_hours:g} h rest"
                    found.append(
                        Violation(
                            "rest", "hard", f"{person.name}: {what} between {a.label} and {b.label}", person.id, t
                        )
                    )
        minutes = sum(problem.slots[s].minutes for s in slots)
        if minutes > person.max_hours * 60 + 1e-6:
            found.append(
                Violation(
                    "max_hours",
                    "hard",
                    f"{person.name} has {minutes / 60:g} h, over their {person.max_hours:g} h",
                    person.id,
                )
            )
        if len(slots) > person.max_shifts:
            found.append(
                Violation(
                    "max_shifts",
                    "hard",
                    f"{person.name} has {len(slots)} shifts, over their {person.max_shifts}",
                    person.id,
                )
            )
        for s in slots:
            if not person.prefers(problem.slots[s]):
                found.append(
                    Violation(
                        "preference",
                        "soft",
                        f"{person.name} prefers {', '.join(sorted(person.preferred_day_parts))}, "
                        f"not {problem.slots[s].day_part}",
                        person.id,
                        s,
                    )
                )
    for index, slot in enumerate(problem.slots):
        count = heads.get(index, 0)
        if count > slot.max_staff:
            found.append(
                Violation(
                    "max_staff",
                    "hard",
                    f"{slot.label} has {count} {slot.role}s, over its {slot.max_staff}",
                    None,
                    index,
                )
            )
        elif count < slot.min_staff:
            found.append(
                Violation(
                    "coverage_min",
                    "soft",
                    f"{slot.label} has {count} {slot.role}s of the {slot.min_staff} it needs",
                    None,
                    index,
                )
            )
        elif count < slot.target:
            found.append(
                Violation(
                    "coverage_target",
                    "soft",
                    f"{slot.label} has {count} {slot.role}s, {slot.target} wanted",
                    None,
                    index,
                )
            )
    found.sort(key=lambda v: v.severity != "hard")
    return found


def hard(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.severity == "hard"]


def slot_candidates(problem: Problem, slot: Slot) -> list[Person]:
    return [p for p in problem.people if slot.role in p.roles]
