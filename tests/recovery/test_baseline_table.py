"""The baseline table's definitions, exactly: windows, gaps, too-little-data nulls, status, CV."""

from __future__ import annotations

import math
import random
import statistics
from datetime import date, timedelta

import numpy as np
import pytest

from app.recovery.baseline import (
    TREND_KEYS,
    BaselineSettings,
    baseline_table,
)

D0 = date(2026, 1, 1)


def day(i: int) -> date:
    return D0 + timedelta(days=i)


def naive_rows(values: dict[date, float]) -> list[dict[str, object]]:
    """The issue's definitions written as plainly as possible, one day at a time."""
    first, last = min(values), max(values)
    rows: list[dict[str, object]] = []
    d = first
    while d <= last:
        week = [values[d - timedelta(k)] for k in range(7) if d - timedelta(k) in values]
        sixty = [values[d - timedelta(k)] for k in range(60) if d - timedelta(k) in values]
        base = statistics.mean(week) if len(week) >= 3 else None
        cv = 100 * statistics.stdev(week) / statistics.mean(week) if len(week) >= 3 else None
        low: float | None = None
        high: float | None = None
        if len(sixty) >= 14:
            m, s = statistics.mean(sixty), statistics.stdev(sixty)
            low, high = m - 0.5 * s, m + 0.5 * s
        if base is None or low is None or high is None:
            status = None
        else:
            status = "below" if base < low else "above" if base > high else "within"
        rows.append(
            {
                "date": d.isoformat(),
                "ln_rmssd": values.get(d),
                "baseline_7d": base,
                "normal_low": low,
                "normal_high": high,
                "status": status,
                "cv_7d_pct": cv,
            }
        )
        d += timedelta(days=1)
    return rows


