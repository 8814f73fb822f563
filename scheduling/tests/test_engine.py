"""The engine in plain Python: hard rules never broken, optimal on small cases, a short week
diagnosed in words, locked shifts kept, and the greedy baseline as the fallback."""

from datetime import date, datetime, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.engine import Locked, Person, Problem, Rules, Slot, solve
from scheduling.engine.diagnosis import diagnose
from scheduling.engine.fairness import coverage, fairness, gini
from scheduling.engine.reasoning import explain
from scheduling.engine.validate import Ledger, hard, validate

MONDAY = date(2026, 12, 7)
PARTS = {"breakfast": (time(7), time(11)), "lunch": (time(11), time(15)), "dinner": (time(17), time(23))}


def slot(day: int, part: str, role: str = "server", minimum: int = 1, target: int | None = None, maximum=None, **kw):
    start, end = PARTS[part]
    when = MONDAY + timedelta(days=day)
    target = minimum if target is None else target
    return Slot(
        date=when,
        day_part=part,
        role=role,
        start=datetime.combine(when, start),
        end=datetime.combine(when, end),
        min_staff=minimum,
        target=target,
        max_staff=maximum if maximum is not None else target + 1,
        **kw,
    )


def person(pid: int, name: str, **kw):
    kw.setdefault("roles", ("server",))
    return Person(id=pid, name=name, **kw)


FAST = Rules(time_limit_seconds=5, workers=2)


def test_two_people_two_slots_each_gets_the_shift_they_prefer_and_the_solver_proves_it():
    problem = Problem(
        slots=(slot(0, "lunch"), slot(0, "dinner")),
        people=(
            person(1, "Ana Lopez", preferred_day_parts=frozenset({"dinner"})),
            person(2, "Ben Brooks", preferred_day_parts=frozenset({"lunch"})),
        ),
        rules=FAST,
    )
    solution = solve(problem, engine="cpsat")
    assert solution.status == "OPTIMAL"
    assert solution.gap == 0
    got = {(problem.slots[a.slot].day_part, a.person_id) for a in solution.assignments}
    assert got == {("lunch", 2), ("dinner", 1)}
    assert fairness(problem, solution.assignments)["preference_score"] == 1.0


def test_close_then_open_is_never_scheduled_and_the_diagnosis_says_why():
    # One person, dinner Monday (ends 23:00) and breakfast Tuesday (07:00): 8 h rest, under the 10 h rule.
    problem = Problem(slots=(slot(0, "dinner"), slot(1, "breakfast")), people=(person(1, "Ana Lopez"),), rules=FAST)
    for engine in ("cpsat", "greedy"):
        solution = solve(problem, engine=engine)
        assert len(solution.assignments) == 1
        assert hard(validate(problem, solution.assignments)) == []
        [short] = diagnose(problem, solution.assignments)
        assert "needs 1 server; 0 scheduled: Ana would get under 10 h rest after" in short.message


def test_short_week_is_explained_in_words_and_the_best_partial_schedule_kept():
    saturday = MONDAY + timedelta(days=5)
    problem = Problem(
        slots=(slot(4, "dinner", minimum=1, maximum=1), slot(5, "dinner", minimum=3, target=3, prime=True)),
        people=(
            person(1, "Ana Lopez", unavailable={(saturday, "dinner"): "on approved time off (Vacation)"}),
            person(2, "Ben Brooks", max_hours=6),
            person(
                3, "Cara Chen", unavailable={(saturday - timedelta(days=1), "dinner"): "not available Friday dinner"}
            ),
            person(4, "Dan Dubois", roles=("host",)),
        ),
        locked=(Locked(2, saturday - timedelta(days=1), "dinner", "server"),),
        rules=FAST,
    )
    for engine in ("cpsat", "greedy"):
        solution = solve(problem, engine=engine)
        assert hard(validate(problem, solution.assignments)) == []
        # Never an empty schedule: Ben keeps Friday, Cara takes Saturday.
        assert {(a.person_id, a.slot) for a in solution.assignments} == {(2, 0), (3, 1)}
        [short] = diagnose(problem, solution.assignments)
        assert short.message == (
            "Saturday dinner needs 3 servers; 1 scheduled: "
            "Ana is on approved time off (Vacation), Ben is at 6 h of 6 h."
            " To fill it: ask who could come in, or move the time off; allow more hours for someone."
        )
        assert [r["staff_id"] for r in short.reasons] == [1, 2]  # Dan is no server: not a reason


def test_locked_shift_is_kept_even_when_the_engine_would_choose_otherwise():
    problem = Problem(
        slots=(slot(0, "dinner"),),
        people=(
            person(1, "Ana Lopez", preferred_day_parts=frozenset({"dinner"})),
            person(2, "Ben Brooks", preferred_day_parts=frozenset({"lunch"})),
        ),
        locked=(Locked(2, MONDAY, "dinner", "server"),),
        rules=FAST,
    )
    for engine in ("cpsat", "greedy"):
        solution = solve(problem, engine=engine)
        assert [(a.person_id, a.locked) for a in solution.assignments] == [(2, True)]


def test_cp_sat_finding_nothing_in_its_time_falls_back_to_greedy():
    slots = tuple(slot(d, part, minimum=2, target=3) for d in range(7) for part in ("lunch", "dinner"))
    people = tuple(person(i, f"P{i} X", max_hours=24, min_hours=8) for i in range(12))
    problem = Problem(slots=slots, people=people, rules=Rules(time_limit_seconds=0, workers=1))
    solution = solve(problem, engine="cpsat")
    assert (solution.engine, solution.status) == ("greedy", "FALLBACK")
    assert "CP-SAT ended" in solution.notes[0]
    assert solution.assignments and hard(validate(problem, solution.assignments)) == []


