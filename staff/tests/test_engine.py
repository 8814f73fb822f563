"""The pure core: metrics from sums, z-scores with shrinkage, tiers with hysteresis, reasons, rule-based
insights and reading an LLM's JSON. No database."""

import pytest

from staff.engine import (
    Aggregates,
    LLMResponseInvalid,
    ScoredMember,
    TierPolicy,
    derive,
    extract_json,
    parse_llm_insights,
    reason_sentence,
    rule_insights,
    score_group,
    spearman,
)
from staff.engine.tiers import _tier_for, z_scores


def member(staff_id, *, shifts=20, sales_per_cover=50.0, tip=0.18, upsell=1.5, covers=200, role="server"):
    sales = sales_per_cover * covers
    return derive(
        Aggregates(
            staff_id=staff_id,
            role=role,
            shifts=shifts,
            hours=covers / 5.0,  # five covers an hour for everyone unless a test says otherwise
            visits=covers // 2,
            covers=covers,
            sales=sales,
            tips=sales * tip,
            turn_minutes=(covers // 2) * 70.0,
            turn_ratio_sum=covers // 2,
            items={"alcohol": int(upsell * covers)},
            lines=covers * 3,
        )
    )


def test_derive_divides_the_sums_and_leaves_no_data_as_none():
    metrics = derive(
        Aggregates(
            staff_id=1,
            shifts=2,
            hours=10,
            visits=4,
            covers=10,
            sales=500,
            tips=90,
            discounts=25,
            turn_minutes=280,
            turn_ratio_sum=4.4,
            items={"drink": 3, "alcohol": 5, "appetizer": 2, "dessert": 4, "entree": 10},
            lines=30,
            voided_lines=3,
        )
    )
    assert metrics.sales_per_cover == 50
    assert metrics.tip_pct == pytest.approx(0.18)
    assert metrics.covers_per_hour == 1
    assert metrics.avg_turn_minutes == 70
    assert metrics.turn_ratio == pytest.approx(1.1)
    assert metrics.alcohol_attach_rate == 0.5
    assert metrics.upsell_per_cover == pytest.approx(1.4)  # entrees are not upsells
    assert metrics.void_rate == 0.1
    assert metrics.discount_rate == pytest.approx(25 / 525)
    empty = derive(Aggregates(staff_id=2))
    assert empty.sales_per_cover is None and empty.tip_pct is None and empty.covers_per_hour is None


def test_z_scores_flip_lower_is_better_metrics_and_need_a_spread():
    a, b = member(1), member(2)
    a = derive(Aggregates(staff_id=1, shifts=5, visits=10, turn_ratio_sum=8, covers=20, sales=100))
    b = derive(Aggregates(staff_id=2, shifts=5, visits=10, turn_ratio_sum=12, covers=20, sales=100))
    z = z_scores([a, b], "turn_ratio")
    assert z[1] == pytest.approx(1.0) and z[2] == pytest.approx(-1.0)  # quicker turns score higher
    assert z_scores([a, b], "sales_per_cover") == {}  # no spread: left out of the composite
    assert z_scores([a], "sales_per_cover") == {}


def test_one_lucky_night_does_not_make_a_strong_tier():
    team = [member(i, sales_per_cover=48 + i, tip=0.17 + i / 1000) for i in range(1, 7)]
    lucky = member(99, shifts=1, sales_per_cover=90, tip=0.26, upsell=2.6, covers=12)
    steady = member(98, shifts=22, sales_per_cover=62, tip=0.21, upsell=1.9)
    scored = {s.staff_id: s for s in score_group([*team, lucky, steady])}
    assert scored[99].raw_composite > scored[98].raw_composite  # the best night on paper...
    assert scored[99].tier == "standard"  # ...shrunk by 1/(1+6), stays in the middle
    assert scored[98].tier == "strong"
    unshrunk = {s.staff_id: s for s in score_group([*team, lucky, steady], shrink=False)}
    assert unshrunk[99].tier == "strong"


def test_hysteresis_keeps_a_tier_hovering_at_the_line():
    policy = TierPolicy(hysteresis=0.2)  # cut-offs +0.5 and -0.5
    assert _tier_for(0.45, None, policy) == "standard"
    assert _tier_for(0.55, None, policy) == "strong"  # a first tier needs no margin
    assert _tier_for(0.55, "standard", policy) == "standard"  # crossing needs the margin...
    assert _tier_for(0.75, "standard", policy) == "strong"
    assert _tier_for(0.35, "strong", policy) == "strong"  # ...and so does falling back
    assert _tier_for(0.25, "strong", policy) == "standard"
    assert _tier_for(-0.65, "developing", policy) == "developing"
    assert _tier_for(-0.35, "developing", policy) == "developing"
    assert _tier_for(-0.25, "developing", policy) == "standard"
    assert _tier_for(-0.65, "standard", policy) == "standard"
    assert _tier_for(-0.75, "standard", policy) == "developing"


def test_a_member_without_shifts_is_not_scored_and_an_llm_score_has_a_bounded_pull():
    team = [member(1, sales_per_cover=40), member(2, sales_per_cover=60), member(3, shifts=0)]
    plain = {s.staff_id: s for s in score_group(team)}
    assert set(plain) == {1, 2}
    pulled = {s.staff_id: s for s in score_group(team, TierPolicy(llm_weight=0.3), llm_scores={1: 100.0})}
    # llm 100 -> z capped at +2, with weight 0.3
    assert pulled[1].raw_composite == pytest.approx(0.7 * plain[1].raw_composite + 0.3 * 2.0)
    assert pulled[2].raw_composite == pytest.approx(plain[2].raw_composite)  # no LLM score: unchanged
    with pytest.raises(ValueError):
        TierPolicy(llm_weight=0.5)
    with pytest.raises(ValueError):
        TierPolicy(weights={"charm": 1.0})
    with pytest.raises(ValueError):
        TierPolicy(strong_cutoff=-1, developing_cutoff=0)


def test_reason_names_the_metrics_that_drove_the_tier_and_the_shifts():
    team = [member(i, sales_per_cover=45 + i) for i in range(1, 6)]
    star = member(9, shifts=18, sales_per_cover=70)
    scored = {s.staff_id: s for s in score_group([*team, star])}
    text = reason_sentence(scored[9])
    assert text.startswith("strong: ")
    assert "sales per cover +" in text and "sd" in text and "over 18 shifts" in text
    rookie = {s.staff_id: s for s in score_group([*team, member(8, shifts=1, sales_per_cover=30)])}[8]
    assert "only 1 shift" in reason_sentence(rookie)


def test_rule_insights_name_strengths_areas_and_concrete_suggestions():
    metrics = member(1, sales_per_cover=70, tip=0.12)
    insights = rule_insights(metrics, {"sales_per_cover": 1.4, "tip_pct": -1.2, "covers_per_hour": 0.1})
    assert insights.strengths[0].startswith("Sells well: $70.00 per cover")
    assert insights.areas_to_improve[0].startswith("Tip percentage (12.0%)")
    assert "Check back" in insights.suggestions[0]
    assert rule_insights(metrics, {}).areas_to_improve  # no data: says so, never empty


def test_spearman_matches_known_values():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8)


