"""LLMScorer: insights from an OpenAI-compatible chat endpoint, with the rules as the floor under it.

The official `openai` SDK with a base URL (OpenRouter by default, `bytedance-seed/seed-1.6` as the original
system used; `LLM_API_URL`, `LLM_API_KEY`, `LLM_MODEL` in settings). The SDK enforces the timeout and
retries transient failures (connection errors, 408/429/5xx) with backoff. Whatever still goes wrong, a
timeout, an error status, an answer with no usable JSON, gives the rule-based insights instead, labelled
with the reason; with no key it never calls out and says so."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import openai
from django.conf import settings

from staff.engine import InsightSet, LLMResponseInvalid, Metrics, build_messages, parse_llm_insights, rule_insights
from staff.models import InsightSource

logger = logging.getLogger(__name__)

OPENROUTER_URL = "https://openrouter.ai/api/v1"
DEFAULT_MODEL = "bytedance-seed/seed-1.6"
NO_KEY = "no LLM configured (LLM_API_KEY is empty): rule-based"


@dataclass(frozen=True)
class InsightResult:
    """Insights for one staff member and where they came from."""

    insights: InsightSet
    source: str  # InsightSource
    model_name: str = ""
    fallback_reason: str = ""

    @property
    def score(self) -> float | None:
        return self.insights.score if self.source == InsightSource.LLM else None


class LLMScorer:
    """Asks the LLM for strengths, areas to improve, suggestions and an optional 0-100 score."""

    def __init__(
        self, *, api_key: str, base_url: str = "", model: str = "", timeout: float = 20.0, max_retries: int = 2
    ):
        self.model = model or DEFAULT_MODEL
        self.base_url = base_url or OPENROUTER_URL
        self.timeout = timeout
        self.client = (
            openai.OpenAI(api_key=api_key, base_url=self.base_url, timeout=timeout, max_retries=max_retries)
            if api_key
            else None
        )

    @classmethod
    def from_settings(cls) -> LLMScorer:
        return cls(
            api_key=settings.LLM_API_KEY,
            base_url=settings.LLM_API_URL,
            model=settings.LLM_MODEL,
            timeout=getattr(settings, "LLM_TIMEOUT_SECONDS", 20.0),
            max_retries=getattr(settings, "LLM_MAX_RETRIES", 2),
        )

    @property
    def enabled(self) -> bool:
        return self.client is not None

    def insights_for(self, *, name: str, metrics: Metrics, z: dict[str, float]) -> InsightResult:
        """The LLM's insights, or the rules' with the reason the LLM's were not used."""
        if not self.enabled:
            return self._rules(metrics, z, NO_KEY)
        if not z:
            return self._rules(metrics, z, "not enough data to compare with the team: rule-based")
        messages = build_messages(name=name, role=metrics.role, metrics=metrics, z=z, shifts=metrics.shifts)
        try:
            response = self.client.chat.completions.create(
                model=self.model, messages=messages, temperature=0.2, max_tokens=700
            )
            text = response.choices[0].message.content
            insights = parse_llm_insights(text)
        except openai.APITimeoutError:
            return self._rules(metrics, z, f"LLM timed out after {self.timeout:g} s: rule-based")
        except openai.APIStatusError as exc:
            return self._rules(metrics, z, f"LLM answered HTTP {exc.status_code}: rule-based")
        except openai.APIConnectionError:
            return self._rules(metrics, z, "LLM unreachable: rule-based")
        except openai.APIResponseValidationError:
            return self._rules(metrics, z, "LLM answer was not a chat completion: rule-based")
        except LLMResponseInvalid as exc:
            return self._rules(metrics, z, f"LLM answer unusable ({exc}): rule-based")
        except (IndexError, AttributeError, TypeError):
            return self._rules(metrics, z, "LLM answer had no message: rule-based")
        except ValueError:  # the body was not JSON at all (a proxy's HTML page)
            return self._rules(metrics, z, "LLM answer was not a chat completion: rule-based")
        return InsightResult(insights=insights, source=InsightSource.LLM, model_name=self.model)

    def _rules(self, metrics: Metrics, z: dict[str, float], reason: str) -> InsightResult:
        if self.enabled:
            logger.warning("insights for staff %s: %s", metrics.staff_id, reason)
        return InsightResult(insights=rule_insights(metrics, z), source=InsightSource.RULES, fallback_reason=reason)
