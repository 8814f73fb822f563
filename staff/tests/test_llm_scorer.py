"""LLMScorer through the official openai SDK against a real HTTP server on loopback: good answers in any
wrapping are used; a bad shape, an error status or a timeout falls back to the rules, labelled with why."""

import pytest

from staff.engine import Aggregates, derive
from staff.models import InsightSource
from staff.services.llm import NO_KEY, LLMScorer
from staff.tests import llm_server
from staff.tests.llm_server import Reply, completion

GOOD = (
    '{"strengths": ["Sells wine"], "areas_to_improve": ["Slow turns"], '
    '"suggestions": ["Fire mains early"], "score": 72}'
)
METRICS = derive(Aggregates(staff_id=7, shifts=12, hours=60, visits=40, covers=100, sales=5200, tips=950))
Z = {"sales_per_cover": 1.2, "tip_pct": -0.7}


@pytest.fixture(scope="module")
def llm():
    state, server, thread = llm_server.start()
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def scorer(llm):
    llm.release.clear()
    return LLMScorer(api_key="sk-test", base_url=llm.url, model="bytedance-seed/seed-1.6", timeout=1.0, max_retries=1)


def insights(scorer):
    return scorer.insights_for(name="Ana", metrics=METRICS, z=Z)


@pytest.mark.parametrize(
    "content",
    [GOOD, f"Here you go:\n{GOOD}\nCheers.", f"```json\n{GOOD}\n```", GOOD.replace('"]', '",]').replace("72}", "72,}")],
    ids=["bare", "prose", "fenced", "trailing-commas"],
)
def test_a_good_answer_in_any_wrapping_becomes_llm_insights(llm, scorer, content):
    llm.say(content)
    result = insights(scorer)
    assert result.source == InsightSource.LLM and result.model_name == "bytedance-seed/seed-1.6"
    assert result.insights.strengths == ["Sells wine"] and result.score == 72 and result.fallback_reason == ""
    (request,) = llm.requests
    assert request["path"] == "/v1/chat/completions" and request["authorization"] == "Bearer sk-test"
    assert request["body"]["model"] == "bytedance-seed/seed-1.6"
    prompt = request["body"]["messages"][-1]["content"]
    assert "Ana" in prompt and '"sales_per_cover"' in prompt and '"z": 1.2' in prompt


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (
            Reply(body=completion('{"strengths": ["ok"]}')),
            "LLM answer unusable (missing areas_to_improve, suggestions)",
        ),
        (Reply(body=completion("I am unable to rate people.")), "LLM answer unusable (no JSON object in the answer)"),
        (Reply(body=completion(GOOD.replace("72", "720"))), "LLM answer unusable (score must be within 0..100)"),
        (Reply(body={"unexpected": True}), "LLM answer had no message"),
        (Reply(status=500, body={"error": {"message": "boom"}}), "LLM answered HTTP 500"),
        (Reply(status=401, body={"error": {"message": "bad key"}}), "LLM answered HTTP 401"),
        (Reply(body="<html>gateway</html>"), "LLM answer"),
    ],
    ids=["missing-keys", "prose-only", "score-out-of-range", "not-a-completion", "500", "401", "html"],
)
def test_a_bad_answer_or_an_error_falls_back_to_the_rules_with_the_reason(llm, scorer, reply, reason):
    llm.answer_with(reply)
    result = insights(scorer)
    assert result.source == InsightSource.RULES and result.score is None
    assert result.fallback_reason.startswith(reason) and result.fallback_reason.endswith("rule-based")
    assert result.insights.strengths[0].startswith("Sells well")  # the rules' own words, from the z-scores


def test_a_500_is_retried_and_a_second_success_is_used(llm, scorer):
    llm.answer_with(Reply(status=500, body={"error": {"message": "overloaded"}}), Reply(body=completion(GOOD)))
    result = insights(scorer)
    assert result.source == InsightSource.LLM
    assert len(llm.requests) == 2


def test_a_500_every_time_is_tried_once_more_then_rules(llm, scorer):
    llm.answer_with(Reply(status=500, body={"error": {"message": "down"}}))
    assert insights(scorer).fallback_reason == "LLM answered HTTP 500: rule-based"
    assert len(llm.requests) == 2  # the call and max_retries=1


def test_a_server_that_does_not_answer_in_time_falls_back_after_the_timeout(llm):
    slow = LLMScorer(api_key="sk-test", base_url=llm.url, model="m", timeout=0.5, max_retries=0)
    llm.answer_with(Reply(body=completion(GOOD), hold=True))
    result = insights(slow)
    llm.release.set()
    assert result.source == InsightSource.RULES
    assert result.fallback_reason == "LLM timed out after 0.5 s: rule-based"


def test_an_unreachable_server_falls_back(llm):
    nowhere = LLMScorer(api_key="sk-test", base_url="http://127.0.0.1:9/v1", timeout=1.0, max_retries=0)
    assert insights(nowhere).fallback_reason == "LLM unreachable: rule-based"


def test_without_a_key_it_never_calls_out_and_says_so(llm, settings):
    settings.LLM_API_KEY = ""
    settings.LLM_API_URL = llm.url
    llm.answer_with(Reply(body=completion(GOOD)))
    scorer = LLMScorer.from_settings()
    assert not scorer.enabled
    result = insights(scorer)
    assert result.source == InsightSource.RULES and result.fallback_reason == NO_KEY
    assert llm.requests == []


def test_defaults_are_openrouter_and_the_original_model(settings):
    settings.LLM_API_KEY, settings.LLM_API_URL, settings.LLM_MODEL = "sk-x", "", ""
    scorer = LLMScorer.from_settings()
    assert scorer.base_url == "https://openrouter.ai/api/v1" and scorer.model == "bytedance-seed/seed-1.6"
