"""Benchmark: the cost of one pacer frame, against a plain widget painted in the same run.

Run: `QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_pacer.py`

1. Reference: render a same-size widget that only fills its background (median of 300 frames).
2. One pacer frame as the Breathe page does it: `pacer_state()` from the clock, then render the
   pacer (gradient circle, guide ring, words, countdown) at 800x700 logical pixels.
3. The pure math alone: `pacer_state()`, `cue_times()` over one 16 ms frame, and `breathing_wave()`
   over 300 points (what a later live plot draws behind the heart rate).

Target: a pacer frame under 25% of a 60 Hz frame budget (4.2 ms) with software rendering.
Exit status 1 if the target is missed.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from app.breathing import BreathingPattern, breathing_wave, cue_times, pacer_state
from app.ui.widgets.pacer import PacerWidget

FRAME_BUDGET_MS = 1000.0 / 60.0
TARGET_SHARE = 0.25
FRAMES = 300


def median_ms(run: Callable[[int], None], repeats: int = FRAMES) -> float:
    for i in range(20):
        run(i)
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        run(i)
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert app is not None
    size = (800, 700)
    image = QImage(size[0], size[1], QImage.Format.Format_ARGB32_Premultiplied)

    plain = QWidget()
    plain.setAutoFillBackground(True)
    plain.resize(*size)
    plain.show()
    pacer = PacerWidget()
    pacer.resize(*size)
    pacer.show()
    app.processEvents()
    pattern = BreathingPattern(rate_bpm=5.5, exhale_ratio=2.0, hold_after_inhale_s=0.5)

    def render(widget: QWidget) -> None:
        painter = QPainter(image)
        widget.render(painter, QPoint(0, 0))
        painter.end()

    def plain_frame(_i: int) -> None:
        render(plain)

    def pacer_frame(i: int) -> None:
        pacer.show_state(pacer_state(pattern, i * 0.016))
        render(pacer)

    reference_ms = median_ms(plain_frame)
    frame_ms = median_ms(pacer_frame)
    t = np.linspace(0.0, 30.0, 300)

    def state_only(i: int) -> None:
        pacer_state(pattern, i * 0.016)

    def cues_only(i: int) -> None:
        cue_times(pattern, i * 0.016, (i + 1) * 0.016)

    def wave_only(i: int) -> None:
        breathing_wave(pattern, t + i)

    state_us = median_ms(state_only, 2000) * 1e3
    cue_us = median_ms(cues_only, 2000) * 1e3
    wave_us = median_ms(wave_only, 500) * 1e3

    share = frame_ms / FRAME_BUDGET_MS
    print(f"reference frame (plain widget, {size[0]}x{size[1]}): {reference_ms:.3f} ms")
    print(
        f"pacer frame: {frame_ms:.3f} ms  = {frame_ms / reference_ms:.1f} x reference"
        f"  = {share:.1%} of a 60 Hz frame (target < {TARGET_SHARE:.0%})"
    )
    print(
        f"pacer_state(): {state_us:.1f} us   cue_times() per frame: {cue_us:.1f} us   "
        f"breathing_wave() 300 points: {wave_us:.1f} us"
    )
    return 0 if share < TARGET_SHARE else 1


if __name__ == "__main__":
    raise SystemExit(main())
