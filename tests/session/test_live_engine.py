"""The live engine: windows, collecting states, pauses, gaps, HR swing and snapshots."""

from __future__ import annotations

import numpy as np
import pytest

from app.breathing import BreathingPattern
from app.hrv.coherence import REACH_S
from app.session.live import (
    COHERENCE_EVERY_S,
    COHERENCE_WINDOW_S,
    RMSSD_WINDOW_S,
    LiveEngine,
)
from app.session.pacing import breath_starts_for, wave_for
from tests.session.synthetic import TextbookAnalysis, rsa_beats, textbook_rmssd

PATTERN = BreathingPattern(rate_bpm=6.0)


def make_engine(analysis: TextbookAnalysis | None = None) -> LiveEngine:
    return LiveEngine(analysis or TextbookAnalysis(), breath_starts_for(PATTERN), wave_for(PATTERN))


def feed_until(engine: LiveEngine, beats: list[tuple[float, float]], now_s: float) -> None:
    """Feed beats up to `now_s`, taking a snapshot every 0.5 s like a UI timer would."""
    t_next = 0.0
    for t_s, rr in beats:
        if t_s > now_s:
            break
        while t_next < t_s:
            engine.snapshot(t_next)
            t_next += 0.5
        engine.add_beat(t_s, rr)
    while t_next <= now_s:
        engine.snapshot(t_next)
        t_next += 0.5


def test_numbers_say_collecting_until_enough_data() -> None:
    engine = make_engine()
    beats = rsa_beats(200.0, noise_ms=5.0)
    feed_until(engine, beats, 20.0)
    snap = engine.snapshot(20.0)
    first_beat = beats[0][0]
    assert snap.rmssd.value is None
    assert snap.rmssd.collecting_s_left == pytest.approx(RMSSD_WINDOW_S - (20.0 - first_beat))
    assert snap.coherence.value is None
    assert snap.coherence.collecting_s_left is not None
    assert snap.coherence.collecting_s_left >= COHERENCE_WINDOW_S - 20.0
    assert snap.heart_rate.value is not None


def test_rmssd_is_the_core_value_on_the_last_60_s() -> None:
    engine = make_engine()
    beats = rsa_beats(200.0, noise_ms=8.0)
    feed_until(engine, beats, 130.0)
    snap = engine.snapshot(130.0)
    window = [(t, rr) for t, rr in beats if 70.0 < t <= 130.0]
    expected = textbook_rmssd([rr for _, rr in window], [False] * len(window))
    assert snap.rmssd.value == pytest.approx(expected, rel=1e-12)
    rr, gaps = engine.rmssd_window(130.0)
    np.testing.assert_array_equal(rr, [r for _, r in window])
    assert not gaps.any()


def test_rmssd_follows_a_beat_leaving_its_window_within_the_same_second() -> None:
    """No new beat, the same whole second: the value still matches the window at that moment."""
    engine = make_engine()
    beats = rsa_beats(200.0, noise_ms=8.0)
    # the first moment after 130 s where the oldest beat of the 60-s window leaves it
    leaving = min(t for t, _ in beats if t > 70.05) + RMSSD_WINDOW_S
    before, after = leaving - 0.01, leaving + 0.01
    assert int(before) == int(after) and not any(before < t <= after for t, _ in beats)
    feed_until(engine, beats, before)  # its last snapshot falls earlier in the same second
    for now in (before, after):
        snap = engine.snapshot(now)
        window = [rr for t, rr in beats if now - RMSSD_WINDOW_S < t <= now]
        assert snap.rmssd.value == pytest.approx(textbook_rmssd(window, [False] * len(window)))
    first = len([t for t, _ in beats if before - RMSSD_WINDOW_S < t <= before])
    assert first == len([t for t, _ in beats if after - RMSSD_WINDOW_S < t <= after]) + 1


