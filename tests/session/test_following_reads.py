"""The session engine's following reads: every 5 s of a paced stage from 65 s on, driven by the
demo strap (as fast as the loop allows) in its three breathing modes."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import numpy as np
import pytest

from app.hrv.following import FIRST_READ_S, FOLLOWING_STEP_S, following_track
from app.session.core_metrics import CoreAnalysis
from app.session.engine import SessionEngine, SessionSpec, single_stage
from app.session.events import FollowingRead, SamplesArrived, SessionEvent, Stage
from app.session.following_reads import FollowingReader
from app.session.state import StageKind
from app.session.summary import session_beats, summarize_session
from app.store import Store, open_store
from app.store.records import SessionKind
from sensors.simulated import DemoBreathing, DemoStrap


@pytest.fixture
def store(db_path: Path) -> Store:
    return open_store(db_path)


def run_demo(
    store: Store,
    breathing: str,
    plan: tuple[Stage, ...],
    active_s: float,
    *,
    seed: int = 5,
) -> tuple[SessionEngine, list[FollowingRead]]:
    """A session on a demo strap (pacer at each stage's rate) until `active_s` of active time."""
    holder: list[SessionEngine] = []

    def pacer_rate(_t_s: float) -> float:
        stage = holder[0].stage if holder else None
        return 6.0 if stage is None or stage.rate_bpm is None else stage.rate_bpm

    strap = DemoStrap(
        pacer_rate, seed=seed, speed=math.inf, breathing=DemoBreathing.parse(breathing)
    )
    engine = SessionEngine(
        store,
        SessionSpec(SessionKind.BREATHING, simulated=True, rate_bpm=plan[0].rate_bpm),
        source=strap,
        clock=strap.now_s,
        plan=plan,
    )
    holder.append(engine)
    reads: list[FollowingRead] = []

    def on_event(event: SessionEvent) -> None:
        if isinstance(event, FollowingRead):
            reads.append(event)
        elif isinstance(event, SamplesArrived) and engine.active_s() >= active_s:
            engine.stop()

    engine.subscribe(on_event)
    engine.start()
    asyncio.run(engine.run())
    return engine, reads


def test_a_person_who_follows_is_read_as_following_every_five_seconds(store: Store) -> None:
    _, reads = run_demo(store, "follow", single_stage(None, 6.0), 240.0)
    moments = [read.at_s for read in reads]
    # the strap's first beats come a few seconds in: the first whole window is at 65 or 70 s
    assert moments[0] in (FIRST_READ_S, FIRST_READ_S + FOLLOWING_STEP_S)
    np.testing.assert_allclose(np.diff(moments), FOLLOWING_STEP_S)
    assert len(reads) >= (240.0 - FIRST_READ_S) / FOLLOWING_STEP_S - 1
    assert all(read.pacer_rate_per_min == 6.0 for read in reads)
    assert all(read.is_following for read in reads)
    rates = [r.breathing_rate_per_min for r in reads if r.breathing_rate_per_min is not None]
    assert float(np.median(rates)) == pytest.approx(6.0, abs=0.5)


def test_a_person_who_ignores_the_pacer_is_read_as_not_following(store: Store) -> None:
    _, reads = run_demo(store, "ignore", single_stage(None, 6.0), 300.0)
    assert len(reads) >= 40
    assert np.mean([read.is_following for read in reads]) <= 0.2


def test_a_person_at_a_fixed_rate_shows_that_rate(store: Store) -> None:
    _, reads = run_demo(store, "12", single_stage(None, 6.0), 200.0)
    assert not any(read.is_following for read in reads)
    rates = [r.breathing_rate_per_min for r in reads if r.breathing_rate_per_min is not None]
    assert float(np.median(rates)) == pytest.approx(12.0, abs=0.5)


def test_each_paced_stage_is_read_on_its_own_beats_and_rate(store: Store) -> None:
    plan = (
        Stage(StageKind.STEP, 100.0, 6.0, 0),
        Stage(StageKind.REST, 30.0, None, 1),
        Stage(StageKind.STEP, 100.0, 9.0, 1),
    )
    _, reads = run_demo(store, "follow", plan, 229.0)
    first = [read.at_s for read in reads if read.at_s < 100.0]
    assert first[-5:] == [75.0, 80.0, 85.0, 90.0, 95.0]
    assert not [read for read in reads if 100.0 <= read.at_s < 130.0 + FIRST_READ_S]
    second = [read for read in reads if read.at_s >= 130.0]
    # the stage's first beat ends a moment after its start: a whole window at 65 or 70 s
    assert second and second[0].at_s in (130.0 + FIRST_READ_S, 135.0 + FIRST_READ_S)
    assert all(read.pacer_rate_per_min == 9.0 for read in second)
    assert all(read.is_following for read in reads)


def test_the_stored_beats_give_the_reads_the_screen_got(store: Store) -> None:
    engine, reads = run_demo(store, "follow", single_stage(None, 6.0), 150.0, seed=8)
    assert engine.session_id is not None
    sb = session_beats(store.beats(engine.session_id), store.marks(engine.session_id))
    track = following_track(sb.active_s, sb.rr_ms, sb.gap_before, 6.0)
    assert [(t.at_s, t.following) for t in track][: len(reads)] == [
        (r.at_s, r.following) for r in reads
    ]


def test_beats_during_a_pause_are_left_out_and_break_the_run() -> None:
    reader = FollowingReader()
    reader.begin_stage(0.0, lambda _s: 6.0)
    t_s = 0.0
    for _ in range(100):
        t_s += 0.8
        reader.add_beat(t_s, 800.0 + 40.0 * math.sin(2 * math.pi * 0.1 * t_s), False)
    reader.pause(t_s + 0.1)
    for _ in range(20):  # beats during the pause: stored, but not read
        t_s += 0.8
        reader.add_beat(t_s, 800.0, False)
    reader.resume(t_s + 0.1)
    paused_s = 20 * 0.8
    for _ in range(50):
        t_s += 0.8
        reader.add_beat(t_s, 800.0 + 40.0 * math.sin(2 * math.pi * 0.1 * (t_s - paused_s)), False)
    # active time now 120 s; the run since the pause (at 80 s) is 40 s long: no read after it
    before = reader.due(120.0 - 1.0)
    assert before and all(read.at_s <= 80.0 for read in before)
    for _ in range(40):
        t_s += 0.8
        reader.add_beat(t_s, 800.0 + 40.0 * math.sin(2 * math.pi * 0.1 * (t_s - paused_s)), False)
    after = reader.due(152.0 - 1.0)
    assert [read.at_s for read in after] == [145.0, 150.0]  # 80 s + 64 s of new beats
    assert all(read.is_following for read in after)


@pytest.mark.parametrize("breathing", ["follow", "ignore"])
def test_the_summary_reports_the_time_following_and_the_breathing_rate(
    store: Store, breathing: str
) -> None:
    engine, reads = run_demo(store, breathing, single_stage(None, 6.0), 200.0, seed=9)
    assert engine.session_id is not None
    record = store.session(engine.session_id)
    assert record is not None
    summary = summarize_session(
        record, store.beats(engine.session_id), store.marks(engine.session_id), CoreAnalysis()
    )
    shared = len(reads)
    assert [(t.at_s, t.following) for t in summary.following_reads][:shared] == [
        (r.at_s, r.following) for r in reads
    ]
    assert summary.time_following_s == FOLLOWING_STEP_S * sum(
        t.is_following for t in summary.following_reads
    )
    assert summary.time_following_s is not None
    without = summarize_session(
        record,
        store.beats(engine.session_id),
        store.marks(engine.session_id),
        CoreAnalysis(),
        with_following=False,
    )
    assert without.following_reads == () and without.time_following_s is None
    assert without.before == summary.before and without.coherence == summary.coherence
    if breathing == "follow":
        assert summary.time_following_s >= 100.0
        assert summary.breathing_rate_per_min == pytest.approx(6.0, abs=0.5)
    else:
        assert summary.time_following_s <= 0.2 * FOLLOWING_STEP_S * len(summary.following_reads)


def test_a_session_without_a_pacer_has_no_following(store: Store) -> None:
    engine, reads = run_demo(store, "follow", single_stage(None, None), 100.0)
    assert reads == []
    assert engine.session_id is not None
    record = store.session(engine.session_id)
    assert record is not None
    summary = summarize_session(
        record, store.beats(engine.session_id), store.marks(engine.session_id), CoreAnalysis()
    )
    assert summary.following_reads == ()
    assert summary.time_following_s is None and summary.breathing_rate_per_min is None
