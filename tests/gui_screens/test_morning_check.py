"""The morning check while measuring (live heart rate, contact, countdown, a calm cue) and its
result in words against the person's own normal range."""

from __future__ import annotations

import asyncio
import math
from datetime import date, timedelta

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.recovery.normal_range import RangePosition
from app.store import Store
from app.store.daily import save_day
from app.store.records import LogEntry
from app.ui.dialogs.readiness import CALM_CUE, HEART_RATE_FRESH_S, ReadinessDialog
from app.ui.widgets.range_bar import range_positions
from sensors.source import ConnectionEvent, EventKind
from tests.gui_screens.helpers import calm_rr, make_dialog, packet
from tests.stubs import FakeClock, ScriptedSource, run_scenario, wait_until


def test_measuring_shows_heart_rate_contact_countdown_and_a_calm_cue(
    store: Store, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    clock = FakeClock(1000.0)
    strap = ScriptedSource()
    dialog = make_dialog(qtbot, store, strap, clock)

    async def scenario() -> None:
        dialog.start_button.click()
        assert dialog.contact_label.text() == "Waiting for the strap\u2026"
        assert "\u2013 bpm" in dialog.heart_label.text()
        strap.connect(clock.now_s, "H10", "AA:BB")
        strap.put(packet(clock.advance(1.0), 0, contact=False))  # settling, no contact yet
        await wait_until(lambda: "No skin contact" in dialog.contact_label.text())
        assert "\u2013 bpm" in dialog.heart_label.text()  # a 0 bpm packet is no heart rate
        assert dialog.state == "connecting"
        for rr in calm_rr(12, 40.0):
            strap.put(packet(clock.advance(rr / 1000.0), 61, (rr,)))
        await wait_until(lambda: dialog.state == "measuring")
        await wait_until(lambda: dialog.heart_label.text() == "\u2665 61 bpm")
        assert dialog.contact_label.text() == "\u25cf Good skin contact"
        assert dialog.prompt_label.text() == "Sit still and breathe naturally."
        assert dialog.cue_label.text() == CALM_CUE
        await wait_until(lambda: dialog.countdown_label.text() not in ("", "1:00"))
        # The countdown runs on the session clock: 12 beats of about a second have passed.
        assert dialog.countdown_label.text() in ("0:49", "0:50", "0:51")
        # Contact lost mid-check: said at once, and the heart rate is no longer live.
        strap.put(ConnectionEvent(EventKind.CONTACT_LOST, clock.advance(0.5)))
        await wait_until(lambda: "No skin contact" in dialog.contact_label.text())
        strap.put(ConnectionEvent(EventKind.CONTACT_REGAINED, clock.advance(0.5)))
        await wait_until(lambda: dialog.contact_label.text() == "\u25cf Good skin contact")
        # Nothing arrives for a while: the heart rate shown goes stale instead of freezing.
        clock.advance(HEART_RATE_FRESH_S + 1.0)
        await wait_until(lambda: "\u2013 bpm" in dialog.heart_label.text())
        dialog.stop_button.click()

    run_scenario(qloop, scenario())
    assert dialog.state == "setup"


def _history(store: Store, today: date, n_days: int, rmssd_ms: float) -> None:
    rng = np.random.default_rng(9)
    for back in range(1, n_days + 1):
        value = float(rmssd_ms * math.exp(rng.normal(0.0, 0.12)))
        save_day(store, LogEntry((today - timedelta(days=back)).isoformat(), rmssd_ms=value))


def _run_check(
    qtbot: QtBot, store: Store, qloop: asyncio.AbstractEventLoop, rmssd_ms: float
) -> ReadinessDialog:
    clock = FakeClock(1000.0)
    strap = ScriptedSource()
    dialog = make_dialog(qtbot, store, strap, clock)

    async def scenario() -> None:
        dialog.start_button.click()
        strap.connect(clock.now_s, "H10", "AA:BB")
        # One packet at a time, each taken in before the clock moves on (as a strap sends).
        for i, rr in enumerate(calm_rr(75, rmssd_ms), start=1):
            strap.put(packet(clock.advance(rr / 1000.0), 60, (rr,)))
            await wait_until(
                lambda n=i: (
                    dialog.state == "result"  # type: ignore[misc]
                    or (dialog.recorder is not None and len(dialog.recorder.beats) >= n)
                )
            )
            if dialog.state == "result":
                break
        await wait_until(lambda: dialog.state == "result", 30.0)

    run_scenario(qloop, scenario())
    return dialog


def test_the_result_says_below_the_normal_range_in_words(
    store: Store, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    _history(store, date.today(), 30, rmssd_ms=70.0)
    dialog = _run_check(qtbot, store, qloop, rmssd_ms=35.0)
    assert dialog.outcome is not None, dialog.refusal
    comparison = dialog.comparison
    assert comparison is not None and comparison.position is RangePosition.BELOW
    assert dialog.result_heading.text() == "Your morning value"
    assert dialog.value_label.text() == f"HRV {dialog.outcome.rmssd_ms:.0f} ms"
    text = dialog.result_label.text()
    assert "below your normal range" in text and comparison.range_text in text
    assert "go gently" in text
    assert "lnRMSSD" not in text
    assert not dialog.details.expanded and "lnRMSSD" in dialog.details.text()
    # The picture agrees with the words: the dot lies left of the band.
    assert dialog.range_bar.isVisibleTo(dialog)
    assert dialog.range_bar.shares is not None
    band_start, _band_end, dot = dialog.range_bar.shares
    assert 0.0 <= dot < band_start
    dialog.details.button.click()
    assert dialog.details.text_label.isVisible()


def test_the_result_says_within_the_normal_range(
    store: Store, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    _history(store, date.today(), 30, rmssd_ms=36.0)
    dialog = _run_check(qtbot, store, qloop, rmssd_ms=36.0)
    assert dialog.comparison is not None, dialog.refusal
    assert dialog.comparison.position is RangePosition.WITHIN
    assert "within your normal range" in dialog.result_label.text()
    assert dialog.range_bar.shares is not None
    band_start, band_end, dot = dialog.range_bar.shares
    assert band_start <= dot <= band_end


def test_with_few_days_the_result_says_how_many_more_are_needed(
    store: Store, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    _history(store, date.today(), 4, rmssd_ms=50.0)
    dialog = _run_check(qtbot, store, qloop, rmssd_ms=40.0)
    assert dialog.comparison is not None, dialog.refusal
    assert dialog.comparison.position is RangePosition.TOO_FEW_DAYS
    text = dialog.result_label.text()
    assert "you have 4 mornings so far, 10 more mornings to go" in text
    assert not dialog.range_bar.isVisibleTo(dialog)  # no range yet, no picture of one


def test_range_positions_place_the_band_and_the_dot_on_one_track() -> None:
    start, end, dot = range_positions(40.0, 35.0, 48.0)
    assert 0.0 < start < dot < end < 1.0
    start, end, dot = range_positions(20.0, 35.0, 48.0)  # far below: still on the track
    assert 0.0 < dot < start < end < 1.0
    start, end, dot = range_positions(90.0, 35.0, 48.0)
    assert 0.0 < start < end < dot < 1.0
    with pytest.raises(ValueError, match="high > low"):
        range_positions(40.0, 48.0, 48.0)
