"""One coherence number: the same minutes give the same number live, in the summary, in the
History detail, in the printable report and in the assessment's step analysis.

A real slow-breathing recording (PhysioNet Y2med, tests/data/rr) is played through the real live
session (recorder, beat clock, live engine) as strap packets about once a second on a fake clock;
the other screens then read what was stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from app.breathing import BreathingPattern
from app.breathing.resonance import analyze_step
from app.hrv.coherence import REACH_S, CoherenceBand, band_for_score, format_coherence
from app.session.controller import LiveSession
from app.session.core_metrics import CoreAnalysis
from app.session.detail import report_text, session_detail
from app.session.live import CoherenceTick
from app.session.summary import (
    HALVES_BELOW_S,
    MIN_COMPARE_S,
    PERIOD_S,
    Comparison,
    session_beats,
    summarize_session,
)
from app.store import Store, open_store
from app.store.database import now_local
from app.store.records import BeatRecord, SessionKind, SessionRecord, SessionStatus
from app.ui.dialogs.report_content import hrv_sections, session_hrv
from sensors.hrs import encode_measurement, parse_measurement
from sensors.source import ConnectionEvent, EventKind, Sample
from tests.session.synthetic import rsa_beats
from tests.stubs import FakeClock

RR_FILE = (
    Path(__file__).resolve().parents[1] / "data" / "rr" / "slowbreath_11min_meditation_Y2med.txt"
)


PLAYED_S = 480.0


@dataclass(frozen=True)
class Played:
    store: Store
    session_id: int
    ticks: tuple[CoherenceTick, ...]
    last_beat_active_s: float


def play(db_path: Path, *, pause: tuple[float, float] | None = None) -> Played:
    """The recording's first 8 minutes as ~1 s strap packets (with a little delivery delay), the
    UI asking for a snapshot 4 times a second; optionally paused between two recording times
    (the strap keeps sending)."""
    rr_ms = np.loadtxt(RR_FILE)
    rr_ms = rr_ms[np.cumsum(rr_ms) <= PLAYED_S * 1000.0]
    units = np.round(rr_ms * 1.024).astype(int)  # 1/1024 s, as a strap sends them
    ends_s = np.cumsum(units) / 1024.0
    store = open_store(db_path)
    clock = FakeClock(500.0)
    session = LiveSession(store, BreathingPattern(rate_bpm=6.0), CoreAnalysis(), clock=clock)
    sid = session.start()
    start = clock.now_s + 0.4  # the strap's first beat ends a moment after the session starts
    session.on_item(ConnectionEvent(EventKind.CONNECTED, clock.now_s, name="H10", address="AA"))
    rng = np.random.default_rng(11)
    sent = 0
    packet_at = 1.0
    paused = False
    while sent < units.size:
        due = int(np.searchsorted(ends_s, packet_at, side="right"))
        arrival = start + packet_at + float(rng.uniform(0.02, 0.15))
        while clock.now_s + 0.25 < arrival:
            clock.now_s += 0.25
            session.snapshot()
        clock.now_s = arrival
        if pause is not None and not paused and packet_at >= pause[0]:
            session.pause()
            paused = True
        if (
            pause is not None
            and paused
            and packet_at >= pause[1]
            and session.timer.state == "paused"
        ):
            session.resume()
        if due > sent:
            payload = encode_measurement(
                int(60000 / rr_ms[due - 1]), contact=True, rr_units=tuple(units[sent:due])
            )
            session.on_item(Sample(parse_measurement(payload), clock.now_s))
            sent = due
        session.snapshot()
        packet_at += 1.0
    session.stop()
    ticks = session.engine.coherence_ticks
    beats = store.beats(sid)
    last_active = session.engine.active_time(beats[-1].t_ms / 1000.0)
    return Played(store, sid, ticks, last_active)


def live_mean(ticks: tuple[CoherenceTick, ...], lo: float, hi: float) -> float:
    scores = [t.score for t in ticks if lo <= t.active_s <= hi]
    assert scores
    return float(np.mean(scores))


@pytest.mark.slow
def test_the_same_minutes_give_the_same_number_on_every_screen(db_path: Path) -> None:
    played = play(db_path)
    store, sid, ticks = played.store, played.session_id, played.ticks
    assert len(ticks) >= (PLAYED_S - 70.0) / 5.0
    moments = [t.active_s for t in ticks]
    np.testing.assert_array_equal(np.diff(moments), 5.0)  # none skipped, none twice
    record = store.session(sid)
    assert record is not None
    beats, marks = store.beats(sid), store.marks(sid)

    # (a) live: the mean of the scores the live screen showed, first to last beat.
    session_mean = live_mean(ticks, 0.0, played.last_beat_active_s)

    # (b) the summary: the same 5 s scores, and the session's coherence is exactly their mean.
    summary = summarize_session(record, beats, marks, CoreAnalysis())
    assert [(p.active_s, p.score, p.band) for p in summary.coherence_points] == [
        (t.active_s, t.score, t.band) for t in ticks if t.active_s <= played.last_beat_active_s
    ]
    assert summary.coherence == session_mean
    # Its first / last 2 min: the live scores whose whole window lies inside each.
    assert summary.comparison is Comparison.FIRST_LAST
    for period in (summary.before, summary.after):
        assert period is not None
        lo, hi = period.start_active_s, period.end_active_s
        assert period.coherence == live_mean(ticks, lo + REACH_S - 1e-9, hi)

    # (c) the History detail view's report and the printable report show the same number.
    detail = session_detail(record, beats, marks, CoreAnalysis())
    assert detail.report is not None and detail.report.coherence == session_mean
    assert report_text("coherence", detail.report.coherence, "", 1) == format_coherence(
        session_mean
    )
    _, printed, _ = session_hrv(store, sid)
    assert printed is not None and printed.coherence == session_mean
    rows = [row for section in hrv_sections(printed) for row in section.rows]
    assert ("Coherence (0-10)", format_coherence(session_mean)) in rows

    # (d) the assessment's step analysis over minutes 2-6 of the same beats.
    t_ms = [b.t_ms for b in beats]
    step = analyze_step(
        t_ms,
        [b.rr_ms for b in beats],
        [b.gap_before for b in beats],
        pattern=BreathingPattern(rate_bpm=6.0),
        step_start_s=120.0,
        step_end_s=360.0,
    )
    assert step.coherence == live_mean(ticks, 120.0 + 20.0 + REACH_S, 360.0)

    # Slow breathing at about 6/min: mostly medium or better, and the bands follow the scores.
    assert 4.0 < session_mean < 6.0
    assert all(t.band is band_for_score(t.score) for t in ticks)
    assert summary.time_in_coherence_s >= 0.4 * summary.scored_s


@pytest.mark.slow
def test_a_pause_changes_nothing_between_live_and_summary(db_path: Path) -> None:
    played = play(db_path, pause=(200.0, 260.0))
    record = played.store.session(played.session_id)
    assert record is not None
    beats, marks = played.store.beats(played.session_id), played.store.marks(played.session_id)
    assert [m.kind for m in marks] == ["pause", "resume"]
    summary = summarize_session(record, beats, marks, CoreAnalysis())
    assert [(p.active_s, p.score) for p in summary.coherence_points] == [
        (t.active_s, t.score) for t in played.ticks if t.active_s <= played.last_beat_active_s
    ]
    assert summary.coherence == live_mean(played.ticks, 0.0, played.last_beat_active_s)
    detail = session_detail(record, beats, marks, CoreAnalysis())
    assert detail.report is not None and detail.report.coherence == summary.coherence


def _summary_of(duration_s: float) -> tuple[list[BeatRecord], SessionRecord]:
    beats = [
        BeatRecord(t * 1000.0, rr)
        for t, rr in rsa_beats(duration_s, mean_rr_ms=900.0, swing_ms=60.0, noise_ms=5.0)
    ]
    record = SessionRecord(
        id=1,
        kind=SessionKind.BREATHING,
        started_at=now_local(),
        ended_at=None,
        status=SessionStatus.COMPLETE,
        rate_bpm=6.0,
        duration_s=duration_s,
        stress_before=None,
        stress_after=None,
        note=None,
    )
    return beats, record


@pytest.mark.parametrize(
    ("duration_s", "comparison"),
    [
        (40.0, Comparison.TOO_SHORT),
        (59.0, Comparison.TOO_SHORT),
        (90.0, Comparison.HALVES),
        (180.0, Comparison.HALVES),
        (239.0, Comparison.HALVES),
        (300.0, Comparison.FIRST_LAST),
        (600.0, Comparison.FIRST_LAST),
    ],
)
def test_summary_stretches_never_overlap(duration_s: float, comparison: Comparison) -> None:
    beats, record = _summary_of(duration_s)
    summary = summarize_session(record, beats, [], CoreAnalysis())
    assert summary.comparison is comparison
    sb = session_beats(beats, [])
    first, last = float(sb.active_s[0]), float(sb.active_s[-1])
    if comparison is Comparison.TOO_SHORT:
        assert last - first < MIN_COMPARE_S
        assert summary.before is None and summary.after is None
        assert summary.hr_change_bpm is None
        return
    before, after = summary.before, summary.after
    assert before is not None and after is not None
    assert before.end_active_s <= after.start_active_s  # not one shared second
    in_before = (sb.active_s > before.start_active_s) & (sb.active_s <= before.end_active_s)
    in_after = (sb.active_s > after.start_active_s) & (sb.active_s <= after.end_active_s)
    assert not np.any(in_before & in_after)
    assert in_before[0] and in_after[-1]
    if comparison is Comparison.HALVES:
        assert last - first < HALVES_BELOW_S
        half = (last - first) / 2.0
        assert before.end_active_s == pytest.approx(first + half)
        assert after.start_active_s == pytest.approx(first + half)
        assert after.end_active_s == pytest.approx(last)
        # Every beat is in exactly one half.
        assert np.all(in_before ^ in_after)
    else:
        assert before.end_active_s == pytest.approx(first + PERIOD_S)
        assert after.start_active_s == pytest.approx(last - PERIOD_S)
    assert before.mean_hr_bpm is not None and after.mean_hr_bpm is not None
    # Coherence of a stretch only from scores whose window lies wholly inside it.
    for period in (before, after):
        inside = [
            p.score
            for p in summary.coherence_points
            if p.active_s - REACH_S >= period.start_active_s - 1e-6
            and p.active_s <= period.end_active_s
        ]
        assert period.coherence == (float(np.mean(inside)) if inside else None)
    assert all(p.band in tuple(CoherenceBand) for p in summary.coherence_points)
