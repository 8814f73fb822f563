"""Tiers from metrics: z-scores within a peer group, shrinkage, a weighted composite and cut-offs.

For one peer group (one restaurant, one role):

1. Each scored metric is z-scored against the group, with the mean and standard deviation weighted by
   shifts worked, so a one-shift newcomer's extreme night barely moves the yardstick for everyone else.
   Lower-is-better metrics (turn time, voids, discounts) flip sign, so +z is always good; z is capped at
   +-3, and a metric on which everyone is alike is left out.
2. The composite is the weighted mean of the z-scores the member has (a metric with no data is left out
   and the weights renormalised). An LLM score, when given, joins with a bounded weight.
3. Shrinkage: the composite is multiplied by n / (n + k), n the shifts worked and k the policy's
   `shrinkage_shifts`: with k = 6, 2 shifts keep a quarter of the score, 18 shifts three quarters. One
   lucky night cannot make a strong tier.
4. Tier: strong at or above `strong_cutoff`, developing at or below `developing_cutoff`, standard
   between. With `hysteresis` h, a member keeps their previous tier until the score crosses the cut-off
   by h, so a score hovering at the line does not flip the tier every week.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from staff.engine.metrics import METRICS, METRICS_BY_KEY, Metrics

STRONG, STANDARD, DEVELOPING = "strong", "standard", "developing"

DEFAULT_WEIGHTS: dict[str, float] = {
    "sales_per_cover": 0.25,
    "tip_pct": 0.20,
    "upsell_per_cover": 0.20,
    "covers_per_hour": 0.15,
    "turn_ratio": 0.10,
    "void_rate": 0.05,
    "discount_rate": 0.05,
}
MAX_LLM_WEIGHT = 0.3
Z_CAP = 3.0  # a z beyond +-3 is an outlier night, not three times the evidence
LLM_Z_CAP = 2.0


@dataclass(frozen=True)
class TierPolicy:
    """How a restaurant turns metrics into tiers (staff.models.TierSettings holds each restaurant's)."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    strong_cutoff: float = 0.5
    developing_cutoff: float = -0.5
    shrinkage_shifts: float = 6.0
    hysteresis: float = 0.1
    llm_weight: float = 0.1

    def __post_init__(self):
        unknown = set(self.weights) - set(METRICS_BY_KEY)
        if unknown:
            raise ValueError(f"unknown metrics in weights: {', '.join(sorted(unknown))}")
        if any(weight < 0 for weight in self.weights.values()) or not any(self.weights.values()):
            raise ValueError("weights must be non-negative and not all zero")
        if self.developing_cutoff >= self.strong_cutoff:
            raise ValueError("developing_cutoff must be below strong_cutoff")
        if self.shrinkage_shifts < 0 or self.hysteresis < 0:
            raise ValueError("shrinkage_shifts and hysteresis must be non-negative")
        if not 0 <= self.llm_weight <= MAX_LLM_WEIGHT:
            raise ValueError(f"llm_weight must be within 0..{MAX_LLM_WEIGHT}")


@dataclass(frozen=True)
class ScoredMember:
    """One member's outcome: z per metric (raw, before shrinkage), the shrunk composite and the tier."""

    staff_id: int
    shifts: int
    z: dict[str, float]  # metric -> z (sign flipped for lower-is-better), metrics with data only
    raw_composite: float
    shrink: float
    score: float
    tier: str
    llm_score: float | None = None
    held: bool = False  # the tier the cut-offs alone would give differs: hysteresis kept the previous one

    @property
    def components(self) -> dict:
        return {
            "z": {key: round(value, 3) for key, value in self.z.items()},
            "raw_composite": round(self.raw_composite, 3),
            "shrink": round(self.shrink, 3),
            "shifts": self.shifts,
            "llm_score": self.llm_score,
            "held": self.held,
        }


def _weighted_stats(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    total = weights.sum()
    if total <= 0:
        return float(values.mean()), float(values.std())
    mean = float((values * weights).sum() / total)
    var = float((weights * (values - mean) ** 2).sum() / total)
    return mean, var**0.5


def z_scores(members: list[Metrics], key: str) -> dict[int, float]:
    """z of one metric for the members with data, the sign making + good, capped at +-Z_CAP; {} with fewer
    than 2 members or no spread."""
    have = [m for m in members if m.value(key) is not None and m.shifts > 0]
    if len(have) < 2:
        return {}
    values = np.array([m.value(key) for m in have], dtype=float)
    weights = np.array([m.shifts for m in have], dtype=float)
    mean, std = _weighted_stats(values, weights)
    if std < 1e-12:
        return {}  # everyone alike: the metric says nothing about anyone, and is left out of the composite
    sign = 1.0 if METRICS_BY_KEY[key].higher_is_better else -1.0
    z = np.clip(sign * (values - mean) / std, -Z_CAP, Z_CAP)
    return {m.staff_id: float(v) for m, v in zip(have, z, strict=True)}


def _tier_for(score: float, previous: str | None, policy: TierPolicy) -> str:
    h = policy.hysteresis
    if previous == STRONG and score >= policy.strong_cutoff - h:
        return STRONG
    if previous == DEVELOPING and score <= policy.developing_cutoff + h:
        return DEVELOPING
    if score >= policy.strong_cutoff + (h if previous not in (None, STRONG) else 0):
        return STRONG
    if score <= policy.developing_cutoff - (h if previous not in (None, DEVELOPING) else 0):
        return DEVELOPING
    return STANDARD


def score_group(
    members: list[Metrics],
    policy: TierPolicy | None = None,
    *,
    previous: dict[int, str] | None = None,
    llm_scores: dict[int, float] | None = None,
    shrink: bool = True,
) -> list[ScoredMember]:
    """Score one peer group (same restaurant and role). Members with no shifts get no score (left out)."""
    policy = policy or TierPolicy()
    previous = previous or {}
    llm_scores = llm_scores or {}
    z_by_metric = {spec.key: z_scores(members, spec.key) for spec in METRICS if policy.weights.get(spec.key)}
    out = []
    for member in members:
        if member.shifts <= 0:
            continue
        z = {key: zs[member.staff_id] for key, zs in z_by_metric.items() if member.staff_id in zs}
        weight_sum = sum(policy.weights[key] for key in z)
        raw = sum(policy.weights[key] * value for key, value in z.items()) / weight_sum if weight_sum else 0.0
        llm = llm_scores.get(member.staff_id)
        if llm is not None and policy.llm_weight:
            llm_z = max(-LLM_Z_CAP, min(LLM_Z_CAP, (llm - 50.0) / 25.0))
            raw = (1 - policy.llm_weight) * raw + policy.llm_weight * llm_z
        factor = member.shifts / (member.shifts + policy.shrinkage_shifts) if shrink else 1.0
        score = max(-10.0, min(10.0, raw * factor))
        tier = _tier_for(score, previous.get(member.staff_id), policy)
        held = tier != _tier_for(score, None, policy)
        out.append(ScoredMember(member.staff_id, member.shifts, z, raw, factor, score, tier, llm, held))
    return out


def reason_sentence(scored: ScoredMember, *, top: int = 2) -> str:
    """Why the tier, in words: "strong: sales per cover +1.4 sd, tip % +0.9 sd over 18 shifts"."""
    drivers = sorted(scored.z.items(), key=lambda item: -abs(item[1]))
    if scored.tier == STRONG:
        drivers = [item for item in drivers if item[1] > 0] or drivers
    elif scored.tier == DEVELOPING:
        drivers = [item for item in drivers if item[1] < 0] or drivers
    parts = [f"{METRICS_BY_KEY[key].label} {value:+.1f} sd" for key, value in drivers[:top]]
    shifts = f"{scored.shifts} shift{'s' if scored.shifts != 1 else ''}"
    text = f"{scored.tier}: {', '.join(parts) or 'no metric with a spread yet'} over {shifts}"
    if scored.shrink < 0.5:
        text += f" (only {shifts}: score held near the middle, x{scored.shrink:.2f})"
    if scored.held:
        text += f"; kept {scored.tier}: score {scored.score:+.2f} within the margin of the cut-off"
    if scored.llm_score is not None:
        text += f"; LLM score {scored.llm_score:.0f}"
    return text[:200]


def spearman(a: list[float], b: list[float]) -> float:
    """Spearman's rank correlation (average ranks for ties), for the skill check and the benchmark."""
    if len(a) != len(b) or len(a) < 2:
        raise ValueError("need two equally long lists of at least 2 values")

    def ranks(values):
        values = np.asarray(values, dtype=float)
        order = values.argsort(kind="mergesort")
        ranked = np.empty(len(values))
        ranked[order] = np.arange(len(values), dtype=float)
        for value in np.unique(values):
            same = values == value
            ranked[same] = ranked[same].mean()
        return ranked

    ra, rb = ranks(a), ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])
