"""The budget forecast: a line through recent totals, and where it crosses the budget."""

from __future__ import annotations

import datetime as dt

import msgspec

from app.core.storage import BudgetState, forecast

NOW = dt.datetime(2026, 12, 6, tzinfo=dt.UTC)
GB = 10**9


def daily(*totals: int) -> list[tuple[dt.datetime, int]]:
    """One sample a day, the last one now."""
    return [(NOW - dt.timedelta(days=len(totals) - 1 - i), t) for i, t in enumerate(totals)]


def test_steady_growth_reaching_the_budget_within_the_warning_window_warns() -> None:
    state = forecast(daily(100 * GB, 110 * GB, 120 * GB), 200 * GB, 14, NOW)
    assert state.status == "warning"
    assert state.growth_bytes_per_day == 10 * GB
    assert state.days_left == 8
    assert state.forecast_at == NOW + dt.timedelta(days=8)


def test_slow_growth_is_ok_and_still_forecast() -> None:
    state = forecast(daily(100 * GB, 101 * GB), 200 * GB, 14, NOW)
    assert state.status == "ok" and state.days_left == 99


def test_flat_or_shrinking_usage_has_no_forecast_day() -> None:
    for samples in (daily(150 * GB, 150 * GB), daily(150 * GB, 120 * GB), daily(150 * GB)):
        state = forecast(samples, 200 * GB, 14, NOW)
        assert state.status == "ok" and state.days_left is None and state.forecast_at is None


def test_over_budget_is_exceeded_and_no_budget_is_none() -> None:
    assert forecast(daily(190 * GB, 210 * GB), 200 * GB, 14, NOW).status == "exceeded"
    assert forecast(daily(1, 2), None, 14, NOW).status == "none"


def test_samples_older_than_the_window_do_not_steer_the_line() -> None:
    old = [(NOW - dt.timedelta(days=30), 0)]
    state = forecast(old + daily(100 * GB, 100 * GB), 200 * GB, 14, NOW)
    assert state.days_left is None  # flat over the last week despite the climb since a month ago


def test_the_state_round_trips_as_the_alerts_will_read_it() -> None:
    state = forecast(daily(100 * GB, 110 * GB), 200 * GB, 14, NOW)
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(state), type=BudgetState) == state