def test_coherence_every_5_s_on_gap_free_64_s() -> None:
    analysis = TextbookAnalysis()
    engine = make_engine(analysis)
    beats = rsa_beats(200.0, noise_ms=3.0)
    feed_until(engine, beats, 150.0)
    ticks = engine.coherence_ticks
    assert ticks, "coherence never computed"
    # On the fixed grid of active time: every 5 s, no moment skipped once the window is full.
    moments = [tick.active_s for tick in ticks]
    assert all(m % COHERENCE_EVERY_S == 0.0 for m in moments)
    np.testing.assert_array_equal(np.diff(moments), COHERENCE_EVERY_S)
    assert ticks[0].active_s >= COHERENCE_WINDOW_S
    assert moments[-1] >= 145.0
    # Each moment was asked once, in order, and saw only beats up to that moment.
    assert analysis.coherence_moments == sorted(set(analysis.coherence_moments))
    beat_t = np.array([t for t, _ in beats])
    beat_rr = np.array([rr for _, rr in beats])
    for at, rr in zip(analysis.coherence_moments, analysis.coherence_inputs, strict=True):
        expected = beat_rr[(beat_t > at - REACH_S) & (beat_t <= at)]
        np.testing.assert_array_equal(rr, expected)
        if at in moments:
            assert float(np.sum(rr)) / 1000.0 >= COHERENCE_WINDOW_S


def test_coherence_moment_waits_for_its_last_beat() -> None:
    """A moment is scored once a later beat arrived (all its beats are in), not before."""
    analysis = TextbookAnalysis()
    engine = make_engine(analysis)
    beats = rsa_beats(120.0, noise_ms=3.0)
    upto = [b for b in beats if b[0] <= 100.0]
    engine.add_beats((t, rr, False) for t, rr in upto)
    engine.snapshot(101.0)  # 100 s is due, but no beat after it yet: a beat may be on its way
    assert engine.coherence_ticks[-1].active_s == 95.0
    late = next(b for b in beats if b[0] > 100.0)
    engine.add_beat(*late)
    engine.snapshot(101.0)
    assert engine.coherence_ticks[-1].active_s == 100.0
    assert engine.coherence_ticks[-1].beats_seen == len(upto) + 1
    # Without a later beat the moment waits (the link may be down), keeping the last score.
    engine.snapshot(140.0)
    assert engine.coherence_ticks[-1].active_s == 100.0
    assert engine.snapshot(140.0).coherence.value == engine.coherence_ticks[-1].score


def test_pause_excludes_time_and_beats_from_metrics() -> None:
    engine = make_engine()
    beats = rsa_beats(300.0, noise_ms=8.0)
    feed_until(engine, [b for b in beats if b[0] <= 100.0], 100.0)
    engine.pause(100.0)
    # During the pause the beats are wild: they must not reach any metric.
    wild = [(t, rr * (1.5 if i % 2 else 0.7)) for i, (t, rr) in enumerate(beats) if 100 < t <= 130]
    for t, rr in wild:
        engine.add_beat(t, rr)
    snap = engine.snapshot(130.0)
    assert snap.paused
    assert snap.active_s == pytest.approx(100.0)
    engine.resume(130.0)
    after = [b for b in beats if 130.0 < b[0] <= 160.0]
    for t, rr in after:
        engine.add_beat(t, rr)
    snap = engine.snapshot(160.0)
    assert snap.active_s == pytest.approx(130.0)
    # Window: last 60 s of active time = active (70, 130] = session (70, 100] + (130, 160].
    kept = [b for b in beats if 70.0 < b[0] <= 100.0] + after
    gaps = [False] * len(kept)
    gaps[sum(1 for b in beats if 70.0 < b[0] <= 100.0)] = True
    assert snap.rmssd.value == pytest.approx(textbook_rmssd([r for _, r in kept], gaps))
    # The paused beats are still on the plot, and the pause is marked.
    assert np.isin([t for t, _ in wild], snap.beat_t_s).all()
    assert snap.pause_spans == ((100.0, 130.0),)
    # The pacer wave stands still (is not drawn) during the pause and continues after it.
    in_pause = (snap.wave_t_s > 100.0) & (snap.wave_t_s < 130.0)
    assert np.isnan(snap.wave[in_pause]).all()
    after_pause = snap.wave_t_s >= 131.0
    expected_wave = wave_for(PATTERN)(snap.wave_t_s[after_pause] - 30.0)
    np.testing.assert_allclose(snap.wave[after_pause], expected_wave, atol=1e-12)


