"""When a camera is polled next: its interval while healthy, exponential backoff with jitter while it
fails, and a slow poll once it is offline (so an offline camera costs the dispatcher almost nothing)."""

from __future__ import annotations

import random
from dataclasses import dataclass

OK = "ok"
DEGRADED = "degraded"
OFFLINE = "offline"


@dataclass(frozen=True)
class BackoffPolicy:
    """`offline_after` consecutive failures make a camera offline; then it is tried every `offline_interval` s."""

    offline_after: int = 5
    offline_interval: float = 60.0
    factor: float = 2.0
    max_delay: float = 60.0
    jitter: float = 0.2  # +-20% so cameras that failed together do not retry in lockstep


def backoff_delay(failures: int, *, interval: float, policy: BackoffPolicy, rng: random.Random | None = None) -> float:
    """Seconds until the next try after `failures` consecutive failures (0: the plain interval)."""
    if failures < 0:
        raise ValueError("failures must be >= 0")
    if failures == 0:
        return float(interval)
    if failures >= policy.offline_after:
        base = policy.offline_interval
    else:
        base = min(interval * policy.factor**failures, max(policy.max_delay, interval))
    spread = (rng or random).uniform(-policy.jitter, policy.jitter)
    return max(0.0, base * (1 + spread))


def status_after(failures: int, *, policy: BackoffPolicy) -> str:
    if failures == 0:
        return OK
    return OFFLINE if failures >= policy.offline_after else DEGRADED
