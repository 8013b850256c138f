"""One resonance assessment as it runs: the protocol's steps and rests, storage, the result.

Qt-free. A `SessionEngine` runs it: the protocol is the engine's plan of stages, the engine
consumes the strap (`run_source`, or items given to `on_item`) and stores what it sends, and
`tick()` (called by the page's timer) moves the stages on by the clock. This class follows the
engine's events: it marks and analyses each step and writes the result. A strap that fails for
good shows in `failure` (the engine's FAILED state). The clock is the source's time base (a
sped-up demo strap's `now_s`), so a fast demo runs the whole protocol fast.

Stages: "waiting" (until the first beat arrives, so a strap that is slow to connect does not eat
into step 1), then "step" and "rest" in turn, then "done". A finished step is analysed at once
(`app.breathing.resonance.analyze_step`). After "done", a step can be repeated (`repeat_step`):
it runs again, without a rest before it, and its new result replaces the old one.
`finish_now` stops the protocol early and works the result out from the steps completed so far.
A step whose breathing did not match the pacer is marked so and left out of the choice
(`app.breathing.resonance`).

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
    Recommendation,
    StepResult,
    analyze_step,
    recommend,
)
from app.session.engine import SessionEngine, SessionSpec
from app.session.events import SessionEvent, StageChanged, StateChanged
from app.session.events import Stage as PlanStage
from app.session.recorder import SessionRecorder
from app.session.state import SessionState, StageKind
from app.store import Store
from app.store.assessments import save_assessment_result
from app.store.validation import SessionKind
from sensors.simulated import FOLLOW_PACER, DemoBreathing, DemoStrap
from sensors.source import ConnectionEvent, HeartRateSource, Sample

Clock = Callable[[], float]
ASSESSMENT_KIND = SessionKind.ASSESSMENT


class RunPhase(StrEnum):
    """Where the protocol is: before it, waiting for beats, in a step or rest, or done."""

    IDLE = "idle"
    WAITING = "waiting"
    STEP = "step"
    REST = "rest"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Stage:
    """Where the protocol is.

    Attributes:
        kind: the phase.
        step_index: the step running (or coming next, during a rest), 0-based.
        rate_bpm: that step's rate.
        started_s: session time at which this stage started.
        length_s: how long the stage lasts (0 when open: waiting, done).
    """

    kind: RunPhase
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


def protocol_plan(
    rates_bpm: Sequence[float], step_s: float, rest_s: float
) -> tuple[PlanStage, ...]:
    """The engine's stages: waiting for beats, then the steps with rests between them."""
    stages = [PlanStage(StageKind.WAITING)]
    for index, rate in enumerate(rates_bpm):
        if index > 0 and rest_s > 0.0:
            stages.append(PlanStage(StageKind.REST, rest_s, rate, index))
        stages.append(PlanStage(StageKind.STEP, step_s, rate, index))
    return tuple(stages)


