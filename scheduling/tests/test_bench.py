"""The scheduling benchmark, small, as CI runs it: it prints its figures with one JSON object last,
CP-SAT does no worse than greedy on shortfall and fairness, and the forecast beats seasonal-naive."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_small_prints_json_last_and_cp_sat_is_not_worse_than_greedy():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_scheduling.py"), "--small", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert [run["instance"] for run in figures["runs"]] == ["demo", "40"]
    for run in figures["runs"]:
        greedy, cpsat = run["greedy"], run["cpsat"]
        assert greedy["hard_violations"] == cpsat["hard_violations"] == 0
        assert cpsat["status"] in ("OPTIMAL", "FEASIBLE")
        assert cpsat["shortfall_hours"] <= greedy["shortfall_hours"]
        assert cpsat["hours_gini"] <= greedy["hours_gini"]
    assert figures["forecast"]["mape"] < figures["forecast"]["mape_naive"]
