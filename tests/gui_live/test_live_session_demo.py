"""A full live session with the demo strap on simulated time: plots, numbers, storage, summary."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.hrv.coherence import coherence_at
from app.hrv.report import analyze
from app.session.core_metrics import CoreAnalysis
from app.session.engine import MIN_KEPT_S, SHORT_SESSION_NOTE
from app.session.live import RMSSD_WINDOW_S
from app.session.plot_data import corrected_beats
from app.session.sources import SourceOptions
from app.store import Store, open_store
from app.store.settings import AppSettings, save_settings
from app.ui.charts.live_plots import broken_at_gaps
from app.ui.pages.live_session import REDRAW_HEADROOM_MS, LiveSessionPage
from app.ui.services.settings_model import SettingsModel
from app.ui.widgets.live_numbers import format_number
from tests.stubs import hosted, run_scenario, wait_until

SPEED = math.inf  # the demo strap runs on simulated time, as fast as the loop allows
# For the end-to-end test: 50x real time, so the screen (30 Hz) refreshes and scores coherence
# every few seconds of session time, as it does in the app.
FAST_SPEED = 10.0  # the live screen scores and redraws as the strap runs: keep it within reach
HOSTS: list[tuple[QWidget, LiveSessionPage]] = []


@pytest.fixture(autouse=True)
def _release_hosts(qloop: asyncio.AbstractEventLoop) -> Iterator[None]:
    yield

    for host, page in HOSTS:
        if not qloop.is_closed():
            qloop.run_until_complete(close_page(page))
        host.close()
        host.deleteLater()
    HOSTS.clear()


async def close_page(page: LiveSessionPage) -> None:
    """Stop the session and let the source end on its own."""
    page.shutdown()
    task = page.source_task
    if task is not None and not task.done():
        await asyncio.wait({task}, timeout=5.0)


def make_page(
    qtbot: QtBot, store: Store, minutes: int = 5, speed: float = SPEED
) -> LiveSessionPage:
    settings = AppSettings(session_minutes=minutes, rate_bpm=6.0, sound_on=False)
    save_settings(store, settings)
    model = SettingsModel(store, settings)
    page = LiveSessionPage(
        store,
        model,
        CoreAnalysis(),
        SourceOptions(demo_speed=speed, demo_seed=11, demo_resonance_bpm=6.0),
    )
    host = hosted(page)
    host.resize(1280, 760)
    host.show()
    HOSTS.append((host, page))  # keep the window alive for the test
    return page


def started_demo_page(qtbot: QtBot, store: Store) -> LiveSessionPage:
    """A page streaming the demo strap at FAST_SPEED."""
    page = make_page(qtbot, store, speed=FAST_SPEED)
    page.picker.demo_button.setChecked(True)
    page.start()
    return page


def stored_arrays(store: Store, session_id: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    beats = store.beats(session_id)
    t_s = np.array([b.t_ms for b in beats]) / 1000.0
    rr = np.array([b.rr_ms for b in beats])
    gaps = np.array([b.gap_before for b in beats])
    return t_s, rr, gaps


@pytest.mark.slow  # a 300 s session at 10x: about 30 s
def test_demo_session_end_to_end(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, db_path: Path
) -> None:
    async def scenario() -> None:
        store = open_store(db_path)
        page = started_demo_page(qtbot, store)
        session = page.session
        assert session is not None and session.session_id is not None
        sid = session.session_id

        # Early on, numbers that need a minute of data say so.
        await wait_until(lambda: session.beats_received >= 10, 20, f"10 beats {session.connection}")
        early = session.snapshot()
        assert early.rmssd.value is None and early.rmssd.collecting_s_left is not None
        assert 0 < early.rmssd.collecting_s_left <= RMSSD_WINDOW_S
        page.refresh_live()
        assert page.numbers.rmssd.state.text().startswith("collecting")
        assert "Demo strap" in page.connection_label.text()
        assert "battery" in page.connection_label.text(), session.connection

        await wait_until(lambda: session.now_s() > 200.0, 30, "200 s of session time")
        # Coherence is scored on the screen's refresh; at full demo speed the session can pass
        # 200 s before a refresh scored one, so wait for the first score (then compare it below).
        await wait_until(lambda: bool(session.engine.coherence_ticks), 30, "a coherence score")
        # Freeze one instant: the snapshot the plots draw, and what the store holds at that moment.
        # The instant is the newest stored beat: at 50x a busy machine can leave the strap's
        # packets queued behind the clock, and what is compared must not depend on that.
        t_s, rr, gaps = stored_arrays(store, sid)
        now = float(t_s[-1])
        snap = session.engine.snapshot(now)
        page.plots.update_from(snap, force=True)
        assert t_s.size == snap.beats_total  # every beat the engine saw is stored, none more

        # The data behind the plots are the stored beats in the visible window, corrected.
        visible = t_s >= now - page.plots.window_s
        beats = corrected_beats(t_s[visible], rr[visible], gaps[visible])
        x, y = page.plots.hr_series()  # what the plot draws (clipped to the view)
        exp_x, exp_y = broken_at_gaps(beats.t_s, beats.hr_bpm, beats.gap_before)
        np.testing.assert_allclose(x, exp_x)
        np.testing.assert_allclose(y, exp_y)
        x, y = page.plots.rr_line_data()
        np.testing.assert_allclose(y, broken_at_gaps(beats.t_s, beats.rr_ms, beats.gap_before)[1])
        shown_x, _ = page.plots.rr_series()  # what is drawn: the data clipped to the view
        assert set(shown_x[np.isfinite(shown_x)]) <= set(x[np.isfinite(x)])
        mx, my = page.plots.hr_dots()
        np.testing.assert_allclose(my, beats.hr_bpm)
        np.testing.assert_allclose(mx, beats.t_s)
        ax, _ = page.plots.hr_rings()
        np.testing.assert_allclose(ax, beats.marked_t_s)
        # The breathing wave is drawn behind the heart rate over the same window.
        wx, wy = page.plots.wave()
        assert wx[0] >= now - page.plots.window_s - 0.5 and wx[-1] <= now + 0.5
        assert np.nanmax(wy) > np.nanmin(wy)

        # Live numbers agree with the analysis core on the same stored beats.
        in_window = t_s > now - RMSSD_WINDOW_S
        expected = analyze(rr[in_window], gap_before=gaps[in_window], correction="auto")
        assert snap.rmssd.value == pytest.approx(expected.rmssd_ms, rel=1e-12)
        tick = session.engine.coherence_ticks[-1]
        # The beats the engine had at that tick: the first `beats_seen` stored ones.
        seen = slice(0, tick.beats_seen)
        result = coherence_at(t_s[seen], rr[seen], gaps[seen], tick.active_s)
        assert result is not None
        assert (tick.score, tick.ratio, tick.band) == (result.score, result.ratio, result.band)
        assert snap.heart_rate.value is not None and 45 < snap.heart_rate.value < 95
        assert snap.hr_swing.value is not None and snap.hr_swing.value > 3.0
        page.numbers.show_numbers(snap.heart_rate, snap.rmssd, snap.coherence, snap.hr_swing)
        assert page.numbers.rmssd.value.text() == format_number(snap.rmssd)[0]
        assert page.numbers.coherence.toolTip().startswith("Coherence")

        # The timed session ends by itself; the reflection follows, then the summary.
        await wait_until(lambda: page.reflection_dialog is not None, 30, "the session to end")
        dialog = page.reflection_dialog
        assert dialog is not None
        dialog.before_spin.setValue(4)
        dialog.after_spin.setValue(2)
        dialog.note_edit.setPlainText("shoulders dropped")
        dialog.accept()
        await wait_until(lambda: page.summary is not None, 30, "the summary")
        summary = page.summary
        assert summary is not None

        record = store.session(sid)
        assert record is not None
        assert record.status == "complete"
        assert record.duration_s == pytest.approx(300.0, abs=0.5)
        assert (record.stress_before, record.stress_after, record.note) == (
            4,
            2,
            "shoulders dropped",
        )
        assert record.sensor_name == "Demo strap"
        t_s, rr, gaps = stored_arrays(store, sid)
        assert t_s.size == summary.n_beats > 250
        assert np.all(np.diff(t_s) > 0)
        assert t_s[-1] <= 301.0

        # Summary: before/after from the core on the first and last two minutes of beats.
        first = t_s <= t_s[0] + 120.0
        before = analyze(rr[first], gap_before=gaps[first])
        assert summary.before is not None and summary.after is not None
        assert summary.before.mean_hr_bpm == pytest.approx(before.mean_hr_bpm, rel=1e-9)
        assert summary.before.rmssd_ms == pytest.approx(before.rmssd_ms, rel=1e-9)
        last = t_s > t_s[-1] - 120.0
        after = analyze(rr[last], gap_before=gaps[last])
        assert summary.after.rmssd_ms == pytest.approx(after.rmssd_ms, rel=1e-9)
        whole = analyze(rr, gap_before=gaps)
        assert summary.artifact_pct == pytest.approx(whole.artifact_pct)
        points = summary.coherence_points
        assert points and summary.scored_s == pytest.approx(5.0 * len(points))
        assert summary.time_medium_s + summary.time_high_s == pytest.approx(
            5.0 * sum(p.band in ("medium", "high") for p in points)
        )
        # Breathing at the demo's resonance: most of the scored time is medium or high.
        assert summary.time_in_coherence_s >= 0.5 * summary.scored_s
        # The summary view shows it: the whole-session plot holds every stored beat.
        view = page.summary_view
        assert page.stack.currentWidget() is view
        hx, hy = view.hr_curve.getOriginalDataset()
        whole_plot = corrected_beats(t_s, rr, gaps)
        np.testing.assert_allclose(hx, whole_plot.t_s / 60.0)
        np.testing.assert_allclose(hy, whole_plot.hr_bpm)
        assert "shoulders dropped" in view.reflection.text()
        assert view.cells[("hr", "before")].text() == f"{before.mean_hr_bpm:.0f} bpm"
        assert not math.isnan(summary.duration_s)
        store.close()

    run_scenario(qloop, scenario())


def test_pause_is_marked_and_excluded(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, db_path: Path
) -> None:
    async def scenario() -> None:
        store = open_store(db_path)
        page = make_page(qtbot, store, minutes=0)
        page.start()
        session = page.session
        assert session is not None and session.session_id is not None
        await wait_until(lambda: session.now_s() > 90.0, 30)
        page.toggle_pause()
        paused_at = session.now_s()
        assert page.pause_button.text() == "Resume"
        assert page.pacer.phase_text == "Paused"
        await wait_until(lambda: session.now_s() > paused_at + 30.0, 30)
        page.toggle_pause()
        resumed_at = session.now_s()
        await wait_until(lambda: session.now_s() > resumed_at + 30.0, 30)
        active = session.active_s()
        assert active == pytest.approx(session.now_s() - (resumed_at - paused_at), abs=1e-6)
        page.stop(reflect=False)
        await wait_until(lambda: page.summary is not None, 30, "the summary")
        marks = store.marks(session.session_id)
        assert [m.kind for m in marks if m.kind in ("pause", "resume")] == ["pause", "resume"]
        record = store.session(session.session_id)
        assert record is not None and record.duration_s == pytest.approx(active, abs=0.5)
        # Beats kept arriving (and were stored) while paused.
        t_s = np.array([b.t_ms for b in store.beats(session.session_id)]) / 1000.0
        assert np.count_nonzero((t_s > paused_at + 2) & (t_s < resumed_at - 2)) > 15
        store.close()

    run_scenario(qloop, scenario())


def test_a_live_session_stopped_before_30_s_is_not_kept(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, db_path: Path
) -> None:
    messages: list[str] = []

    async def scenario() -> None:
        store = open_store(db_path)
        page = make_page(qtbot, store, speed=2.0)  # 3 beats are a few seconds: far under 30 s
        page.message.connect(messages.append)
        saved: list[int] = []
        page.session_saved.connect(saved.append)
        page.picker.demo_button.setChecked(True)
        page.start()
        session = page.session
        assert session is not None and session.session_id is not None
        await wait_until(lambda: session.beats_received >= 3, 20, "a few beats")
        assert session.active_s() < MIN_KEPT_S
        page.stop()
        assert saved == [] and page.reflection_dialog is None
        assert store.sessions() == []
        assert messages and messages[-1] == SHORT_SESSION_NOTE

    run_scenario(qloop, scenario())


def test_a_redraw_due_just_before_a_pacer_frame_follows_it(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, db_path: Path
) -> None:
    """While the pacer runs, a redraw of the plots that comes due just before a pacer frame
    waits for it (so it never delays one) and happens right after it; with time to spare, or
    with the pacer stopped, it happens at once."""

    async def scenario() -> None:
        store = open_store(db_path)
        page = started_demo_page(qtbot, store)
        session = page.session
        assert session is not None
        await wait_until(lambda: session.beats_received >= 3, 20, "3 beats")
        page.frame_timer.stop()  # no frames: new beats are drawn as they arrive
        page.plot_timer.stop()
        drawn = page.plots.repaints
        await wait_until(lambda: page.plots.repaints > drawn, 20, "a redraw without frames")
        redraws: list[float] = []
        redraw = page.refresh_live

        def counted() -> None:
            redraws.append(session.now_s())
            redraw()

        page.refresh_live = counted  # type: ignore[method-assign]
        page.frame_timer.start(1000)  # the next frame is far away: a due redraw runs at once
        page._last_live_refresh = -math.inf  # a redraw is due (a second has passed)
        page._live_tick()
        assert len(redraws) == 1
        page.frame_timer.start(REDRAW_HEADROOM_MS // 2)  # the next frame is near: it waits
        page._last_live_refresh = -math.inf
        page._live_tick()
        assert len(redraws) == 1  # not yet
        page.refresh_pacer()
        assert len(redraws) == 2  # right after the frame

    run_scenario(qloop, scenario())
