"""The database sums behind metrics, against figures worked out by hand: window edges, open checks, voids,
unpaid breaks, the party-size yardstick for turn time, local months; six queries whatever the staff."""

from datetime import timedelta

import pytest
from django.utils import timezone

from staff.engine import derive
from staff.models import Shift, StaffRole, WaiterMetrics
from staff.selectors import performance_aggregates, recent_shifts
from staff.services.metrics import MetricsAggregator, period_end_for
from staff.tests.performance_setup import Floor, local, server

pytestmark = pytest.mark.django_db


@pytest.fixture
def march(restaurant):
    """Ana and Ben in March (America/New_York); a host who is not measured; checks outside the window."""
    floor = Floor(restaurant)
    ana, ben = server(restaurant, "Ana"), server(restaurant, "Ben")
    host = server(restaurant, "Hal", role=StaffRole.HOST)
    floor.shift(ana, local(restaurant, 2026, 3, 10, 17), 6, unpaid_break_minutes=30)
    floor.shift(ana, local(restaurant, 2026, 3, 12, 17), 4, paid_break_minutes=15)
    floor.shift(ben, local(restaurant, 2026, 3, 11, 17), 5)
    floor.shift(host, local(restaurant, 2026, 3, 11, 17), 5)
    floor.shift(ana, local(restaurant, 2026, 2, 20, 17), 5)  # February
    floor.visit(
        ana,
        local(restaurant, 2026, 3, 10, 18),
        party=2,
        minutes=60,
        subtotal="100",
        tip="20",
        items=[("alcohol", 2, 12), ("dessert", 1, 9), ("entree", 2, 25), ("appetizer", 1, 11, True)],
    )
    floor.visit(
        ana,
        local(restaurant, 2026, 3, 12, 18),
        party=4,
        minutes=90,
        subtotal="200",
        tip="30",
        discount="10",
        items=[("drink", 4, 3), ("appetizer", 1, 14), ("entree", 4, 30)],
    )
    floor.visit(ana, local(restaurant, 2026, 2, 20, 18), party=2, minutes=60, subtotal="50", tip="5")  # February
    floor.visit(ana, local(restaurant, 2026, 3, 12, 20), party=2, subtotal="40")  # still open: not counted
    floor.visit(
        ben, local(restaurant, 2026, 3, 11, 18), party=2, minutes=120, subtotal="80", tip="8", items=[("entree", 2, 40)]
    )
    # 21:00 on Feb 28 in New York is already March 1 in UTC: a February visit, outside March's window.
    floor.visit(ben, local(restaurant, 2026, 2, 28, 21), party=2, minutes=60, subtotal="40", tip="4")
    return ana, ben, host


def test_the_30_days_sums_match_the_hand_worked_figures(restaurant, march, django_assert_num_queries):
    ana, ben, host = march
    end = local(restaurant, 2026, 3, 31)
    with django_assert_num_queries(6):
        sums = performance_aggregates(restaurant=restaurant, start=local(restaurant, 2026, 3, 1), end=end)
    assert set(sums) == {(ana.pk, None), (ben.pk, None)}  # the host is not measured
    a = sums[(ana.pk, None)]
    assert (a.shifts, a.hours, a.visits, a.covers) == (2, pytest.approx(9.5), 2, 6)  # 6h - 30 min unpaid + 4h
    assert (a.sales, a.tips, a.discounts, a.discounted_visits) == (300, 50, 10, 1)
    assert a.turn_minutes == pytest.approx(150)
    # The usual turn is 90 min for two (Ana's 60, Ben's 120) and 90 for four: 60/90 + 90/90.
    assert a.turn_ratio_sum == pytest.approx(60 / 90 + 1)
    assert a.items == {"alcohol": 2, "dessert": 1, "entree": 6, "drink": 4, "appetizer": 1}
    assert (a.lines, a.voided_lines) == (7, 1)
    metrics = derive(a)
    assert metrics.upsell_per_cover == pytest.approx(8 / 6)
    assert metrics.tip_pct == pytest.approx(50 / 300)
    assert metrics.covers_per_hour == pytest.approx(6 / 9.5)
    assert metrics.turn_ratio == pytest.approx((60 / 90 + 1) / 2)
    assert metrics.void_rate == pytest.approx(1 / 7)
    assert metrics.discount_rate == pytest.approx(10 / 310)
    b = derive(sums[(ben.pk, None)])
    assert (b.shifts, b.hours, b.covers, b.sales, b.turn_ratio) == (1, 5, 2, 80, pytest.approx(120 / 90))
    assert b.upsell_per_cover == 0


