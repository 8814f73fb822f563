"""Writes on staff, one module per concern:

- time_clock: clock in and out, breaks, the host's rotation overrides
- metrics: MetricsAggregator (30-day figures and their snapshots)
- tiers: TierCalculator (scores, tiers with reasons) and a manager's tier lock
- llm: LLMScorer (insights from an LLM, rules when it fails or is not configured)
- jobs: TierRecalculationJob, the weekly dispatcher, requesting a job
- dashboard: DashboardService (reads a staff member's page together)

The time-clock services are re-exported here, as they were before the package split."""

from staff.services.time_clock import (
    MAX_ROTATION_OFFSET,
    break_end,
    break_start,
    server_cut,
    server_move_in_rotation,
    server_skip_once,
    server_uncut,
    shift_clock_in,
    shift_clock_out,
)

__all__ = [
    "MAX_ROTATION_OFFSET",
    "break_end",
    "break_start",
    "server_cut",
    "server_move_in_rotation",
    "server_skip_once",
    "server_uncut",
    "shift_clock_in",
    "shift_clock_out",
]