GOOD = (
    '{"strengths": ["Sells wine"], "areas_to_improve": ["Slow turns"], '
    '"suggestions": ["Fire mains early"], "score": 72}'
)


@pytest.mark.parametrize(
    "text",
    [
        GOOD,
        f"Here is my analysis:\n{GOOD}\nHope this helps!",
        f"```json\n{GOOD}\n```",
        '```\n{"strengths": ["Sells wine",], "areas_to_improve": ["Slow turns"], '
        '"suggestions": ["Fire mains early",], "score": 72,}\n```',
        'Sure! {"strengths": ["Sells wine"], "areas": ["Slow turns"], "suggestions": "Fire mains early", "score": 72}',
    ],
)
def test_llm_json_is_read_bare_in_prose_in_fences_with_trailing_commas(text):
    insights = parse_llm_insights(text)
    assert insights.strengths == ["Sells wine"]
    assert insights.areas_to_improve == ["Slow turns"]
    assert insights.suggestions == ["Fire mains early"]
    assert insights.score == 72


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("I cannot help with that.", "no JSON"),
        ('{"strengths": ["a"]}', "missing"),
        ('{"strengths": "a", "areas_to_improve": [1], "suggestions": []}', "list of strings"),
        ('{"strengths": ["a"], "areas_to_improve": [], "suggestions": [], "score": 140}', "0..100"),
        ('{"strengths": ["a"], "areas_to_improve": [], "suggestions": [], "score": "high"}', "number"),
        ('{"strengths": [], "areas_to_improve": [], "suggestions": []}', "empty"),
        ("", "empty"),
    ],
)
def test_llm_answers_of_the_wrong_shape_are_refused_with_the_reason(text, why):
    with pytest.raises(LLMResponseInvalid, match=why):
        parse_llm_insights(text)


def test_extract_json_skips_braces_inside_strings_and_takes_the_first_object():
    assert extract_json('note {not json} then {"a": "x } y", "b": [1,2,],}') == {"a": "x } y", "b": [1, 2]}


def test_a_tier_kept_by_hysteresis_says_so():
    kept = ScoredMember(
        staff_id=1,
        shifts=19,
        z={"sales_per_cover": 1.1},
        raw_composite=0.7,
        shrink=0.76,
        score=0.53,
        tier="standard",
        held=True,
    )
    assert reason_sentence(kept) == (
        "standard: sales per cover +1.1 sd over 19 shifts; kept standard: score +0.53 within the margin of the cut-off"
    )
