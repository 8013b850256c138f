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
from sensors.simulated import DemoStrap


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