def test_months_are_the_restaurants_local_months(restaurant, march, django_assert_num_queries):
    ana, ben, _ = march
    with django_assert_num_queries(6):
        sums = performance_aggregates(
            restaurant=restaurant, start=local(restaurant, 2026, 2, 1), end=local(restaurant, 2026, 4, 1), by_month=True
        )
    months = {(staff_id, bucket.isoformat()[:7]) for staff_id, bucket in sums}
    assert months == {(ana.pk, "2026-02"), (ana.pk, "2026-03"), (ben.pk, "2026-02"), (ben.pk, "2026-03")}
    february = {staff_id: agg for (staff_id, bucket), agg in sums.items() if bucket.month == 2}
    assert (february[ana.pk].covers, february[ana.pk].sales, february[ana.pk].shifts) == (2, 50, 1)
    assert (february[ben.pk].covers, february[ben.pk].shifts) == (2, 0)  # Feb 28 21:00 local
    assert sums[(ana.pk, next(b for s, b in sums if s == ana.pk and b.month == 3))].covers == 6


def test_a_snapshot_is_written_once_per_period_and_rewritten_only_when_a_figure_changes(restaurant, march):
    ana, ben, _ = march
    aggregator = MetricsAggregator(restaurant)
    end = period_end_for(restaurant, local(restaurant, 2026, 3, 31, 9))
    assert end == local(restaurant, 2026, 3, 31)
    first = aggregator.snapshot(period_end=end, metrics=aggregator.compute(period_end=end))
    assert len(first.written) == 2 and WaiterMetrics.objects.count() == 2
    row = first.snapshots[ana.pk]
    assert (row.covers, row.sales, row.shifts_worked, row.role) == (6, 300, 2, "server")
    assert row.period_start == local(restaurant, 2026, 3, 1)
    again = aggregator.snapshot(period_end=end, metrics=aggregator.compute(period_end=end))
    assert again.written == set() and WaiterMetrics.objects.count() == 2
    Floor(restaurant).visit(ana, local(restaurant, 2026, 3, 20, 19), party=2, minutes=45, subtotal="70", tip="14")
    changed = aggregator.snapshot(period_end=end, metrics=aggregator.compute(period_end=end))
    # Ben's figures are his own, but the usual turn for two moved with Ana's quick table: his ratio too.
    assert changed.written == {ana.pk, ben.pk} and WaiterMetrics.objects.count() == 2
    assert changed.snapshots[ana.pk].covers == 8


def test_recent_shifts_count_what_was_served_in_each_including_the_shift_in_progress(
    restaurant, march, django_assert_num_queries
):
    ana, _, _ = march
    now = timezone.now()
    Shift.objects.create(restaurant=restaurant, staff=ana, role=ana.role, clock_in=now - timedelta(hours=2))
    Floor(restaurant).visit(ana, now - timedelta(hours=1), party=5, subtotal="60")  # still at the table
    with django_assert_num_queries(1):
        shifts = recent_shifts(staff=ana, limit=3)
    assert [(s.tables, s.covers) for s in shifts] == [(1, 5), (2, 6), (1, 2)]  # now, Mar 12, Mar 10
    assert shifts[1].sales == 240 and shifts[2].tips == 20
