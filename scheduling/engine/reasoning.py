"""A short reason for every shift the engine gave: available, preferred, needed for coverage, tier
mix, fairness, kept from last week, locked. Rule-based words; the service may have an LLM reword them."""

from __future__ import annotations

from dataclasses import dataclass

from scheduling.engine.fairness import hours_by_person
from scheduling.engine.problem import Assignment, Problem
from scheduling.engine.validate import ledger_of


@dataclass(frozen=True)
class Reason:
    summary: str
    factors: dict
    alternatives: list


def explain(problem: Problem, assignments: list[Assignment]) -> list[Reason]:
    """One Reason per assignment, in the same order."""
    hours = hours_by_person(problem, assignments)
    heads: dict[int, list[int]] = {}
    for a in assignments:
        heads.setdefault(a.slot, []).append(a.person_id)
    ledger = ledger_of(problem, assignments)
    out = []
    for a in assignments:
        slot = problem.slots[a.slot]
        person = problem.person(a.person_id)
        name = person.first_name
        count = len(heads[a.slot])
        parts = []
        factors = {
            "available": (slot.date, slot.day_part) not in person.unavailable,
            "preferred": bool(person.preferred_day_parts) and slot.day_part in person.preferred_day_parts,
            "coverage": count <= slot.min_staff,
            "tier_mix": False,
            "fairness": False,
            "stability": (slot.date.weekday(), slot.day_part, slot.role) in person.previous,
            "locked": a.locked,
        }
        if a.locked:
            parts.append("locked by a manager")
        else:
            parts.append(f"{name} is available {slot.label}")
        if factors["preferred"]:
            parts.append(f"prefers {slot.day_part}")
        if factors["coverage"]:
            parts.append(f"needed for coverage ({count} of the {slot.min_staff} minimum)")
        elif count <= slot.target:
            parts.append(f"brings {slot.role}s to the target of {slot.target}")
        if slot.busy and person.tier == "strong":
            strong = [p for p in heads[a.slot] if problem.person(p).tier == "strong"]
            if strong and strong[0] == person.id:
                factors["tier_mix"] = True
                parts.append("the strong server this busy shift needs")
        h = hours[person.id]
        if person.min_hours and h <= person.min_hours + slot.hours:
            factors["fairness"] = True
            parts.append(f"keeps {name} near the {person.min_hours:g} h asked for ({h:g} h)")
        if factors["stability"]:
            parts.append("same shift as last week")
        summary = "; ".join(parts)
        summary = summary[0].upper() + summary[1:]
        alternatives = []
        for other in problem.people:
            if other.id in heads[a.slot] or slot.role not in other.roles:
                continue
            blockers = [b for b in ledger.blockers(other, a.slot) if b[0] != "max_staff"]
            why = blockers[0][1] if blockers else f"{other.first_name} was free; {name} fit the week better"
            alternatives.append({"staff_id": other.id, "name": other.name, "why_not": why})
            if len(alternatives) == 3:
                break
        out.append(Reason(summary[:300], factors, alternatives))
    return out
