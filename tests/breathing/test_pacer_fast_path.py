"""The pacer's plain-float path (every frame after any ramp) gives the same values, bit for bit,
as the array path it shortcuts, for any pattern and instant; and it is the path a frame takes."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.breathing import BreathingPattern, cue_times, pacer_state
from app.breathing import pacer as pacer_math


@st.composite
def patterns(draw: st.DrawFn) -> BreathingPattern:
    rate = draw(st.floats(3.0, 10.0))
    ramp = draw(st.booleans())
    holds = draw(st.sampled_from([(0.0, 0.0), (1.0, 0.0), (0.0, 1.5), (0.7, 2.0)]))
    try:
        return BreathingPattern(
            rate_bpm=rate,
            inhale_ratio=draw(st.floats(0.5, 3.0)),
            exhale_ratio=draw(st.floats(0.5, 3.0)),
            hold_after_inhale_s=holds[0],
            hold_after_exhale_s=holds[1],
            start_rate_bpm=draw(st.floats(3.0, 10.0)) if ramp else None,
            ramp_duration_s=draw(st.floats(1.0, 600.0)) if ramp else 0.0,
        )
    except ValueError:
        assume(False)
        raise


def array_state(pattern: BreathingPattern, t_s: float) -> pacer_math.PacerState:
    return pacer_math._array_state(pattern, pacer_math._Timeline(pattern), t_s)


def array_cues(pattern: BreathingPattern, t0: float, t1: float) -> tuple[pacer_math.Cue, ...]:
    return pacer_math._array_cues(pattern, pacer_math._Timeline(pattern), t0, t1)


@settings(max_examples=400, deadline=None)
@given(pattern=patterns(), t_s=st.floats(0.0, 4000.0))
def test_state_is_the_same_on_both_paths(pattern: BreathingPattern, t_s: float) -> None:
    assert pacer_state(pattern, t_s) == array_state(pattern, t_s)


@settings(max_examples=300, deadline=None)
@given(pattern=patterns(), t0=st.floats(0.0, 4000.0), span_s=st.floats(0.0, 40.0))
def test_cues_are_the_same_on_both_paths(
    pattern: BreathingPattern, t0: float, span_s: float
) -> None:
    t1 = t0 + span_s
    assume(t1 > t0)
    assert cue_times(pattern, t0, t1) == array_cues(pattern, t0, t1)


@pytest.mark.parametrize("t_s", [0.0, 5.0, 10.0, 12.5, 599.999999999, 1234.5678])
def test_instants_on_phase_boundaries_agree(t_s: float) -> None:
    pattern = BreathingPattern(rate_bpm=6.0, inhale_ratio=1.0, exhale_ratio=1.0)
    assert pacer_state(pattern, t_s) == array_state(pattern, t_s)
    assert cue_times(pattern, t_s, t_s + 0.016) == array_cues(pattern, t_s, t_s + 0.016)


def test_a_frame_after_the_ramp_takes_the_float_path(monkeypatch: pytest.MonkeyPatch) -> None:
    pattern = BreathingPattern(rate_bpm=6.0, start_rate_bpm=8.0, ramp_duration_s=60.0)

    def no_arrays(*_args: object) -> None:
        raise AssertionError("the array path was taken")

    monkeypatch.setattr(pacer_math, "_array_state", no_arrays)
    monkeypatch.setattr(pacer_math, "_array_cues", no_arrays)
    state = pacer_state(pattern, 127.0)
    assert state.current_rate_bpm == 6.0
    assert cue_times(pattern, 127.0, 127.016) == ()
    assert [c.phase for c in cue_times(pattern, 124.99, 125.01)] == ["exhale"]
    with pytest.raises(AssertionError, match="array path"):
        pacer_state(pattern, 30.0)  # during the ramp
