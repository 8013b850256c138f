"""What `baseline --stats FILE` reports, gathered from the built app's pages."""

from __future__ import annotations

from app.session.run_stats import RunStats
from app.ui.app import AppUi


def collect_run_stats(ui: AppUi, first_window_s: float | None = None) -> RunStats:
    """The first paint's time since the process start (`first_window_s`, measured by the
    caller), session time (the live session's, plus the breathing session's), pacer frames
    painted on every page, and the live page's frame intervals and beat-to-screen latencies."""
    seconds = 0.0
    frames = ui.breathe.pacer.frames_painted
    intervals: tuple[float, ...] = ()
    latencies: tuple[float, ...] = ()
    timer = ui.breathe.timer
    if timer is not None:
        seconds += timer.active_s()
    live = ui.live
    if live is not None:
        frames += live.pacer.frames_painted
        if live.session is not None:
            seconds += live.session.active_s()
        intervals = tuple(float(v) for v in live.frame_intervals_s.last())
        latencies = tuple(float(v) for v in live.beat_latencies_s.last())
    if ui.assessment is not None:
        frames += ui.assessment.pacer.frames_painted
    return RunStats(seconds, frames, intervals, latencies, first_window_s)
