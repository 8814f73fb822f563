"""The LLM's side of insights without the network: the messages sent, and reading the answer.

Models answer JSON in many wrappings: bare, inside ```json fences, after a sentence of prose, with
trailing commas. `extract_json` finds the first balanced JSON object in the text and repairs trailing
commas; `parse_llm_insights` checks the shape and raises `LLMResponseInvalid` (the caller falls back
to the rule-based insights) when it is not what we asked for."""

from __future__ import annotations

import json
import re

from staff.engine.insights import InsightSet
from staff.engine.metrics import METRICS_BY_KEY, Metrics, format_value

MAX_ITEMS = 5
MAX_ITEM_CHARS = 300
LIST_KEYS = ("strengths", "areas_to_improve", "suggestions")
ALIASES = {"areas": "areas_to_improve", "improvements": "areas_to_improve", "areas_for_improvement": "areas_to_improve"}

SYSTEM_PROMPT = (
    "You are a restaurant floor coach. You read a server's numbers for the last 30 days, compared with "
    "their team (z-scores: + is better than the team, - worse), and answer ONLY a JSON object: "
    '{"strengths": [string], "areas_to_improve": [string], "suggestions": [string], "score": number 0-100 or null}. '
    "Each list has 1-3 short, specific items that cite the numbers; suggestions are concrete actions for "
    "the next shift. score rates overall performance against the team (50 = typical)."
)


class LLMResponseInvalid(ValueError):
    """The LLM's answer held no JSON object of the expected shape; the message says what was wrong."""


def build_messages(*, name: str, role: str, metrics: Metrics, z: dict[str, float], shifts: int) -> list[dict]:
    """The chat messages for one staff member: their figures, formatted, with the z-scores."""
    figures = {
        "role": role,
        "shifts": shifts,
        "covers": metrics.covers,
        "tables_served": metrics.visits,
        "hours_worked": round(metrics.hours, 1),
        "metrics": {
            key: {
                "value": format_value(key, metrics.value(key)),
                "z": round(value, 2),
                "label": METRICS_BY_KEY[key].label,
            }
            for key, value in z.items()
        },
    }
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Server: {name}\n" + json.dumps(figures, ensure_ascii=False)},
    ]


def _strip_trailing_commas(text: str) -> str:
    """Remove commas before } or ], outside strings."""
    out, in_string, escape = [], False, False
    for index, char in enumerate(text):
        if in_string:
            out.append(char)
            if escape:
                escape = False
            elif char == "\\":
                escape = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char == ",":
            rest = text[index + 1 :].lstrip()
            if rest[:1] in ("}", "]"):
                continue
        out.append(char)
    return "".join(out)


def _balanced_objects(text: str):
    """Every top-level {...} span of the text, in order, respecting strings."""
    depth, start, in_string, escape = 0, None, False, False
    for index, char in enumerate(text):
        if in_string:
            if escape:
                escape = False
            elif char == "\\":
                escape = True
            elif char == '"':
                in_string = False
            continue
        if char == '"' and depth > 0:
            in_string = True
        elif char == "{":
            if depth == 0:
                start = index
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                yield text[start : index + 1]


FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


def extract_json(text: str) -> dict:
    """The first JSON object in a model's answer: bare, fenced, inside prose, trailing commas allowed."""
    if not isinstance(text, str) or not text.strip():
        raise LLMResponseInvalid("empty answer")
    candidates = [match.group(1) for match in FENCE.finditer(text)] + [text]
    for candidate in candidates:
        for chunk in [candidate.strip(), *_balanced_objects(candidate)]:
            for attempt in (chunk, _strip_trailing_commas(chunk)):
                try:
                    value = json.loads(attempt)
                except (json.JSONDecodeError, ValueError):
                    continue
                if isinstance(value, dict):
                    return value
    raise LLMResponseInvalid("no JSON object in the answer")


def _items(value, key: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise LLMResponseInvalid(f"{key} must be a list of strings")
    items = []
    for item in value:
        if not isinstance(item, str):
            raise LLMResponseInvalid(f"{key} must be a list of strings")
        item = " ".join(item.split())
        if item:
            items.append(item[:MAX_ITEM_CHARS])
    return items[:MAX_ITEMS]


def parse_llm_insights(text: str) -> InsightSet:
    """Read and check an answer: three lists of strings (at least one item overall) and an optional
    score within 0-100. Anything else raises LLMResponseInvalid."""
    data = extract_json(text)
    for alias, key in ALIASES.items():
        if alias in data and key not in data:
            data[key] = data.pop(alias)
    missing = [key for key in LIST_KEYS if key not in data]
    if missing:
        raise LLMResponseInvalid(f"missing {', '.join(missing)}")
    lists = {key: _items(data[key], key) for key in LIST_KEYS}
    if not any(lists.values()):
        raise LLMResponseInvalid("every list is empty")
    score = data.get("score")
    if score is not None:
        if isinstance(score, bool) or not isinstance(score, int | float):
            raise LLMResponseInvalid("score must be a number or null")
        if not 0 <= score <= 100:
            raise LLMResponseInvalid("score must be within 0..100")
        score = float(score)
    return InsightSet(score=score, **lists)