def assert_rows_equal(got: list[dict[str, object]], want: list[dict[str, object]]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert tuple(g) == TREND_KEYS
        assert g["date"] == w["date"]
        assert g["status"] == w["status"], g["date"]
        for key in ("ln_rmssd", "baseline_7d", "normal_low", "normal_high", "cv_7d_pct"):
            gv, wv = g[key], w[key]
            if wv is None:
                assert gv is None, (g["date"], key, gv)
            else:
                assert isinstance(gv, float)
                assert isinstance(wv, float)
                assert gv == pytest.approx(wv, rel=1e-12, abs=1e-12), (g["date"], key)


def test_empty_input_gives_an_empty_table() -> None:
    table = baseline_table({})
    assert len(table) == 0
    assert table.first_day is None
    assert table.to_json_rows() == []


def test_three_values_make_a_baseline_two_do_not() -> None:
    values = {day(0): 3.0, day(1): 3.5, day(2): 4.3}
    rows = baseline_table(values).to_json_rows()
    assert [r["baseline_7d"] for r in rows[:2]] == [None, None]
    assert [r["cv_7d_pct"] for r in rows[:2]] == [None, None]
    assert rows[2]["baseline_7d"] == pytest.approx((3.0 + 3.5 + 4.3) / 3)
    mean = (3.0 + 3.5 + 4.3) / 3
    sd = math.sqrt(((3.0 - mean) ** 2 + (3.5 - mean) ** 2 + (4.3 - mean) ** 2) / 2)
    assert rows[2]["cv_7d_pct"] == pytest.approx(100 * sd / mean)
    # Fewer than 14 values: no normal range, no status.
    assert all(r["normal_low"] is None and r["normal_high"] is None for r in rows)
    assert all(r["status"] is None for r in rows)


def test_gap_days_are_rows_with_null_value_and_windows_skip_them() -> None:
    # Values on days 0, 1, 5, 6, 10; the rest are gaps.
    values = {day(0): 1.0, day(1): 2.0, day(5): 3.0, day(6): 4.0, day(10): 5.0}
    rows = baseline_table(values).to_json_rows()
    assert [r["date"] for r in rows] == [day(i).isoformat() for i in range(11)]
    assert [r["ln_rmssd"] for r in rows] == [
        1.0,
        2.0,
        None,
        None,
        None,
        3.0,
        4.0,
        None,
        None,
        None,
        5.0,
    ]
    # Day 5: window days -1..5 holds 1, 2, 3. Day 6: 0..6 holds 1, 2, 3, 4.
    assert rows[5]["baseline_7d"] == pytest.approx(2.0)
    assert rows[6]["baseline_7d"] == pytest.approx(2.5)
    # Day 7: window 1..7 holds 2, 3, 4 (day 0 has left). Day 8: 2..8 holds 3, 4 only -> null.
    assert rows[7]["baseline_7d"] == pytest.approx(3.0)
    assert rows[8]["baseline_7d"] is None
    # Day 10: window 4..10 holds 3, 4, 5.
    assert rows[10]["baseline_7d"] == pytest.approx(4.0)
    assert rows[10]["cv_7d_pct"] == pytest.approx(100 * 1.0 / 4.0)


def test_normal_range_needs_fourteen_values_in_sixty_days_and_drops_old_days() -> None:
    values = {day(i): 3.0 + 0.1 * (i % 5) for i in range(14)}
    values[day(70)] = 3.9  # after a long break
    rows = baseline_table(values).to_json_rows()
    assert rows[12]["normal_low"] is None  # 13 values
    window = [values[day(i)] for i in range(14)]
    m, s = statistics.mean(window), statistics.stdev(window)
    assert rows[13]["normal_low"] == pytest.approx(m - 0.5 * s)
    assert rows[13]["normal_high"] == pytest.approx(m + 0.5 * s)
    # Day 59 still sees day 0; day 60 no longer does (window d-59..d).
    assert rows[59]["normal_low"] == pytest.approx(m - 0.5 * s)
    assert rows[60]["normal_low"] is None
    assert rows[70]["normal_low"] is None
    assert len(rows) == 71


def test_status_below_within_above() -> None:
    # 14 steady days around 4.0, then three low days, then three high days.
    values = {day(i): 4.0 + (0.05 if i % 2 else -0.05) for i in range(14)}
    for i in range(14, 17):
        values[day(i)] = 3.0
    for i in range(17, 27):
        values[day(i)] = 5.0
    table = baseline_table(values)
    rows = table.to_json_rows()
    assert rows[13]["status"] == "within"
    assert rows[16]["status"] == "below"
    assert rows[26]["status"] == "above"
    for r in rows:
        if r["status"] is not None:
            b, lo, hi = r["baseline_7d"], r["normal_low"], r["normal_high"]
            assert isinstance(b, float) and isinstance(lo, float) and isinstance(hi, float)
            want = "below" if b < lo else "above" if b > hi else "within"
            assert r["status"] == want


def test_arrays_are_read_only_and_nan_for_null() -> None:
    table = baseline_table({day(0): 3.0, day(4): 3.2, day(5): 3.4})
    assert np.isnan(table.value[1])
    assert np.isnan(table.baseline_7d[0])
    assert not table.value.flags.writeable
    assert not table.baseline_7d.flags.writeable
    assert table.dates[0] == np.datetime64("2026-01-01")
    assert table.dates[-1] == np.datetime64("2026-01-06")
    with pytest.raises(ValueError):
        table.value[0] = 1.0


def test_last_days_keeps_full_history_in_windows() -> None:
    values = {day(i): 3.0 + 0.01 * i for i in range(30)}
    full = baseline_table(values)
    tail = full.last(5)
    assert len(tail) == 5
    assert tail.first_day == day(25)
    assert tail.to_json_rows() == full.to_json_rows()[-5:]
    assert full.last(100) is full
    with pytest.raises(ValueError):
        full.last(0)


def test_settings_option_changes_band_width() -> None:
    values = {day(i): 3.0 + 0.1 * (i % 4) for i in range(20)}
    narrow = baseline_table(values)
    wide = baseline_table(values, BaselineSettings(normal_sd_factor=1.0))
    n_lo, n_hi = narrow.normal_low[-1], narrow.normal_high[-1]
    w_lo, w_hi = wide.normal_low[-1], wide.normal_high[-1]
    assert w_hi - w_lo == pytest.approx(2 * (n_hi - n_lo))
    with pytest.raises(ValueError):
        BaselineSettings(baseline_min_values=1)


@pytest.mark.parametrize("seed", range(8))
def test_random_days_match_the_naive_reference(seed: int) -> None:
    rng = random.Random(seed)
    n_days = rng.randint(1, 160)
    fill = rng.uniform(0.2, 1.0)
    values = {day(i): rng.gauss(3.8, 0.35) for i in range(n_days) if rng.random() < fill}
    values.setdefault(day(0), 3.7)
    assert_rows_equal(baseline_table(values).to_json_rows(), naive_rows(values))


def test_constant_values_give_zero_width_band_and_zero_cv() -> None:
    values = {day(i): 4.0 for i in range(20)}
    row = baseline_table(values).row(-1)
    assert row.normal_low == pytest.approx(4.0)
    assert row.normal_high == pytest.approx(4.0)
    assert row.cv_7d_pct == 0.0
    assert row.status == "within"
