"""Rule-based insights: strengths, areas to improve and concrete suggestions from the z-scores.

Used when no LLM is configured, and as the fallback whenever the LLM fails (timeout, error, bad JSON):
a manager always gets something specific to the person, labelled with where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from staff.engine.metrics import METRICS_BY_KEY, Metrics, format_value

STRENGTH_Z = 0.5
WEAK_Z = -0.5
MAX_ITEMS = 3

SUGGESTIONS = {
    "sales_per_cover": "Walk guests through two premium dishes at the order and suggest a pairing with the entree.",
    "tip_pct": "Check back within two minutes of the food landing and use the guest's name when presenting the check.",
    "covers_per_hour": "Ask the host for a tighter section on busy nights and pre-bus as you pass tables.",
    "turn_ratio": "Fire entrees as soon as starters clear and drop the check with dessert menus put away.",
    "upsell_per_cover": "Offer a drink on greeting, a shared appetizer with the order and dessert before clearing.",
    "void_rate": "Repeat the order back before sending it, and ring modifiers rather than voiding and re-ringing.",
    "discount_rate": "Bring a manager in before comping, and log the reason so patterns can be fixed at the source.",
}
STRENGTH_WORDS = {
    "sales_per_cover": "Sells well: {value} per cover, above the team",
    "tip_pct": "Guests tip well: {value} of sales",
    "covers_per_hour": "Handles volume: {value} covers per hour worked",
    "turn_ratio": "Turns tables efficiently: {value} of the usual time for the party size",
    "upsell_per_cover": "Strong upselling: {value} drinks, starters and desserts per cover",
    "void_rate": "Clean orders: {value} of lines voided",
    "discount_rate": "Rarely discounts: {value} of sales",
}
WEAK_WORDS = {
    "sales_per_cover": "Sales per cover ({value}) trail the team",
    "tip_pct": "Tip percentage ({value}) is below the team's",
    "covers_per_hour": "Covers per hour ({value}) are below the team's",
    "turn_ratio": "Tables turn slowly: {value} of the usual time for the party size",
    "upsell_per_cover": "Few add-ons: {value} drinks, starters and desserts per cover",
    "void_rate": "More voided lines than most ({value})",
    "discount_rate": "Discounts more than most ({value} of sales)",
}


@dataclass(frozen=True)
class InsightSet:
    """What the dashboards show as insights, and where it came from."""

    strengths: list[str] = field(default_factory=list)
    areas_to_improve: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    score: float | None = None  # 0-100, from an LLM only


def rule_insights(metrics: Metrics, z: dict[str, float]) -> InsightSet:
    """Strengths where z >= +0.5, areas where z <= -0.5 (three of each at most, strongest first), and a
    suggestion for each area; a member near the middle everywhere gets that said plainly."""
    ranked = sorted(z.items(), key=lambda item: -item[1])
    strengths = [
        STRENGTH_WORDS[key].format(value=format_value(key, metrics.value(key))) + f" (+{value:.1f} sd)."
        for key, value in ranked
        if value >= STRENGTH_Z
    ][:MAX_ITEMS]
    weak = [(key, value) for key, value in reversed(ranked) if value <= WEAK_Z][:MAX_ITEMS]
    areas = [
        WEAK_WORDS[key].format(value=format_value(key, metrics.value(key))) + f" ({value:.1f} sd)."
        for key, value in weak
    ]
    suggestions = [SUGGESTIONS[key] for key, _ in weak]
    if not z:
        return InsightSet(
            areas_to_improve=["Not enough closed checks in the period to compare with the team."],
            suggestions=["Work a few more shifts in a section with steady traffic; insights follow with data."],
        )
    if not strengths and ranked:
        key, value = ranked[0]
        strengths = [f"Best relative measure: {METRICS_BY_KEY[key].label} ({value:+.1f} sd), close to the team."]
    if not areas:
        key, value = ranked[-1]
        areas = [f"No measure clearly below the team; the lowest is {METRICS_BY_KEY[key].label} ({value:+.1f} sd)."]
        suggestions = [SUGGESTIONS[key]]
    return InsightSet(strengths=strengths, areas_to_improve=areas, suggestions=suggestions)
