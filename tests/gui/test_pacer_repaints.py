"""The pacer repaints only what changed: whatever it skips, the screen must still show exactly
what a full repaint would draw, frame after frame; and a slow breath asks for few repaints."""

from __future__ import annotations

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.breathing import BreathingPattern, PacerState, pacer_state
from app.ui.widgets.pacer import PacerWidget


def on_screen(pacer: PacerWidget) -> QImage:
    """What the window system was given: the backing store, not a fresh render."""
    screen = pacer.screen()
    return screen.grabWindow(pacer.winId()).toImage().convertToFormat(QImage.Format.Format_RGB32)


def fresh(qtbot: QtBot, state: PacerState, paused: bool = False) -> QImage:
    """A full paint of `state` by a new pacer of the same size."""
    pacer = PacerWidget()
    qtbot.addWidget(pacer)
    pacer.resize(300, 340)
    pacer.show_state(state)
    if paused:
        pacer.show_paused()
    return pacer.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def differing_pixels(a: QImage, b: QImage, *, levels: int = 2) -> int:
    """Pixels whose colours differ by more than `levels` in a channel. A scaled copy of the
    circle's gradient may take a neighbouring source pixel when Qt clips it to a part of the
    widget (a level or two apart); a stale or missing part of the picture differs by far more
    (the circle's edge against the background, dozens of levels)."""
    assert a.size() == b.size()
    count = 0
    for y in range(a.height()):
        for x in range(a.width()):
            pa, pb = a.pixel(x, y), b.pixel(x, y)
            if pa != pb and any(
                abs(((pa >> shift) & 0xFF) - ((pb >> shift) & 0xFF)) > levels
                for shift in (0, 8, 16)
            ):
                count += 1
    return count


def shown_pacer(qtbot: QtBot) -> PacerWidget:
    pacer = PacerWidget()
    qtbot.addWidget(pacer)
    pacer.resize(300, 340)
    pacer.show()
    qtbot.waitExposed(pacer)
    return pacer


def test_the_screen_matches_a_full_repaint_after_many_partial_frames(qtbot: QtBot) -> None:
    pacer = shown_pacer(qtbot)
    pattern = BreathingPattern(rate_bpm=6.0, hold_after_inhale_s=1.0)
    checked = 0
    painted = pacer_state(pattern, 0.0)  # the state the last paint drew
    for frame in range(0, 700):  # 11 s at 60 Hz: a whole breath, a hold, countdown changes
        state = pacer_state(pattern, frame / 60.0)
        before = pacer.frames_painted
        pacer.show_state(state)
        QApplication.processEvents()
        if pacer.frames_painted != before:
            painted = state
        if frame % 100 == 99:
            assert differing_pixels(on_screen(pacer), fresh(qtbot, painted)) == 0, frame
            checked += 1
    assert checked == 7
    pacer.show_paused()
    QApplication.processEvents()
    assert differing_pixels(on_screen(pacer), fresh(qtbot, state, paused=True)) == 0


def test_a_slow_breath_asks_for_few_repaints(qtbot: QtBot) -> None:
    pacer = shown_pacer(qtbot)
    pattern = BreathingPattern(rate_bpm=3.0)
    pacer.show_state(pacer_state(pattern, 0.0))
    QApplication.processEvents()
    before = pacer.frames_painted
    for frame in range(1, 121):  # the first 2 s of a 10-s inhale
        pacer.show_state(pacer_state(pattern, frame / 60.0))
        QApplication.processEvents()
    painted = pacer.frames_painted - before
    assert 0 < painted < 60
