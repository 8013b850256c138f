"""The whole protocol, Qt-free, on the demo strap run as fast as the loop allows."""

from __future__ import annotations

import asyncio
import math
from datetime import date
from pathlib import Path

import pytest

from app.breathing import BreathingPattern
from app.breathing.resonance import PROTOCOL_RATES_BPM, AssessmentResult
from app.session.assessment_run import (
    AssessmentRun,
    DemoOptions,
    days_since,
    demo_assessment,
    retest_text,
)
from app.store import open_store
from app.store.assessments import assessment_result, past_assessment_results
from sensors.simulated import DemoBreathing, DemoStrap


async def _run_all(run: AssessmentRun, strap: DemoStrap, repeat: float | None = None) -> None:
    async for item in strap:
        run.on_item(item)
        if not run.running:
            if repeat is not None:
                run.repeat_step(repeat)
                repeat = None
                continue
            strap.stop()


@pytest.mark.parametrize("resonance_bpm", [4.5, 5.5, 6.5])
def test_demo_strap_assessment_finds_its_resonance(tmp_path: Path, resonance_bpm: float) -> None:
    store = open_store(tmp_path / "a.db")
    run, strap = demo_assessment(
        store,
        BreathingPattern(),
        DemoOptions(resonance_bpm=resonance_bpm, speed=math.inf, seed=11),
    )
    run.start(sensor_name="Demo strap", sensor_address="demo")
    asyncio.run(_run_all(run, strap))
    assert run.result is not None
    assert run.result.recommended_bpm == resonance_bpm
    assert [s.rate_bpm for s in run.result.steps] == list(PROTOCOL_RATES_BPM)
    by_rate = {s.rate_bpm: s for s in run.result.steps}
    phase = by_rate[resonance_bpm].phase_deg
    assert phase is not None and abs(phase) < 20.0
    # stored: the session, its step marks, the result
    assert run.session_id is not None
    session = store.session(run.session_id)
    assert session is not None and session.kind == "assessment" and session.status == "complete"
    assert session.note == f"Recommended rate: {resonance_bpm:g} breaths/min"
    marks = store.marks(run.session_id)
    starts = [m for m in marks if m.kind == "step_start"]
    ends = [m for m in marks if m.kind == "step_end"]
    assert [m.detail for m in starts] == [f"{r:g}" for r in PROTOCOL_RATES_BPM]
    assert len(ends) == 5
    for start, end in zip(starts, ends, strict=True):
        assert end.t_ms - start.t_ms == pytest.approx(120_000.0)
    stored = assessment_result(store, run.session_id)
    assert stored is not None and stored == run.result
    assert stored.recommended_bpm == resonance_bpm
    # the demo strap's waves are made up: its result is never one of the person's
    assert session.simulated
    assert past_assessment_results(store) == []
    store.close()


def test_a_repeated_step_replaces_the_first_run(tmp_path: Path) -> None:
    store = open_store(tmp_path / "a.db")
    run, strap = demo_assessment(
        store, BreathingPattern(), DemoOptions(resonance_bpm=5.5, speed=math.inf, seed=3)
    )
    run.start()
    asyncio.run(_run_all(run, strap, repeat=6.0))
    assert run.result is not None
    assert len(run.results) == 6 and len(run.result.steps) == 5
    assert run.result.steps[1] is run.results[-1]
    assert run.result.recommended_bpm == 5.5
    assert past_assessment_results(store) == [run.result]  # no demo sensor named: counted
    store.close()


def test_retest_is_suggested_after_about_four_weeks() -> None:
    result = AssessmentResult(1, "2026-03-01T08:00:00+01:00", (), 5.5, "")
    assert "every 4 weeks" in retest_text([], date(2026, 3, 1))
    assert retest_text([result], date(2026, 3, 1)) == (
        "Last assessment today. A re-test is suggested in about 28 days."
    )
    assert "in about 18 days" in retest_text([result], date(2026, 3, 11))
    late = retest_text([result], date(2026, 3, 29))
    assert late.startswith("Your last assessment was 28 days ago")
    assert days_since("not a date", date(2026, 3, 1)) is None


def _demo_run(tmp_path: Path, breathing: str, seed: int) -> AssessmentRun:
    store = open_store(tmp_path / f"{breathing}.db")
    run, strap = demo_assessment(
        store,
        BreathingPattern(),
        DemoOptions(
            resonance_bpm=5.5, speed=math.inf, seed=seed, breathing=DemoBreathing.parse(breathing)
        ),
    )
    run.start()
    asyncio.run(_run_all(run, strap))
    assert run.result is not None and run.session_id is not None
    assert assessment_result(store, run.session_id) == run.result
    store.close()
    return run


@pytest.mark.parametrize("seed", [11, 12])
def test_a_demo_person_who_follows_makes_every_step_valid(tmp_path: Path, seed: int) -> None:
    result = _demo_run(tmp_path, "follow", seed).result
    assert result is not None
    assert [s.matched_pacer for s in result.steps] == [True] * 5
    for step in result.steps:
        assert step.breathing_rate_per_min == pytest.approx(step.rate_bpm, abs=0.2)
        assert step.following is not None and step.following > 0.8
    assert result.recommended_bpm == 5.5
    assert "did not match" not in result.reason


@pytest.mark.parametrize("seed", [11, 12])
def test_a_demo_person_at_a_fixed_6_5_makes_the_slower_steps_invalid(
    tmp_path: Path, seed: int
) -> None:
    result = _demo_run(tmp_path, "6.5", seed).result
    assert result is not None
    assert [s.matched_pacer for s in result.steps] == [True, False, False, False, False]
    for step in result.steps:
        assert step.breathing_rate_per_min == pytest.approx(6.5, abs=0.4)
    assert result.recommended_bpm == 6.5  # the only valid step, whatever its waves
    assert "did not match the pacer: 6, 5.5, 5 and 4.5 breaths/min" in result.reason


@pytest.mark.parametrize("seed", [11, 12])
def test_a_demo_person_who_ignores_the_pacer_gets_no_recommendation(
    tmp_path: Path, seed: int
) -> None:
    run = _demo_run(tmp_path, "ignore", seed)
    result = run.result
    assert result is not None
    assert all(s.not_followed for s in result.steps)
    assert result.recommended_bpm is None
    assert result.reason.startswith("Your breathing did not match the pacer in any step")


def test_stop_here_uses_the_steps_so_far(tmp_path: Path) -> None:
    store = open_store(tmp_path / "a.db")
    run, strap = demo_assessment(
        store, BreathingPattern(), DemoOptions(resonance_bpm=5.5, speed=math.inf, seed=7)
    )
    run.start()

    async def two_and_a_half_steps() -> None:
        async for item in strap:
            run.on_item(item)
            stage = run.stage
            if (
                stage.kind == "step"
                and stage.step_index == 2
                and run.now_s() > stage.started_s + 60
            ):
                run.finish_now()
            if not run.running:
                strap.stop()

    asyncio.run(two_and_a_half_steps())
    result = run.result
    assert result is not None
    assert [s.rate_bpm for s in result.steps] == [6.5, 6.0]  # the step under way is left out
    assert result.recommended_bpm == 6.0
    assert run.session_id is not None
    kinds = [m.kind for m in store.marks(run.session_id)]
    assert kinds.count("step_end") == 2 and kinds[-1] == "step_stopped"
    session = store.session(run.session_id)
    assert session is not None and session.status == "complete"
    store.close()
