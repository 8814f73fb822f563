"""Output (and the one input) of the performance endpoints: waiter dashboards, tier jobs, the team."""

from rest_framework import serializers

from staff.models import InsightSource, StaffRole, Tier, TierJob, TierJobStatus, TierJobTrigger


def _rate(help_text: str):
    return serializers.FloatField(allow_null=True, read_only=True, help_text=help_text)


class FiguresSerializer(serializers.Serializer):
    """A staff member's figures over a period. Rates are null where there was nothing to divide by."""

    shifts = serializers.IntegerField(read_only=True)
    hours = serializers.FloatField(read_only=True)
    visits = serializers.IntegerField(read_only=True, help_text="Tables served (closed checks).")
    covers = serializers.IntegerField(read_only=True)
    sales = serializers.FloatField(read_only=True, help_text="Subtotals of closed checks, before tax.")
    tips = serializers.FloatField(read_only=True)
    tip_pct = _rate("Tips / sales (0.18 = 18%).")
    avg_check = _rate("Sales per table.")
    sales_per_cover = _rate("Sales per guest.")
    covers_per_hour = _rate("Covers per hour worked (unpaid breaks left out).")
    avg_turn_minutes = _rate("Seated to closed, minutes.")
    turn_ratio = _rate("Turn time against the restaurant's usual for the party size (1 = usual, lower = quicker).")
    drink_attach_rate = _rate("Soft drinks per cover.")
    alcohol_attach_rate = _rate("Alcoholic drinks per cover.")
    appetizer_attach_rate = _rate("Appetizers per cover.")
    dessert_attach_rate = _rate("Desserts per cover.")
    upsell_per_cover = _rate("Drinks, alcohol, appetizers and desserts per cover.")
    voided_lines = serializers.IntegerField(read_only=True)
    void_rate = _rate("Voided check lines / all lines.")
    discounts = serializers.FloatField(read_only=True)
    discount_rate = _rate("Discounts / (sales + discounts).")


class StatsSerializer(FiguresSerializer):
    period_start = serializers.DateTimeField(read_only=True)
    period_end = serializers.DateTimeField(read_only=True)


class TrendPointSerializer(FiguresSerializer):
    month = serializers.CharField(read_only=True, help_text="YYYY-MM, the restaurant's local month.")


class InsightsSerializer(serializers.Serializer):
    strengths = serializers.ListField(child=serializers.CharField(), read_only=True)
    areas_to_improve = serializers.ListField(child=serializers.CharField(), read_only=True)
    suggestions = serializers.ListField(child=serializers.CharField(), read_only=True)
    source = serializers.ChoiceField(choices=InsightSource.choices, read_only=True, help_text="llm or rules.")
    model_name = serializers.CharField(read_only=True, allow_blank=True)
    score = serializers.FloatField(read_only=True, allow_null=True, help_text="The LLM's 0-100 score, if any.")
    fallback_reason = serializers.CharField(
        read_only=True, allow_blank=True, help_text="Why rules wrote these: no LLM configured, or how it failed."
    )
    generated_at = serializers.DateTimeField(read_only=True)
    metrics_period_end = serializers.DateTimeField(read_only=True, allow_null=True)


class ShiftRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    role = serializers.ChoiceField(choices=StaffRole.choices, read_only=True)
    section = serializers.CharField(read_only=True, allow_null=True)
    clock_in = serializers.DateTimeField(read_only=True)
    clock_out = serializers.DateTimeField(read_only=True, allow_null=True)
    hours = serializers.FloatField(read_only=True)
    tables = serializers.IntegerField(read_only=True)
    covers = serializers.IntegerField(read_only=True)
    sales = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, coerce_to_string=False)
    tips = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, coerce_to_string=False)


class TierHistoryRowSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices, read_only=True)
    previous_tier = serializers.CharField(read_only=True, allow_blank=True)
    score = serializers.FloatField(read_only=True, allow_null=True)
    reason = serializers.CharField(read_only=True, allow_blank=True)
    computed_at = serializers.DateTimeField(read_only=True)
    period_end = serializers.CharField(
        read_only=True, allow_null=True, help_text="The end of the 30 days it was computed from (null: set by hand)."
    )


class TierInfoSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices, read_only=True)
    score = serializers.FloatField(read_only=True, allow_null=True, help_text="Shrunk composite z-score.")
    reason = serializers.CharField(read_only=True, allow_blank=True)
    locked = serializers.BooleanField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    history = TierHistoryRowSerializer(many=True, read_only=True)


class WaiterSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=StaffRole.choices, read_only=True)
    restaurant_id = serializers.IntegerField(read_only=True)
    is_performance_tracked = serializers.BooleanField(read_only=True)


class DashboardSerializer(serializers.Serializer):
    waiter = WaiterSerializer(read_only=True)
    stats = StatsSerializer(read_only=True)
    trends = TrendPointSerializer(many=True, read_only=True)
    insights = InsightsSerializer(read_only=True, allow_null=True)
    shifts = ShiftRowSerializer(many=True, read_only=True)
    tier = TierInfoSerializer(read_only=True)


class TierJobSerializer(serializers.ModelSerializer):
    """A tier job: poll it (`GET .../tier-jobs/{id}`) until `status` is done or failed."""

    restaurant_id = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=TierJobStatus.choices, read_only=True)
    trigger = serializers.ChoiceField(choices=TierJobTrigger.choices, read_only=True)
    percent = serializers.IntegerField(read_only=True)
    result = serializers.DictField(read_only=True, help_text="staff_scored, tiers, changed, insights... once done.")

    class Meta:
        model = TierJob
        fields = [
            "id",
            "restaurant_id",
            "status",
            "trigger",
            "period_end",
            "stage",
            "progress_done",
            "progress_total",
            "percent",
            "result",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class TierSetSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices)
    locked = serializers.BooleanField(default=True, help_text="false hands the tier back to the weekly job.")


class TeamMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="staff.pk", read_only=True)
    name = serializers.CharField(source="staff.name", read_only=True)
    role = serializers.ChoiceField(source="staff.role", choices=StaffRole.choices, read_only=True)
    tier = serializers.ChoiceField(source="staff.tier", choices=Tier.choices, read_only=True)
    tier_score = serializers.FloatField(source="staff.tier_score", read_only=True, allow_null=True)
    tier_reason = serializers.CharField(source="staff.tier_reason", read_only=True, allow_blank=True)
    tier_locked = serializers.BooleanField(source="staff.tier_locked", read_only=True)
    shifts = serializers.IntegerField(source="latest.shifts_worked", read_only=True, allow_null=True, default=None)
    covers = serializers.IntegerField(source="latest.covers", read_only=True, allow_null=True, default=None)
    sales_per_cover = serializers.FloatField(
        source="latest.sales_per_cover", read_only=True, allow_null=True, default=None
    )
    tip_pct = serializers.FloatField(source="latest.tip_pct", read_only=True, allow_null=True, default=None)
    covers_per_hour = serializers.FloatField(
        source="latest.covers_per_hour", read_only=True, allow_null=True, default=None
    )
    upsell_per_cover = serializers.FloatField(
        source="latest.upsell_per_cover", read_only=True, allow_null=True, default=None
    )
    trends = serializers.SerializerMethodField()

    def get_trends(self, row) -> dict[str, str]:
        return {key: row.trend(key) for key in ("sales_per_cover", "tip_pct", "covers_per_hour", "upsell_per_cover")}


class TeamSerializer(serializers.Serializer):
    period_end = serializers.DateTimeField(read_only=True, allow_null=True)
    tiers = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    members = TeamMemberSerializer(many=True, read_only=True)
    latest_job = TierJobSerializer(read_only=True, allow_null=True)
