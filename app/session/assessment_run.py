"""One resonance assessment as it runs: the protocol's steps and rests, storage, the result.

Qt-free (it sits beside its page in `app.ui` but imports no Qt), driven by whoever owns the
heart-rate source: every item goes to `on_item`, and `tick()` (also called by the page's timer)
moves the protocol on by the clock. The clock is the source's time base (a sped-up demo strap's
`now_s`), so a fast demo runs the whole protocol fast.

Stages: "waiting" (until the first beat arrives, so a strap that is slow to connect does not eat
into step 1), then "step" and "rest" in turn, then "done". A finished step is analysed at once
(`app.breathing.resonance.analyze_step`). After "done", a step can be repeated (`repeat_step`):
it runs again, without a rest before it, and its new result replaces the old one.

Storage: a session of kind "assessment" (beats, heart rate and link gaps via `SessionRecorder`),
marks "step_start" / "step_end" with the rate as detail (session ms), and the result as JSON in
the store's `assessment_results` table (`app.store.assessments`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from app.breathing import BreathingPattern, PacerState, pacer_state
from app.breathing.resonance import (
    PROTOCOL_RATES_BPM,
    REST_S,
    RETEST_DAYS,
    STEP_S,
    AssessmentResult,
    StepResult,
    analyze_step,
    recommend,
)
from app.session.recorder import SessionRecorder
from app.store import Store
from app.store.assessments import save_assessment_result
from app.store.records import MarkRecord
from app.store.validation import SessionKind, SessionStatus
from sensors.simulated import DemoStrap
from sensors.source import ConnectionEvent, Sample

Clock = Callable[[], float]
ASSESSMENT_KIND = SessionKind.ASSESSMENT


class StageKind(StrEnum):
    """What a resonance assessment is doing."""

    IDLE = "idle"
    WAITING = "waiting"
    STEP = "step"
    REST = "rest"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Stage:
    """Where the protocol is.

    Attributes:
        kind: what the protocol is doing (a `StageKind`).
        step_index: the step running (or coming next, during a rest), 0-based.
        rate_bpm: that step's rate.
        started_s: session time at which this stage started.
        length_s: how long the stage lasts (0 when open: waiting, done).
    """

    kind: StageKind
    step_index: int = 0
    rate_bpm: float = 0.0
    started_s: float = 0.0
    length_s: float = 0.0


@dataclass(frozen=True, slots=True)
class StepSpan:
    """A step that ran: its rate and its span in session seconds."""

    rate_bpm: float
    start_s: float
    end_s: float


class AssessmentRun:
    """Runs the protocol over one stored session.

    Args:
        store: the open database.
        base_pattern: the user's pattern; each step uses its inhale:exhale ratio (no holds, no
            ramp) at the step's rate.
        clock: the source's time base (monotonic seconds).
        rates_bpm: the steps' rates, in order.
        step_s: seconds per step; rest_s: seconds of rest between steps.
    """

    def __init__(
        self,
        store: Store,
        base_pattern: BreathingPattern,
        clock: Clock,
        *,
        rates_bpm: Sequence[float] = PROTOCOL_RATES_BPM,
        step_s: float = STEP_S,
        rest_s: float = REST_S,
    ) -> None:
        self.store = store
        self.clock = clock
        self.rates_bpm = tuple(rates_bpm)
        self.step_s = step_s
        self.rest_s = rest_s
        self._ratio = (base_pattern.inhale_ratio, base_pattern.exhale_ratio)
        self.stage = Stage(StageKind.IDLE)
        self.session_id: int | None = None
        self.recorder: SessionRecorder | None = None
        self.spans: list[StepSpan] = []
        self.results: list[StepResult] = []
        self.result: AssessmentResult | None = None
        self.beats_received = 0
        self._start_s = 0.0
        self._repeating = False

    # -- lifecycle -------------------------------------------------------------------------
    def start(
        self,
        *,
        sensor_name: str | None = None,
        sensor_address: str | None = None,
        simulated: bool = False,
    ) -> int:
        self.session_id = self.store.start_session(
            ASSESSMENT_KIND,
            sensor_name=sensor_name,
            sensor_address=sensor_address,
            simulated=simulated,
            pattern_json=json.dumps({"rates_bpm": list(self.rates_bpm), "step_s": self.step_s}),
        )
        self._start_s = self.clock()
        self.recorder = SessionRecorder(
            self.store, self.session_id, self.clock, start_s=self._start_s
        )
        self.stage = Stage(StageKind.WAITING)
        return self.session_id

    @property
    def running(self) -> bool:
        return self.stage.kind in (StageKind.WAITING, StageKind.STEP, StageKind.REST)

    def now_s(self) -> float:
        """Session time."""
        return self.clock() - self._start_s

    def pattern_for(self, rate_bpm: float) -> BreathingPattern:
        inhale, exhale = self._ratio
        return BreathingPattern(rate_bpm=rate_bpm, inhale_ratio=inhale, exhale_ratio=exhale)

    def stage_left_s(self) -> float:
        if self.stage.length_s <= 0.0:
            return 0.0
        return max(0.0, self.stage.started_s + self.stage.length_s - self.now_s())

    def pacer(self) -> PacerState | None:
        """The pacer during a step, else None."""
        if self.stage.kind is not StageKind.STEP:
            return None
        t = max(0.0, self.now_s() - self.stage.started_s)
        return pacer_state(self.pattern_for(self.stage.rate_bpm), t)

    # -- what a demo strap follows ------------------------------------------------------------
    def rate_at(self, t_s: float) -> float | None:
        """The pacer rate at session time `t_s`, None outside the steps."""
        span = self._span_at(t_s)
        return span[0] if span is not None else None

    def breath_cycles_at(self, t_s: float) -> float | None:
        """The pacer's breath cycles at session time `t_s`, None outside the steps."""
        span = self._span_at(t_s)
        if span is None:
            return None
        rate, start = span
        return (t_s - start) * rate / 60.0

    def _span_at(self, t_s: float) -> tuple[float, float] | None:
        if self.stage.kind is StageKind.STEP and t_s >= self.stage.started_s:
            return self.stage.rate_bpm, self.stage.started_s
        for span in reversed(self.spans):
            if span.start_s <= t_s < span.end_s:
                return span.rate_bpm, span.start_s
        return None

    # -- data and time ---------------------------------------------------------------------------
    def on_item(self, item: Sample | ConnectionEvent) -> None:
        recorder = self.recorder
        if recorder is None or not self.running:
            return
        if isinstance(item, Sample):
            self.beats_received += len(recorder.on_sample(item))
        else:
            recorder.on_event(item)
        self.tick()

    def tick(self) -> None:
        """Move the protocol on by the clock (call often)."""
        now = self.now_s()
        stage = self.stage
        if stage.kind is StageKind.WAITING and self.beats_received > 0:
            self._begin_step(0, now)
        elif stage.kind is StageKind.STEP and now >= stage.started_s + stage.length_s:
            self._end_step(stage.started_s + stage.length_s)
        elif stage.kind is StageKind.REST and now >= stage.started_s + stage.length_s:
            self._begin_step(stage.step_index, stage.started_s + stage.length_s)

    def skip_rest(self) -> None:
        if self.stage.kind is StageKind.REST:
            self._begin_step(self.stage.step_index, self.now_s())

    def repeat_step(self, rate_bpm: float) -> None:
        """Run the step at `rate_bpm` again (after the protocol is done)."""
        if self.stage.kind is not StageKind.DONE or rate_bpm not in self.rates_bpm:
            return
        self._begin_step(self.rates_bpm.index(rate_bpm), self.now_s(), repeat=True)

    def _begin_step(self, index: int, at_s: float, *, repeat: bool = False) -> None:
        rate = self.rates_bpm[index]
        self.stage = Stage(StageKind.STEP, index, rate, at_s, self.step_s)
        self._repeating = repeat
        self._mark(at_s, "step_start", rate)

    def _end_step(self, at_s: float) -> None:
        stage = self.stage
        self._mark(at_s, "step_end", stage.rate_bpm)
        self.spans.append(StepSpan(stage.rate_bpm, stage.started_s, at_s))
        self.results.append(self._analyse(stage.rate_bpm, stage.started_s, at_s))
        following = stage.step_index + 1
        if self._repeating or following >= len(self.rates_bpm):
            self._finish(at_s)
        elif self.rest_s > 0.0:
            self.stage = Stage(
                StageKind.REST, following, self.rates_bpm[following], at_s, self.rest_s
            )
        else:
            self._begin_step(following, at_s)

    def _analyse(self, rate_bpm: float, start_s: float, end_s: float) -> StepResult:
        beats = self.recorder.beats if self.recorder is not None else ()
        return analyze_step(
            [b.t_ms for b in beats],
            [b.rr_ms for b in beats],
            [b.gap_before for b in beats],
            pattern=self.pattern_for(rate_bpm),
            step_start_s=start_s,
            step_end_s=end_s,
        )

    def latest_steps(self) -> tuple[StepResult, ...]:
        """One result per rate (a repeat replaces the earlier run), in protocol order."""
        latest = {r.rate_bpm: r for r in self.results}
        return tuple(latest[rate] for rate in self.rates_bpm if rate in latest)

    def _finish(self, at_s: float) -> None:
        self.stage = Stage(StageKind.DONE, started_s=at_s)
        assert self.session_id is not None
        self.store.finish_session(
            self.session_id, status=SessionStatus.COMPLETE, duration_s=round(at_s, 3)
        )
        steps = self.latest_steps()
        rec = recommend(steps)
        self.result = AssessmentResult(
            session_id=self.session_id,
            finished_at=datetime.now().astimezone().isoformat(timespec="seconds"),
            steps=steps,
            recommended_bpm=rec.rate_bpm if rec is not None else None,
            reason=rec.reason
            if rec is not None
            else "No step had clean enough heart data to recommend a rate; repeat the "
            "marked steps.",
            confirmed_bpm=self.result.confirmed_bpm if self.result is not None else None,
        )
        save_assessment_result(self.store, self.result)
        # History lists sessions with their note: say there what the assessment found
        note = (
            f"Recommended rate: {rec.rate_bpm:g} breaths/min"
            if rec is not None
            else "No recommendation (too many artifacts)"
        )
        self.store.set_reflection(self.session_id, stress_before=None, stress_after=None, note=note)

    def confirm(self, rate_bpm: float) -> None:
        """Record that the user took `rate_bpm` as their pacer rate."""
        if self.result is None:
            return
        self.result = replace(self.result, confirmed_bpm=rate_bpm)
        save_assessment_result(self.store, self.result)

    def cancel(self) -> None:
        """Stop early: the session is kept as interrupted, without a result."""
        if self.session_id is not None and self.running:
            self.store.finish_session(
                self.session_id, status=SessionStatus.INTERRUPTED, duration_s=round(self.now_s(), 3)
            )
        self.stage = Stage(StageKind.IDLE)

    def _mark(self, at_s: float, kind: str, rate_bpm: float) -> None:
        if self.session_id is not None:
            self.store.add_mark(self.session_id, MarkRecord(at_s * 1000.0, kind, f"{rate_bpm:g}"))


