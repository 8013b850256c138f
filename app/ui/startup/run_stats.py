"""What `baseline --stats FILE` reports, gathered from the built app's pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.session.run_stats import RunStats

if TYPE_CHECKING:
    from app.ui.app import AppUi


def collect_run_stats(ui: AppUi, first_window_s: float | None = None) -> RunStats:
    """The first paint's time since the process start (`first_window_s`, measured by the
    caller), session time (the live session's, plus the breathing session's), pacer frames
    painted on every page, and the live page's frame intervals and beat-to-screen latencies."""
    seconds = 0.0
    frames = 0
    intervals: tuple[float, ...] = ()
    latencies: tuple[float, ...] = ()
    breathe = ui.breathe_page.built  # a page never built ran nothing
    if breathe is not None:
        frames += breathe.pacer.frames_painted
        if breathe.timer is not None:
            seconds += breathe.timer.active_s()
    live = ui.live_page.built if ui.live_page is not None else None
    if live is not None:
        frames += live.pacer.frames_painted
        if live.session is not None:
            seconds += live.session.active_s()
        intervals = tuple(float(v) for v in live.frame_intervals_s.last())
        latencies = tuple(float(v) for v in live.beat_latencies_s.last())
    assessment = ui.assessment_page.built if ui.assessment_page is not None else None
    if assessment is not None:
        frames += assessment.pacer.frames_painted
    return RunStats(seconds, frames, intervals, latencies, first_window_s)
