"""Staff performance in plain Python and numpy (no Django): metrics from aggregates, z-scores with
shrinkage, the composite and tiers, the reasons in words, rule-based insights and the LLM's JSON.

Services turn rows into `Aggregates` (staff/selectors.py), call these functions, and write the results;
the benchmarks and the simulator's skill check call them the same way."""

from staff.engine.insights import InsightSet, rule_insights
from staff.engine.llm import LLMResponseInvalid, build_messages, extract_json, parse_llm_insights
from staff.engine.metrics import METRICS, Aggregates, Metrics, MetricSpec, derive
from staff.engine.tiers import (
    DEFAULT_WEIGHTS,
    ScoredMember,
    TierPolicy,
    reason_sentence,
    score_group,
    spearman,
)

__all__ = [
    "DEFAULT_WEIGHTS",
    "METRICS",
    "Aggregates",
    "InsightSet",
    "LLMResponseInvalid",
    "MetricSpec",
    "Metrics",
    "ScoredMember",
    "TierPolicy",
    "build_messages",
    "derive",
    "extract_json",
    "parse_llm_insights",
    "reason_sentence",
    "rule_insights",
    "score_group",
    "spearman",
]