class AssessmentRun:
    """Runs the protocol over one stored session, on a session engine.

    Args:
        store: the open database.
        base_pattern: the user's pattern; each step uses its inhale:exhale ratio (no holds, no
            ramp) at the step's rate.
        clock: the source's time base (monotonic seconds).
        source: the strap (None when the caller feeds items through `on_item`).
        rates_bpm: the steps' rates, in order.
        step_s: seconds per step; rest_s: seconds of rest between steps.
    """

    def __init__(
        self,
        store: Store,
        base_pattern: BreathingPattern,
        clock: Clock,
        *,
        source: HeartRateSource | None = None,
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
        self.engine = SessionEngine(
            store,
            SessionSpec(
                ASSESSMENT_KIND,
                pattern_json=json.dumps({"rates_bpm": list(self.rates_bpm), "step_s": step_s}),
            ),
            source=source,
            clock=clock,
            plan=protocol_plan(self.rates_bpm, step_s, rest_s),
        )
        self.engine.subscribe(self._on_event)
        self.spans: list[StepSpan] = []
        self.results: list[StepResult] = []
        self.result: AssessmentResult | None = None
        self._step_started_s = 0.0
        self._cut_short = False

    # -- lifecycle -------------------------------------------------------------------------
    def start(
        self,
        *,
        sensor_name: str | None = None,
        sensor_address: str | None = None,
        simulated: bool = False,
    ) -> int:
        self.engine.spec = self.engine.spec.with_sensor(sensor_name, sensor_address, simulated)
        session_id = self.engine.start()
        assert session_id is not None
        return session_id

    @property
    def session_id(self) -> int | None:
        return self.engine.session_id

    @property
    def recorder(self) -> SessionRecorder | None:
        return self.engine.recorder

    @property
    def beats_received(self) -> int:
        return self.engine.beats_received

    @property
    def failure(self) -> str | None:
        """Why the strap failed for good, None while it works."""
        return self.engine.failure

    @property
    def running(self) -> bool:
        return self.engine.state.is_live

    @property
    def stage(self) -> Stage:
        engine = self.engine
        if engine.state is SessionState.ENDED:
            return Stage(RunPhase.DONE, started_s=engine.duration_s or 0.0)
        planned = engine.stage
        if planned is None:
            return Stage(RunPhase.IDLE)
        if planned.kind is StageKind.WAITING:
            return Stage(RunPhase.WAITING, started_s=engine.stage_started_s)
        phase = RunPhase.STEP if planned.kind is StageKind.STEP else RunPhase.REST
        return Stage(
            phase,
            planned.index,
            planned.rate_bpm or 0.0,
            engine.stage_started_s,
            planned.length_s or 0.0,
        )

    def now_s(self) -> float:
        """Session time (it goes on after the protocol is done, until a repeated step)."""
        return self.clock() - self.engine.start_s if self.session_id is not None else 0.0

    def pattern_for(self, rate_bpm: float) -> BreathingPattern:
        inhale, exhale = self._ratio
        return BreathingPattern(rate_bpm=rate_bpm, inhale_ratio=inhale, exhale_ratio=exhale)

    def stage_left_s(self) -> float:
        return self.engine.stage_left_s() or 0.0

    def pacer(self) -> PacerState | None:
        """The pacer during a step, else None."""
        stage = self.stage
        if stage.kind is not RunPhase.STEP:
            return None
        t = max(0.0, self.now_s() - stage.started_s)
        return pacer_state(self.pattern_for(stage.rate_bpm), t)

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
        stage = self.stage
        if stage.kind is RunPhase.STEP and t_s >= stage.started_s:
            return stage.rate_bpm, stage.started_s
        for span in reversed(self.spans):
            if span.start_s <= t_s < span.end_s:
                return span.rate_bpm, span.start_s
        return None

    # -- data and time ---------------------------------------------------------------------------
    def on_item(self, item: Sample | ConnectionEvent) -> None:
        self.engine.feed(item)

    async def run_source(self) -> None:
        """Consume the source (a failure of it ends in `failure`, never raised)."""
        await self.engine.run()

    def tick(self) -> None:
        """Move the protocol on by the clock (call often)."""
        self.engine.tick()

    def skip_rest(self) -> None:
        if self.stage.kind is RunPhase.REST:
            self.engine.skip_stage()

    def finish_now(self) -> None:
        """Stop the protocol here and work out the result from the steps completed so far; a
        step under way is left out (it can be run later with `repeat_step`)."""
        if self.running:
            self._cut_short = True
            try:
                self.engine.end_plan()
            finally:
                self._cut_short = False

    def repeat_step(self, rate_bpm: float) -> None:
        """Run the step at `rate_bpm` again (after the protocol is done)."""
        if self.stage.kind is not RunPhase.DONE or rate_bpm not in self.rates_bpm:
            return
        index = self.rates_bpm.index(rate_bpm)
        self.engine.extend([PlanStage(StageKind.STEP, self.step_s, rate_bpm, index)])

    def _on_event(self, event: SessionEvent) -> None:
        if isinstance(event, StageChanged):
            old, new = event.old, event.new
            if old is not None and old.kind is StageKind.STEP and old.rate_bpm is not None:
                if self._cut_short:
                    self._mark(event.at_s, "step_stopped", old.rate_bpm)
                    self.spans.append(StepSpan(old.rate_bpm, self._step_started_s, event.at_s))
                else:
                    self._end_step(old.rate_bpm, self._step_started_s, event.at_s)
            if new is not None and new.kind is StageKind.STEP and new.rate_bpm is not None:
                self._step_started_s = event.at_s
                self._mark(event.at_s, "step_start", new.rate_bpm)
        elif (
            isinstance(event, StateChanged)
            and event.new is SessionState.ENDED
            and event.old is not SessionState.FAILED
            and self.engine.duration_s is not None
        ):
            self._finish()

    def _end_step(self, rate_bpm: float, start_s: float, end_s: float) -> None:
        self._mark(end_s, "step_end", rate_bpm)
        self.spans.append(StepSpan(rate_bpm, start_s, end_s))
        self.results.append(self._analyse(rate_bpm, start_s, end_s))

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

    def _finish(self) -> None:
        """The protocol is done (the engine stored the session as complete): the result."""
        session_id = self.session_id
        assert session_id is not None
        steps = self.latest_steps()
        rec = recommend(steps)
        self.result = AssessmentResult(
            session_id=session_id,
            finished_at=datetime.now().astimezone().isoformat(timespec="seconds"),
            steps=steps,
            recommended_bpm=rec.rate_bpm if rec is not None else None,
            reason=result_reason(steps, rec),
            confirmed_bpm=self.result.confirmed_bpm if self.result is not None else None,
        )
        save_assessment_result(self.store, self.result)
        # History lists sessions with their note: say there what the assessment found
        if rec is not None:
            note = f"Recommended rate: {rec.rate_bpm:g} breaths/min"
        elif steps and all(s.not_followed for s in steps):
            note = "No recommendation (breathing did not match the pacer)"
        else:
            note = "No recommendation (no step could be used)"
        self.store.set_reflection(session_id, stress_before=None, stress_after=None, note=note)

    def confirm(self, rate_bpm: float) -> None:
        """Record that the user took `rate_bpm` as their pacer rate."""
        if self.result is None:
            return
        self.result = replace(self.result, confirmed_bpm=rate_bpm)
        save_assessment_result(self.store, self.result)

    def cancel(self) -> None:
        """Stop early (also after a strap failure): the session is kept as interrupted,
        without a result. Stops the source."""
        if self.running or self.engine.state is SessionState.FAILED:
            self.engine.cancel()
        else:
            self.engine.close_source()

    def _mark(self, at_s: float, kind: str, rate_bpm: float) -> None:
        self.engine.mark(at_s, kind, f"{rate_bpm:g}")


def _rates(rates: Sequence[float]) -> str:
    words = [f"{r:g}" for r in rates]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def result_reason(steps: Sequence[StepResult], rec: Recommendation | None) -> str:
    """Why this rate (or why none), in plain words, naming the steps left out."""
    not_followed = [s.rate_bpm for s in steps if s.not_followed]
    other = [s.rate_bpm for s in steps if not s.usable and not s.not_followed]
    parts: list[str] = []
    if rec is not None:
        parts.append(rec.reason)
    elif not_followed and not other:
        parts.append(
            "Your breathing did not match the pacer in any step, so no rate can be recommended."
        )
    else:
        parts.append("No step could be used to recommend a rate.")
    if not_followed:
        parts.append(
            f"Left out because your breathing did not match the pacer: {_rates(not_followed)} "
            "breaths/min. Repeat those steps, following the pacer gently."
        )
    if other:
        parts.append(
            f"Left out because the heart data was not clean enough: {_rates(other)} "
            "breaths/min. Repeat those steps."
        )
    return " ".join(parts)


#: What the demo strap breathes outside the steps (rests, waiting): an easy natural rate.
DEMO_FREE_BREATHING_BPM = 9.0


@dataclass(frozen=True)
class DemoOptions:
    """How the demo strap of an assessment runs: its resonance, speed, seed, base clock, and what
    its person breathes (the pacer by default)."""

    resonance_bpm: float = 5.5
    speed: float = 1.0
    seed: int | None = None
    clock: Clock = time.monotonic
    breathing: DemoBreathing = FOLLOW_PACER


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
        breathing=options.breathing,
    )
    run = AssessmentRun(
        store,
        base_pattern,
        strap.now_s,
        source=strap,
        rates_bpm=rates_bpm,
        step_s=step_s,
        rest_s=rest_s,
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