#: What the demo strap breathes outside the steps (rests, waiting): an easy natural rate.
DEMO_FREE_BREATHING_BPM = 9.0


@dataclass(frozen=True)
class DemoOptions:
    """How the demo strap of an assessment runs: its resonance, speed, seed and base clock."""

    resonance_bpm: float = 5.5
    speed: float = 1.0
    seed: int | None = None
    clock: Clock = time.monotonic


def demo_assessment(
    store: Store,
    base_pattern: BreathingPattern,
    options: DemoOptions,
    *,
    rates_bpm: Sequence[float] = PROTOCOL_RATES_BPM,
    step_s: float = STEP_S,
    rest_s: float = REST_S,
) -> tuple[AssessmentRun, DemoStrap]:
    """A run and a demo strap whose heart-rate waves follow that run's pacer.

    The strap's time (seconds since it started) is taken as session time: the run starts just
    before the strap, so the two differ by the moment between them (milliseconds).
    """
    holder: list[AssessmentRun] = []

    def rate_at(t_s: float) -> float:
        rate = holder[0].rate_at(t_s) if holder else None
        return DEMO_FREE_BREATHING_BPM if rate is None else rate

    def cycles_at(t_s: float) -> float | None:
        return holder[0].breath_cycles_at(t_s) if holder else None

    strap = DemoStrap(
        rate_at,
        resonance_bpm=options.resonance_bpm,
        seed=options.seed,
        clock=options.clock,
        speed=options.speed,
        breath_cycles=cycles_at,
    )
    run = AssessmentRun(
        store, base_pattern, strap.now_s, rates_bpm=rates_bpm, step_s=step_s, rest_s=rest_s
    )
    holder.append(run)
    return run, strap


def days_since(finished_at: str, today: date) -> int | None:
    """Whole days from an ISO `finished_at` to `today`, None if it cannot be read."""
    try:
        return (today - datetime.fromisoformat(finished_at).date()).days
    except ValueError:
        return None


def retest_text(results: Sequence[AssessmentResult], today: date) -> str:
    """The line suggesting a re-test about every four weeks."""
    if not results:
        return (
            "Your resonance rate can shift over weeks of practice: a re-test about every "
            f"{RETEST_DAYS // 7} weeks keeps the pacer on it."
        )
    days = days_since(results[0].finished_at, today)
    if days is None:
        return ""
    if days >= RETEST_DAYS:
        return (
            f"Your last assessment was {days} days ago: a re-test would tell whether your "
            "rate has moved."
        )
    due = RETEST_DAYS - days
    ago = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
    return f"Last assessment {ago}. A re-test is suggested in about {due} days."
