"""When a week's minimums cannot be met: which slot, and why, in words a manager acts on.

"Saturday dinner needs 6 servers; 4 are scheduled: Ana is on approved time off, Ben is at 40 h of
40 h." Each reason comes from the same rule checks the engine and the validator use (`Ledger`)."""

from __future__ import annotations

from dataclasses import dataclass

from scheduling.engine.problem import Assignment, Problem
from scheduling.engine.validate import ledger_of

SUGGESTIONS = {
    "availability": "ask who could come in, or move the time off",
    "max_hours": "allow more hours for someone",
    "max_shifts": "allow one more shift for someone",
    "one_per_day": "allow a double shift",
    "rest": "shorten the rest rule or swap a closing shift",
    "role": "train someone else for the role",
}


@dataclass(frozen=True)
class Shortfall:
    slot: int
    needed: int
    scheduled: int
    message: str
    reasons: tuple[dict, ...]

    def as_dict(self, problem: Problem) -> dict:
        slot = problem.slots[self.slot]
        return {
            "slot": self.slot,
            "date": slot.date.isoformat(),
            "day_part": slot.day_part,
            "role": slot.role,
            "needed": self.needed,
            "scheduled": self.scheduled,
            "message": self.message,
            "reasons": list(self.reasons),
        }


def plural(role: str, n: int) -> str:
    return role if n == 1 else f"{role}s"


def diagnose(problem: Problem, assignments: list[Assignment]) -> list[Shortfall]:
    """One `Shortfall` for every slot below its minimum, with each qualified person's reason."""
    ledger = ledger_of(problem, assignments)
    out = []
    for i, slot in enumerate(problem.slots):
        scheduled = len(ledger.heads.get(i, []))
        if scheduled >= slot.min_staff:
            continue
        reasons = []
        for person in problem.people:
            if slot.role not in person.roles or person.id in ledger.heads.get(i, []):
                continue
            blockers = [b for b in ledger.blockers(person, i) if b[0] != "max_staff"]
            if blockers:
                rule, words = blockers[0]
                reasons.append({"staff_id": person.id, "rule": rule, "text": words})
            else:
                reasons.append({"staff_id": person.id, "rule": "free", "text": f"{person.first_name} is free"})
        qualified = len(reasons) + scheduled
        head = f"{slot.label} needs {slot.min_staff} {plural(slot.role, slot.min_staff)}; {scheduled} scheduled"
        if qualified == scheduled:
            text = f"{head}, and nobody else works as {slot.role}."
        else:
            shown = [r["text"] for r in reasons[:6]]
            more = f" and {len(reasons) - 6} more" if len(reasons) > 6 else ""
            text = f"{head}: {', '.join(shown)}{more}."
        rules_hit = {r["rule"] for r in reasons}
        tips = [
            SUGGESTIONS[r] for r in ("availability", "max_hours", "max_shifts", "one_per_day", "rest") if r in rules_hit
        ]
        if tips:
            text += f" To fill it: {'; '.join(tips[:2])}."
        out.append(Shortfall(i, slot.min_staff, scheduled, text, tuple(reasons)))
    return out
