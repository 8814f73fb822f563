"""The demand forecaster's math against hand-computed figures and the seasonal-naive baseline."""

from datetime import date, timedelta

import pytest

from scheduling.engine.forecast import (
    DEFAULT_RATIOS,
    backtest,
    forecast_covers,
    holt,
    mape,
    ratios_from_history,
    seasonal_naive,
    staff_needed,
)

MONDAY = date(2026, 11, 2)


def weekly(values, day=MONDAY, part="dinner"):
    """A history of the same weekday, one value a week, oldest first, ending the week before `day`."""
    n = len(values)
    return {(day - timedelta(days=7 * (n - i)), part): float(v) for i, v in enumerate(values)}


def test_holt_by_hand():
    # alpha 0.5, beta 0.5 on 100, 110, 120:
    # l1=100 b1=0; l2=.5*110+.5*(100+0)=105, b2=.5*(105-100)+.5*0=2.5;
    # l3=.5*120+.5*(105+2.5)=113.75, b3=.5*(113.75-105)+.5*2.5=5.625
    assert holt([100, 110, 120], alpha=0.5, beta=0.5) == pytest.approx((113.75, 5.625))
    assert holt([]) == (0.0, 0.0)
    assert holt([42]) == (42.0, 0.0)


def test_forecast_is_the_smoothed_level_plus_the_trend_one_week_ahead():
    history = weekly([100, 110, 120])
    assert forecast_covers(history, MONDAY, "dinner", alpha=0.5, beta=0.5) == pytest.approx(113.75 + 5.625)
    # Two weeks ahead (nothing last week): the trend counts twice.
    assert forecast_covers(history, MONDAY + timedelta(days=7), "dinner", alpha=0.5, beta=0.5) == pytest.approx(
        113.75 + 2 * 5.625
    )


def test_a_day_inside_the_history_without_visits_counts_as_zero_covers():
    history = weekly([100, 0, 100])
    del history[MONDAY - timedelta(days=14), "dinner"]
    history[MONDAY - timedelta(days=1), "lunch"] = 5.0  # the history goes on past that day
    assert forecast_covers(history, MONDAY, "dinner", alpha=1.0, beta=0.0) == pytest.approx(100)
    assert forecast_covers(history, MONDAY, "dinner", alpha=0.5, beta=0.0) == pytest.approx(75)


def test_seasonal_naive_is_the_same_day_part_of_the_latest_week_with_data():
    history = weekly([80, 90, 130])
    assert seasonal_naive(history, MONDAY, "dinner") == 130
    assert seasonal_naive(history, MONDAY, "lunch") is None
    assert forecast_covers({}, MONDAY, "dinner") is None


def test_mape_skips_days_without_covers():
    assert mape([100, 0, 50], [90, 10, 60]) == pytest.approx((0.1 + 0.2) / 2)
    assert mape([0], [5]) is None


def test_backtest_beats_seasonal_naive_on_a_noisy_steady_series():
    # 100 covers every Monday, +-20 alternating: last week is always 20 % off, a smoothed level less.
    values = [100 + (20 if i % 2 else -20) for i in range(10)]
    history = {}
    for i, v in enumerate(values):
        history[MONDAY + timedelta(days=7 * i), "dinner"] = float(v)
    result = backtest(history, ["dinner"], test_weeks=3, weeks=6)
    assert result["days"] == 3
    assert result["mape"] < result["mape_naive"]
    assert result["mape_naive"] == pytest.approx((40 / 120 + 40 / 80 + 40 / 120) / 3)


def test_staff_needed_rounds_up_the_covers_one_person_handles():
    assert staff_needed(120, 6, 10) == 2  # 120 covers / (10 covers per server-hour x 6 h) = 2
    assert staff_needed(121, 6, 10) == 3
    assert staff_needed(None, 6, 10) is None
    assert staff_needed(50, 0, 10) is None


def test_ratios_are_the_median_covers_per_staff_hour_and_default_without_history():
    covers = {(MONDAY, "dinner"): 120.0, (MONDAY, "lunch"): 40.0}
    hours = {(MONDAY, "dinner", "server"): 12.0, (MONDAY, "lunch", "server"): 8.0}
    ratios = ratios_from_history(covers, hours)
    assert ratios["server"] == pytest.approx(7.5)  # median of 10 and 5
    assert ratios["host"] == DEFAULT_RATIOS["host"]
