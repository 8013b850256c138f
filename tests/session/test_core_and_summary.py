"""Live numbers agree with the analysis core on real data; the summary on a session with a pause."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.hrv.artifacts import correct_artifacts
from app.hrv.coherence import REACH_S, coherence_at, coherence_score
from app.hrv.report import analyze
from app.session.core_metrics import CoreAnalysis
from app.session.live import LiveEngine
from app.session.summary import session_beats, session_time, summarize_session
from app.store.database import now_local
from app.store.records import BeatRecord, MarkRecord, SessionKind, SessionRecord, SessionStatus
from tests.session.synthetic import rsa_beats

RR_DIR = Path(__file__).resolve().parents[1] / "data" / "rr"


def load_rr(name: str) -> np.ndarray:
    return np.loadtxt(RR_DIR / name)


@pytest.mark.parametrize(
    "name", ["artifacts_40min_polar_noisy_rri.txt", "slowbreath_11min_meditation_Y2med.txt"]
)
def test_live_rmssd_equals_the_report_on_real_windows(name: str) -> None:
    rr = load_rr(name)
    core = CoreAnalysis()
    rng = np.random.default_rng(3)
    for start in rng.integers(0, rr.size - 80, 8):
        window = rr[start : start + 70]
        gaps = np.zeros(window.size, dtype=bool)
        gaps[35] = True  # a link drop in the middle of the window
        expected = analyze(window, gap_before=gaps, correction="auto").rmssd_ms
        assert core.rmssd_ms(window, gaps) == pytest.approx(expected, rel=1e-12)


def test_live_engine_on_a_real_recording_matches_the_core() -> None:
    """Feed a real slow-breathing recording beat by beat; compare with the core directly."""
    rr = load_rr("slowbreath_11min_meditation_Y2med.txt")[:400]
    t = np.cumsum(rr) / 1000.0
    engine = LiveEngine(CoreAnalysis())
    now = 0.0
    for t_s, r in zip(t, rr, strict=True):
        while now < t_s:
            engine.snapshot(now)
            now += 0.25
        engine.add_beat(float(t_s), float(r))
    snap = engine.snapshot(float(t[-1]))
    window = t > t[-1] - 60.0
    expected = analyze(rr[window], gap_before=np.zeros(int(window.sum()), bool))
    assert snap.rmssd.value == pytest.approx(expected.rmssd_ms, rel=1e-12)
    ticks = engine.coherence_ticks
    assert len(ticks) > 20
    for tick in ticks[-5:]:
        seen = slice(0, tick.beats_seen)
        direct = coherence_at(t[seen], rr[seen], None, tick.active_s)
        assert direct is not None
        assert (tick.score, tick.ratio, tick.band) == (direct.score, direct.ratio, direct.band)
        # The same beats scored without the ones that arrived after the moment: identical.
        in_window = (t > tick.active_s - REACH_S) & (t <= tick.active_s)
        plain = coherence_score(correct_artifacts(rr[in_window]).rr_ms)
        assert plain == direct
    # Slow breathing near 0.1 Hz: the recording's best windows are coherent.
    assert max(tick.ratio for tick in ticks) > 1.0


def test_summary_before_after_and_pause() -> None:
    # 4 min of calm breathing, a 60 s pause (beats keep coming, wild), then 4 more minutes.
    first = rsa_beats(240.0, mean_rr_ms=800.0, swing_ms=20.0, noise_ms=4.0, seed=1)
    paused = [(t, rr * 1.6) for t, rr in rsa_beats(60.0, start_s=240.0, seed=2)]
    second = rsa_beats(240.0, start_s=300.0, mean_rr_ms=1000.0, swing_ms=80.0, noise_ms=4.0)
    beats = [BeatRecord(t * 1000.0, rr) for t, rr in first + paused + second]
    marks = [MarkRecord(240_000.0, "pause"), MarkRecord(300_000.0, "resume")]
    record = SessionRecord(
        id=1,
        kind=SessionKind.BREATHING,
        started_at=now_local(),
        ended_at=None,
        status=SessionStatus.COMPLETE,
        rate_bpm=6.0,
        duration_s=480.0,
        stress_before=6,
        stress_after=3,
        note="warm tea after",
    )
    summary = summarize_session(record, beats, marks, CoreAnalysis())
    sb = session_beats(beats, marks)
    assert int(np.isnan(sb.active_s).sum()) == sum(240.0 < t < 300.0 for t, _ in paused)
    assert sb.gap_before[len(first) + len(paused)]  # no difference across the pause
    assert summary.before is not None and summary.after is not None
    rr_first = np.array([rr for t, rr in first if t <= first[0][0] + 120.0])
    assert summary.before.mean_hr_bpm == pytest.approx(analyze(rr_first).mean_hr_bpm)
    rr_last = np.array([rr for t, rr in second if t > second[-1][0] - 120.0])
    assert summary.after.mean_hr_bpm == pytest.approx(analyze(rr_last).mean_hr_bpm, rel=1e-9)
    assert summary.after.mean_hr_bpm is not None and summary.before.mean_hr_bpm is not None
    assert summary.hr_change_bpm == pytest.approx(
        summary.after.mean_hr_bpm - summary.before.mean_hr_bpm
    )
    # The last period is placed on the session-time axis after the pause.
    assert summary.after.end_t_s == pytest.approx(second[-1][0], abs=1e-6)
    assert session_time(250.0, sb.pause_spans) == pytest.approx(310.0)
    # Slow, large waves in the second half: more coherence there than in the first half.
    assert summary.after.coherence is not None and summary.before.coherence is not None
    assert summary.after.coherence > summary.before.coherence
    assert (summary.stress_before, summary.stress_after, summary.note) == (6, 3, "warm tea after")
    assert summary.n_beats == len(beats)