def test_cp_sat_meets_the_minimums_that_greedy_spends_early():
    # Greedy fills Monday first with the only person who can also work Saturday, whose hours then run out.
    problem = Problem(
        slots=(slot(0, "dinner"), slot(5, "dinner")),
        people=(
            person(1, "Ana Lopez", max_hours=6, min_hours=6),
            person(
                2, "Ben Brooks", unavailable={(MONDAY + timedelta(days=5), "dinner"): "not available Saturday dinner"}
            ),
        ),
        rules=FAST,
    )
    greedy = solve(problem, engine="greedy")
    cpsat = solve(problem, engine="cpsat")
    assert coverage(problem, greedy.assignments)["shortfall_hours"] == 6
    assert coverage(problem, cpsat.assignments)["shortfall_hours"] == 0


def test_tier_mix_puts_a_strong_server_on_the_busy_shift():
    problem = Problem(
        slots=(slot(4, "dinner", busy=True), slot(3, "dinner")),
        people=(person(1, "Ana Lopez", tier="strong"), person(2, "Ben Brooks", tier="developing")),
        rules=FAST,
    )
    solution = solve(problem, engine="cpsat")
    busy = [a.person_id for a in solution.assignments if a.slot == 0]
    assert busy == [1]
    reasons = explain(problem, solution.assignments)
    mine = next(r for a, r in zip(solution.assignments, reasons, strict=True) if a.slot == 0)
    assert mine.factors["tier_mix"] and "strong server" in mine.summary


def test_every_assignment_gets_a_reason_that_names_why():
    problem = Problem(
        slots=(slot(0, "dinner", minimum=2),),
        people=(
            person(1, "Ana Lopez", preferred_day_parts=frozenset({"dinner"})),
            person(2, "Ben Brooks"),
            person(3, "Cara Chen", max_hours=0),
        ),
        rules=FAST,
    )
    solution = solve(problem, engine="cpsat")
    reasons = explain(problem, solution.assignments)
    assert len(reasons) == 2
    ana = next(r for a, r in zip(solution.assignments, reasons, strict=True) if a.person_id == 1)
    assert ana.summary.startswith("Ana is available Monday dinner; prefers dinner; needed for coverage")
    assert ana.alternatives == [{"staff_id": 3, "name": "Cara Chen", "why_not": "Cara is at 0 h of 0 h"}]


def test_gini_of_equal_hours_is_zero_and_of_one_person_with_all_is_high():
    assert gini([10, 10, 10]) == 0
    assert round(gini([0, 0, 0, 30]), 2) == 0.75


@st.composite
def problems(draw):
    n_people = draw(st.integers(1, 6))
    roles = ("server", "host")
    people = []
    for i in range(n_people):
        own = draw(st.sampled_from(roles))
        extra = draw(st.sets(st.sampled_from(roles), max_size=1))
        off = draw(st.sets(st.tuples(st.integers(0, 3), st.sampled_from(list(PARTS))), max_size=3))
        max_hours = draw(st.integers(0, 30))
        people.append(
            Person(
                id=i + 1,
                name=f"P{i} Q",
                roles=tuple({own, *extra}),
                tier=draw(st.sampled_from(["strong", "standard"])),
                min_hours=draw(st.integers(0, max_hours)),
                max_hours=max_hours,
                max_shifts=draw(st.integers(0, 4)),
                preferred_day_parts=frozenset(draw(st.sets(st.sampled_from(list(PARTS)), max_size=2))),
                unavailable={(MONDAY + timedelta(days=d), p): "off" for d, p in off},
            )
        )
    slots = []
    for day in range(4):
        for part in PARTS:
            for role in roles:
                if draw(st.booleans()):
                    minimum = draw(st.integers(0, 3))
                    target = minimum + draw(st.integers(0, 1))
                    slots.append(
                        slot(day, part, role, minimum, target, target + draw(st.integers(0, 1)), prime=day == 3)
                    )
    per_day = draw(st.integers(1, 2))
    return Problem(
        slots=tuple(slots),
        people=tuple(people),
        rules=Rules(time_limit_seconds=2, workers=2, max_shifts_per_day=per_day),
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_no_engine_ever_breaks_a_hard_rule(problem):
    for engine in ("cpsat", "greedy"):
        solution = solve(problem, engine=engine)
        assert hard(validate(problem, solution.assignments)) == [], engine
        # Whatever is short is diagnosed, one sentence per short slot.
        shorts = diagnose(problem, solution.assignments)
        assert len(shorts) == coverage(problem, solution.assignments)["slots_short"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_cp_sat_is_never_shorter_than_greedy_below_the_minimums(problem):
    greedy = coverage(problem, solve(problem, engine="greedy").assignments)["shortfall_hours"]
    cpsat_solution = solve(problem, engine="cpsat")
    if cpsat_solution.status == "OPTIMAL":
        assert coverage(problem, cpsat_solution.assignments)["shortfall_hours"] <= greedy


def test_ledger_names_every_blocker_of_an_assignment():
    problem = Problem(
        slots=(slot(0, "lunch"), slot(0, "dinner")), people=(person(1, "Ana Lopez", roles=("host",), max_shifts=1),)
    )
    ledger = Ledger(problem)
    ledger.add(1, 0)
    rules = {rule for rule, _ in ledger.blockers(problem.people[0], 1)}
    assert rules == {"role", "one_per_day", "max_shifts"}
