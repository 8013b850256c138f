"""The home chart draws exactly app.recovery's tables; ranges, limits, too-few-days text."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.recovery.baseline import baseline_table
from app.recovery.daily_values import FROM_LOG, FROM_READINESS
from app.recovery.overview import load_overview
from app.store import Store
from app.store.daily import save_day
from app.store.records import LogEntry
from app.ui.charts.baseline import DAY_S, MIN_VIEW_DAYS, day_seconds
from tests.gui_home.conftest import TODAY, HomeWindowFactory, readiness_rr, store_readiness


def _xy(item: object) -> tuple[np.ndarray, np.ndarray]:
    x, y = item.getData()  # type: ignore[attr-defined]
    if x is None or y is None:
        return np.empty(0), np.empty(0)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def fill_seventy_days(store: Store) -> dict[date, float]:
    """70 days ending today: readiness sessions and log entries mixed, some days off."""
    rng = np.random.default_rng(3)
    first = TODAY - timedelta(days=69)
    expected: dict[date, float] = {}
    for i in range(70):
        day = first + timedelta(days=i)
        if i % 11 == 10:
            continue  # a day without a value
        if i % 3 == 0:
            rr = readiness_rr(rng, 930.0, 38.0 + (i % 7), 150)
            store_readiness(store, day, rr)
            expected[day] = math.sqrt(float(np.mean(np.diff(rr) ** 2)))
            if i % 2 == 0:  # a log entry the same day: the morning check wins
                save_day(store, LogEntry(day.isoformat(), rmssd_ms=99.0, sleep=2))
        else:
            value = 33.0 + (i * 5) % 17
            save_day(
                store,
                LogEntry(
                    day.isoformat(), rmssd_ms=value, resting_hr_bpm=58 + i % 6, mood=1 + i % 5
                ),
            )
            expected[day] = value
    return expected


def test_chart_draws_the_recovery_tables_for_seventy_mixed_days(
    store: Store, make_home: HomeWindowFactory, qtbot: QtBot
) -> None:
    expected = fill_seventy_days(store)
    window, page = make_home(store)
    assert window.page_names()[0] == "Home"
    assert window.current_page_name() == "Home"
    view = load_overview(store, TODAY)
    ln, hr = view.ln_rmssd, view.resting_hr
    assert len(ln) == 70
    assert view.daily.rmssd_from[TODAY - timedelta(days=69)] == FROM_READINESS
    assert view.daily.rmssd_from[TODAY - timedelta(days=68)] == FROM_LOG
    # The table itself follows the definitions on the values we stored (an independent check).
    reference = baseline_table({d: math.log(v) for d, v in expected.items()})
    np.testing.assert_allclose(ln.value, reference.value, rtol=1e-9)
    np.testing.assert_allclose(ln.normal_low, reference.normal_low, rtol=1e-9)

    chart = page.chart
    x = day_seconds(ln.dates)
    assert x[1] - x[0] == DAY_S
    finite = np.isfinite(ln.value)
    # HRV is drawn in ms: the dots are the stored RMSSD values themselves.
    dx, dy = _xy(chart.hrv.dots)
    np.testing.assert_array_equal(dx, x[finite])
    np.testing.assert_allclose(dy, [expected[d] for d in sorted(expected)], rtol=1e-9)
    assert chart.hrv_plot.getAxis("left").labelText == "HRV (ms)"
    for item, column in (
        (chart.hrv.line, np.exp(ln.baseline_7d)),
        (chart.hrv.band_low, np.exp(ln.normal_low)),
        (chart.hrv.band_high, np.exp(ln.normal_high)),
        (chart.cv_line, ln.cv_7d_pct),
    ):
        ix, iy = _xy(item)
        np.testing.assert_array_equal(ix, x)
        np.testing.assert_allclose(iy, np.asarray(column), rtol=1e-12)  # NaN where null
    # lnRMSSD and CV are details: the CV plot shows only with the Details switch.
    assert not chart.cv_plot.isVisible()
    chart.details_box.setChecked(True)
    assert chart.cv_plot.isVisible()
    chart.details_box.setChecked(False)
    assert chart.hrv.band.isVisible()
    hx, hy = _xy(chart.hr.line)
    np.testing.assert_array_equal(hx, day_seconds(hr.dates))
    np.testing.assert_array_equal(hy, np.asarray(hr.baseline_7d))
    _, hdy = _xy(chart.hr.dots)
    np.testing.assert_array_equal(hdy, np.asarray(hr.value)[np.isfinite(hr.value)])

    # Overlays: off by default, the log's scale aligned with the lnRMSSD days when ticked.
    mood = chart.overlay_curves["mood"]
    assert not mood.isVisible()
    chart.overlay_boxes["mood"].setChecked(True)
    assert mood.isVisible()
    mx, my = _xy(mood)
    np.testing.assert_array_equal(mx, x)
    np.testing.assert_array_equal(my, view.overlays["mood"])
    assert np.nansum(my) > 0

    # The sentence under the chart and the "today" card come from the same overview.
    assert page.change_label.text() == view.hrv_change.text
    assert page.change_label.text().startswith("Your resting HRV (")
    assert "HRV" in page.today_label.text() and "lnRMSSD" not in page.today_label.text()


def test_range_buttons_and_zoom_limits(
    store: Store, make_home: HomeWindowFactory, qtbot: QtBot
) -> None:
    fill_seventy_days(store)
    _, page = make_home(store)
    chart = page.chart
    last = day_seconds(load_overview(store, TODAY).ln_rmssd.dates)[-1]
    first = last - 69 * DAY_S
    chart.range_buttons[30].click()
    x0, x1 = chart.view_range_s()
    assert x1 == pytest.approx(last + 0.5 * DAY_S, abs=DAY_S * 0.01)
    assert (x1 - x0) / DAY_S == pytest.approx(30, abs=0.05)
    chart.range_buttons[0].click()
    a0, a1 = chart.view_range_s()
    assert a0 == pytest.approx(first - 0.5 * DAY_S, abs=DAY_S * 0.01)
    assert (a1 - a0) / DAY_S == pytest.approx(70, abs=0.05)
    # A year is more than the data: the view shows all of it, not a year of empty space.
    chart.range_buttons[365].click()
    assert chart.view_range_s() == pytest.approx((a0, a1), abs=DAY_S * 0.01)
    assert chart.range_days == 365 and chart.range_buttons[365].isChecked()
    # Zooming in stops at a week; panning stops a week past the data.
    chart.hrv_plot.setXRange(last - DAY_S, last, padding=0)
    z0, z1 = chart.view_range_s()
    assert (z1 - z0) >= MIN_VIEW_DAYS * DAY_S - 1
    chart.hrv_plot.setXRange(last + 50 * DAY_S, last + 60 * DAY_S, padding=0)
    assert chart.view_range_s()[1] <= last + 7 * DAY_S + 1
    # The resting heart-rate and CV plots follow the same dates.
    assert chart.hr_plot.vb.viewRange()[0] == pytest.approx(list(chart.view_range_s()))


def test_ten_days_say_how_many_more_are_needed(store: Store, make_home: HomeWindowFactory) -> None:
    for i in range(10):
        day = TODAY - timedelta(days=9 - i)
        save_day(store, LogEntry(day.isoformat(), rmssd_ms=40.0 + i, sleep=3))
    _, page = make_home(store)
    chart = page.chart
    assert not chart.hrv.band.isVisible()
    assert not chart.band_sample.isVisible()  # the legend names no range that is not drawn
    assert _xy(chart.hrv.band_low)[0].size == 0
    assert _xy(chart.hrv.dots)[0].size == 10
    assert "4 more days with a value will draw your normal range" in page.change_label.text()
    assert not page.reading_label.isVisible()  # said once, under the chart


def test_empty_store_and_refresh_after_a_log_entry(
    store: Store, make_home: HomeWindowFactory, qtbot: QtBot
) -> None:
    _, page = make_home(store)
    assert page.is_empty and not page.columns.isVisible()
    dialog = page.open_log_form()
    dialog.rmssd_edit.setText("47")
    dialog.mood_box.setCurrentIndex(dialog.mood_box.findData(4))
    assert dialog.save()
    qtbot.waitUntil(lambda: _xy(page.chart.hrv.dots)[1].size == 1)
    assert _xy(page.chart.hrv.dots)[1][0] == pytest.approx(47.0)
    assert not page.empty_state.isVisible() and page.chart.isVisible()
    assert "HRV 47 ms" in page.today_label.text()
    assert "13 more days" in page.change_label.text()


def test_last_session_shows_stress_before_and_after(
    store: Store, make_home: HomeWindowFactory
) -> None:
    sid = store.start_session("breathing", rate_bpm=6.0)
    store.finish_session(sid, duration_s=600.0)
    store.set_reflection(sid, stress_before=4, stress_after=2, note="calmer")
    _, page = make_home(store)
    text = page.session_label.text()
    assert "Breathing session, 10 min," in text
    assert "Stress 4 before \u2192 2 after" in text
    assert "calmer" in text
