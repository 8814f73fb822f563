"""TierCalculator: z-scores within restaurant and role, the shrunk composite, tiers with their reasons.

`score` is pure (the engine does the arithmetic per peer group); `apply` writes: the staff members whose
tier, score or reason changed (one bulk update) and a TierHistory row for each of them. A tier a manager
locked stays; its score and reason still follow the figures, so the team page shows what the numbers say.
Applying the same scores twice writes nothing the second time.

`tier_set` is the manager's override: set a tier and lock it (or unlock it for the weekly job again)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from staff.engine import Metrics, ScoredMember, TierPolicy, reason_sentence, score_group
from staff.exceptions import InvalidStaffInput, StaffWrongRestaurant
from staff.models import StaffMember, Tier, TierHistory
from staff.selectors import tier_policy_for


@dataclass
class ApplyResult:
    tiers: dict[str, int]  # tier -> members of the restaurant's scored staff now in it
    changed: int  # members whose tier changed
    updated: int  # members whose tier, score or reason changed
    locked: int  # scored members whose tier a manager locked


class TierCalculator:
    """Scores a restaurant's servers and bartenders against their peers and applies the tiers."""

    def __init__(self, restaurant, *, policy: TierPolicy | None = None, shrink: bool = True):
        self.restaurant = restaurant
        self.policy = policy or tier_policy_for(restaurant=restaurant)
        self.shrink = shrink

    def score(
        self,
        metrics: dict[int, Metrics],
        *,
        previous: dict[int, str] | None = None,
        llm_scores: dict[int, float] | None = None,
    ) -> dict[int, ScoredMember]:
        """Score each role's members against each other (a bartender is not compared with servers)."""
        groups: dict[str, list[Metrics]] = defaultdict(list)
        for member in metrics.values():
            groups[member.role].append(member)
        scored = {}
        for members in groups.values():
            for result in score_group(
                members, self.policy, previous=previous, llm_scores=llm_scores, shrink=self.shrink
            ):
                scored[result.staff_id] = result
        return scored

    def apply(
        self,
        scored: dict[int, ScoredMember],
        *,
        staff: list[StaffMember],
        at: datetime | None = None,
        period_end: datetime | None = None,
    ) -> ApplyResult:
        """Write tiers, scores and reasons that changed, with history. `staff` are the members' rows."""
        at = at or timezone.now()
        updates, history = [], []
        tiers = {tier: 0 for tier in Tier.values}
        changed = locked = 0
        for member in staff:
            result = scored.get(member.pk)
            if result is None:
                continue
            score = round(result.score, 3)
            reason = reason_sentence(result)
            tier = result.tier
            if member.tier_locked:
                locked += 1
                tier = member.tier
                reason = f"locked at {member.tier} by a manager; figures say {reason}"[:200]
            tiers[tier] += 1
            if (member.tier, member.tier_score, member.tier_reason) == (tier, score, reason):
                continue
            previous_tier = member.tier
            changed += previous_tier != tier
            member.tier, member.tier_score, member.tier_reason, member.tier_updated_at = tier, score, reason, at
            updates.append(member)
            history.append(
                TierHistory(
                    restaurant=self.restaurant,
                    staff=member,
                    tier=tier,
                    previous_tier=previous_tier,
                    score=score,
                    components={**result.components, "period_end": period_end.isoformat() if period_end else None},
                    reason=reason,
                    computed_at=at,
                )
            )
        with transaction.atomic():
            StaffMember.objects.bulk_update(
                updates, ["tier", "tier_score", "tier_reason", "tier_updated_at"], batch_size=500
            )
            TierHistory.objects.bulk_create(history, batch_size=500)
        return ApplyResult(tiers=tiers, changed=changed, updated=len(updates), locked=locked)


def tier_set(*, restaurant, staff: StaffMember, tier: str, locked: bool = True, by=None) -> StaffMember:
    """A manager sets a staff member's tier (locked: the weekly job leaves it) or unlocks it."""
    if staff.restaurant_id != restaurant.pk:
        raise StaffWrongRestaurant("staff")
    if tier not in Tier.values:
        raise InvalidStaffInput("tier", f"tier must be one of {', '.join(Tier.values)}")
    if not staff.is_performance_tracked:
        raise InvalidStaffInput("tier", f"{staff.name} is a {staff.role}: tiers are for servers and bartenders")
    with transaction.atomic():
        member = StaffMember.objects.select_for_update().get(pk=staff.pk)
        if (member.tier, member.tier_locked) == (tier, locked):
            return member
        previous = member.tier
        member.tier, member.tier_locked, member.tier_updated_at = tier, locked, timezone.now()
        member.save(update_fields=["tier", "tier_locked", "tier_updated_at"])
        action = "locked" if locked else "unlocked"
        TierHistory.objects.create(
            restaurant=restaurant,
            staff=member,
            tier=tier,
            previous_tier=previous,
            score=member.tier_score,
            reason=f"{action} at {tier} by a manager",
            changed_by=by if isinstance(by, get_user_model()) else None,
            computed_at=member.tier_updated_at,
        )
    return member