def test_gap_is_never_differenced_and_is_marked() -> None:
    engine = make_engine()
    beats = rsa_beats(200.0, noise_ms=8.0)
    before = [b for b in beats if b[0] <= 90.0]
    after = [b for b in beats if b[0] > 100.0]
    feed_until(engine, before, 90.0)
    engine.link_down(91.0)  # noticed at 91 s; the data stopped at the last beat
    snap = engine.snapshot(95.0)
    last_beat = before[-1][0]
    assert snap.link_down_since_s == last_beat
    assert snap.gap_spans[-1] == (last_beat, 95.0)
    engine.link_up(100.5)
    for i, (t, rr) in enumerate(after):
        if t > 140.0:
            break
        engine.add_beat(t, rr, gap_before=i == 0)
    snap = engine.snapshot(140.0)
    assert (last_beat, 100.5) in snap.gap_spans
    window = [b for b in beats if 80.0 < b[0] <= 140.0 and not (90.0 < b[0] <= 100.0)]
    gaps = [b[0] > 100.0 and window[i - 1][0] <= 90.0 for i, b in enumerate(window)]
    assert sum(gaps) == 1
    assert snap.rmssd.value == pytest.approx(textbook_rmssd([r for _, r in window], gaps))
    first_after = int(np.searchsorted(snap.beat_t_s, after[0][0]))
    assert snap.gap_before[first_after]


def test_hr_swing_per_breath_matches_the_wave() -> None:
    engine = make_engine()
    swing_ms = 60.0
    beats = rsa_beats(200.0, swing_ms=swing_ms, breath_hz=0.1)
    feed_until(engine, beats, 25.0)
    early = engine.snapshot(25.0).hr_swing
    feed_until(engine, beats, 120.0)
    snap = engine.snapshot(120.0)
    # The expected swing from the beats themselves: max - min HR within each 10 s breath.
    t = np.array([b[0] for b in beats])
    hr = 60000.0 / np.array([b[1] for b in beats])
    breaths = [(k * 10.0, (k + 1) * 10.0) for k in (9, 10, 11)]
    expected = [np.ptp(hr[(t >= lo) & (t < hi)]) for lo, hi in breaths]
    swing = snap.hr_swing.value
    assert swing == pytest.approx(float(np.mean(expected)), rel=1e-9)
    upper = 60000.0 / (1000.0 - swing_ms) - 60000.0 / (1000.0 + swing_ms)
    assert swing is not None and 0.8 * upper < swing <= upper
    assert early.value is not None  # two full breaths by 25 s


def test_snapshot_is_read_only_and_bounded() -> None:
    engine = make_engine()
    engine.plot_window_s = 150.0
    beats = rsa_beats(400.0)
    feed_until(engine, beats, 400.0)
    snap = engine.snapshot(400.0)
    assert snap.beat_t_s[0] >= 250.0
    assert snap.beat_t_s.size == snap.rr_ms.size == snap.hr_bpm.size == snap.gap_before.size
    for arr in (snap.beat_t_s, snap.rr_ms, snap.hr_bpm, snap.gap_before, snap.wave, snap.wave_t_s):
        assert not arr.flags.writeable
    engine.add_beat(400.5, 900.0)
    assert snap.beat_t_s[-1] < 400.5  # a later beat does not change an earlier snapshot
    np.testing.assert_allclose(snap.hr_bpm, 60000.0 / snap.rr_ms)


def test_no_rr_strap_shows_heart_rate_only() -> None:
    engine = make_engine()
    for i in range(90):
        engine.add_reading(float(i), 70.0)
    snap = engine.snapshot(89.5)
    assert snap.heart_rate.value == 70.0
    assert snap.rmssd.value is None and snap.rmssd.note == "needs RR data"
    assert snap.coherence.value is None and snap.coherence.note == "needs RR data"
