"""Every write of scheduling, and the engine's services (the original system's names kept)."""

from scheduling.services.planning import (
    ConstraintValidator,
    DemandForecaster,
    FairnessCalculator,
    ScheduleReasoningGenerator,
    SchedulingEngine,
    schedule_run_claim,
    schedule_run_create,
    schedule_run_execute,
)
from scheduling.services.schedules import (
    schedule_check,
    schedule_create,
    schedule_delete,
    schedule_item_add,
    schedule_item_change,
    schedule_item_remove,
    schedule_publish,
)
from scheduling.services.time_off import time_off_change, time_off_request

__all__ = [
    "ConstraintValidator",
    "DemandForecaster",
    "FairnessCalculator",
    "ScheduleReasoningGenerator",
    "SchedulingEngine",
    "schedule_check",
    "schedule_create",
    "schedule_delete",
    "schedule_item_add",
    "schedule_item_change",
    "schedule_item_remove",
    "schedule_publish",
    "schedule_run_claim",
    "schedule_run_create",
    "schedule_run_execute",
    "time_off_change",
    "time_off_request",
]
