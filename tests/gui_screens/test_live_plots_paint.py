"""The live plots' own painting: nice ticks, what a paint puts where, and when they scroll."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from app.session.core_metrics import CoreAnalysis
from app.session.live import LiveEngine, LiveSnapshot
from app.ui.charts.live_plots import LivePlots, nice_ticks, tick_text
from app.ui.theme import heart_colour
from tests.session.synthetic import rsa_beats


@pytest.mark.parametrize(
    ("lo", "hi", "length_px", "spacing_px", "expected"),
    [
        (55.2, 75.1, 150.0, 20.0, [60.0, 65.0, 70.0, 75.0]),
        (0.4, 150.4, 330.0, 70.0, [50.0, 100.0, 150.0]),
        (830.0, 1060.0, 200.0, 20.0, [850.0, 900.0, 950.0, 1000.0, 1050.0]),
        (0.0, 1.0, 100.0, 20.0, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    ],
)
def test_ticks_are_one_two_or_five_times_a_power_of_ten(
    lo: float, hi: float, length_px: float, spacing_px: float, expected: list[float]
) -> None:
    ticks = nice_ticks(lo, hi, length_px, spacing_px)
    np.testing.assert_allclose(ticks, expected)
    step_px = (ticks[1] - ticks[0]) / (hi - lo) * length_px
    assert step_px >= spacing_px


def test_tick_labels_have_the_decimals_the_step_needs() -> None:
    assert tick_text(50.0, nice_ticks(0.0, 150.0, 330.0, 70.0)) == "50"
    assert tick_text(0.4, nice_ticks(0.0, 1.0, 100.0, 20.0)) == "0.4"


def _snapshot(duration_s: float, now_s: float | None = None) -> LiveSnapshot:
    engine = LiveEngine(CoreAnalysis())
    for t_s, rr_ms in rsa_beats(duration_s, mean_rr_ms=900.0, swing_ms=60.0, noise_ms=3.0, seed=2):
        engine.add_beat(float(t_s), float(rr_ms))
    return engine.snapshot(duration_s if now_s is None else now_s)


def _count(image: QImage, colour: QColor, top: int, bottom: int) -> int:
    return sum(
        image.pixelColor(x, y) == colour
        for y in range(top, bottom)
        for x in range(0, image.width(), 2)
    )


def test_a_paint_draws_the_heart_rate_above_and_the_rr_below(qtbot: QtBot) -> None:
    plots = LivePlots()
    qtbot.addWidget(plots)
    plots.resize(500, 380)
    plots.show()
    assert plots.update_from(_snapshot(200.0), force=True)
    image = plots.grab().toImage()
    split = round((380 - 4) * 3 / 5)  # the heart-rate plot above, the RR plot below (3:2)
    heart = heart_colour(plots.palette())
    assert _count(image, heart, 0, split) > 100
    assert _count(image, heart, split, 380) == 0
    rr_dot = plots.palette().color(plots.palette().ColorRole.Highlight)
    assert _count(image, rr_dot, split, 380) > 50
    # Both plots share the time axis: the view is the last window_s seconds.
    assert plots.view_s() == pytest.approx((200.0 - plots.window_s, 200.0))
    t, _ = plots.hr_series()
    finite = t[np.isfinite(t)]
    assert finite.min() >= 200.0 - plots.window_s - 2.0 and finite.max() <= 200.0


def test_the_view_scrolls_by_whole_pixels_only(qtbot: QtBot) -> None:
    plots = LivePlots()
    qtbot.addWidget(plots)
    plots.resize(500, 380)
    plots.show()
    snap = _snapshot(200.0)
    assert plots.update_from(snap)
    drawn = plots.repaints
    # Same beats, the clock a hundredth of a second on: less than a pixel, nothing to draw.
    assert not plots.update_from(_snapshot(200.0, now_s=200.01))
    assert plots.repaints == drawn
    # Five seconds on: the view moved by several pixels.
    assert plots.update_from(_snapshot(200.0, now_s=205.0))
    assert plots.repaints == drawn + 1
    assert plots.view_s() == pytest.approx((205.0 - plots.window_s, 205.0))
