"""The recovery-speed sentence on the home screen: the month-ago comparison and the latest week."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from app.recovery.overview import load_overview
from app.recovery.recovery_speed import (
    RecoveryPoint,
    compare_with_month_ago,
    weekly_summary,
)
from app.store import Store
from app.ui.pages.home import HomePage, latest_week_text
from tests.gui_home.conftest import TODAY


def test_faster_than_a_month_ago_and_the_latest_week(store: Store) -> None:
    points = [RecoveryPoint(TODAY - timedelta(days=d), 60.0, 10.0) for d in (30, 32, 35)]
    points += [RecoveryPoint(TODAY - timedelta(days=d), 40.0, 14.0) for d in (1, 3, 5)]
    points.append(RecoveryPoint(TODAY, None, 12.0))  # a recovery whose fit was refused
    base = load_overview(store, TODAY)
    overview = replace(
        base,
        recovery=tuple(points),
        recovery_weeks=weekly_summary(points),
        recovery_comparison=compare_with_month_ago(points, TODAY),
    )
    text = HomePage._recovery_text(overview)
    assert text.startswith("Your body settles faster than a month ago.")
    week = overview.recovery_weeks[-1]
    monday = TODAY - timedelta(days=TODAY.weekday())
    assert week.week_start == monday
    latest = latest_week_text(overview)
    assert latest in text
    assert f"Week of {monday:%d %b}" in latest
    assert f"about {week.median_tau_s:.0f} s" in latest
    assert f"(median of {week.n_episodes} recoveries)" in latest


def test_no_recoveries_yet_says_where_they_come_from(store: Store) -> None:
    overview = load_overview(store, date(2026, 3, 1))
    assert latest_week_text(overview) == ""
    assert "strap sessions" in HomePage._recovery_text(overview)
