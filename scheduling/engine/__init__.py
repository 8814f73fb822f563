"""The scheduling engine in plain Python (no Django): the week as data (`problem`), the CP-SAT
optimiser and the greedy baseline, the rule checks, fairness figures, the diagnosis of unmet
minimums, reasons per shift and the demand forecast."""

from scheduling.engine.cpsat import solve_cpsat
from scheduling.engine.greedy import solve_greedy
from scheduling.engine.problem import Assignment, Locked, Person, Problem, Rules, Slot, Solution

ENGINES = {"cpsat": solve_cpsat, "greedy": solve_greedy}


def solve(problem: Problem, *, engine: str = "cpsat", progress=None) -> Solution:
    return ENGINES[engine](problem, progress=progress)


__all__ = ["ENGINES", "Assignment", "Locked", "Person", "Problem", "Rules", "Slot", "Solution", "solve"]
