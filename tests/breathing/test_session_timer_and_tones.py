"""Session timing with pauses, and the synthesised cue sounds."""

from __future__ import annotations

import numpy as np
import pytest

from app.breathing import SessionTimer, TimerMark
from app.breathing.tones import SAMPLE_RATE_HZ, chime, cue_sounds, glide_tone
from tests.stubs import FakeClock


def test_active_time_excludes_pauses_and_ends_at_length() -> None:
    clock = FakeClock(1000.0)
    timer = SessionTimer(clock, length_s=300.0)
    assert (timer.state, timer.active_s(), timer.remaining_s()) == ("idle", 0.0, 300.0)
    timer.start()
    clock.now_s += 100.0
    assert timer.pause() == TimerMark(100.0, "pause")
    clock.now_s += 50.0
    assert timer.active_s() == 100.0
    assert timer.wall_s() == 150.0
    assert timer.resume() == TimerMark(150.0, "resume")
    clock.now_s += 150.0
    assert timer.active_s() == 250.0
    assert not timer.is_due()
    clock.now_s += 60.0
    assert timer.is_due()
    assert timer.active_s() == 300.0  # capped at the length
    timer.stop()
    clock.now_s += 999.0
    assert (timer.state, timer.active_s(), timer.wall_s()) == ("stopped", 300.0, 360.0)
    assert [m.kind for m in timer.marks] == ["pause", "resume"]


def test_open_session_and_stop_while_paused() -> None:
    clock = FakeClock(1000.0)
    timer = SessionTimer(clock, length_s=None)
    timer.start()
    clock.now_s += 40.0
    timer.pause()
    clock.now_s += 20.0
    timer.stop()
    assert (timer.active_s(), timer.wall_s(), timer.remaining_s(), timer.is_due()) == (
        40.0,
        60.0,
        None,
        False,
    )


def test_wrong_transitions_raise() -> None:
    timer = SessionTimer(FakeClock(1000.0), length_s=None)
    with pytest.raises(RuntimeError):
        timer.pause()
    timer.start()
    with pytest.raises(RuntimeError):
        timer.resume()
    with pytest.raises(RuntimeError):
        timer.start()
    with pytest.raises(ValueError):
        SessionTimer(FakeClock(1000.0), length_s=0.0)


def _dominant_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1.0 / SAMPLE_RATE_HZ)[np.argmax(spectrum)])


def test_tones_rise_and_fall_softly() -> None:
    rising = glide_tone(220.0, 330.0, 1.0)
    n = len(rising)
    assert n == SAMPLE_RATE_HZ
    assert _dominant_hz(rising[n // 10 : n // 4]) < _dominant_hz(rising[-n // 4 : -n // 10])
    falling = glide_tone(330.0, 220.0, 1.0)
    assert _dominant_hz(falling[n // 10 : n // 4]) > _dominant_hz(falling[-n // 4 : -n // 10])
    for sound in (rising, falling, chime()):
        assert np.max(np.abs(sound)) <= 0.35 + 1e-9
        assert abs(sound[0]) < 1e-3
        assert abs(sound[-1]) < 1e-3  # no click at either end


def test_every_cue_sound_fades_in_and_out() -> None:
    sounds = cue_sounds()
    assert set(sounds) == {"inhale", "exhale", "chime"}
    for samples in sounds.values():
        assert samples.ndim == 1 and len(samples) > SAMPLE_RATE_HZ // 2
        assert samples[0] == 0.0 and abs(samples[-1]) < 1e-4
        # the envelope: the first millisecond and the last 5 ms are well below the peak
        peak = np.max(np.abs(samples))
        assert np.max(np.abs(samples[: SAMPLE_RATE_HZ // 1000])) < 0.05 * peak
        assert np.max(np.abs(samples[-SAMPLE_RATE_HZ // 200 :])) < 0.05 * peak
