"""Soft cue sounds: a rising tone for the inhale, a falling one for the exhale, and a chime.

Pure NumPy; the UI plays these samples through `app.breathing.sound_mix.SoundMixer`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

SAMPLE_RATE_HZ = 44_100
PEAK = 0.35  # of full scale: cues are meant to be gentle
CUE_TONE_S = 1.4  # the rising and falling tones


def _envelope(n: int, attack_s: float, release_s: float) -> npt.NDArray[np.float64]:
    env = np.ones(n)
    a = max(int(attack_s * SAMPLE_RATE_HZ), 1)
    r = max(int(release_s * SAMPLE_RATE_HZ), 1)
    env[:a] = 0.5 * (1.0 - np.cos(np.pi * np.arange(a) / a))
    env[-r:] *= 0.5 * (1.0 + np.cos(np.pi * np.arange(r) / r))
    return env


def glide_tone(start_hz: float, end_hz: float, duration_s: float) -> npt.NDArray[np.float64]:
    """A sine gliding exponentially from start_hz to end_hz, with soft attack and release."""
    if start_hz <= 0 or end_hz <= 0 or duration_s <= 0:
        raise ValueError("frequencies and duration must be positive")
    n = int(duration_s * SAMPLE_RATE_HZ)
    t = np.arange(n) / SAMPLE_RATE_HZ
    freq = start_hz * (end_hz / start_hz) ** (t / duration_s)
    phase = 2.0 * np.pi * np.cumsum(freq) / SAMPLE_RATE_HZ
    # A quiet octave above warms the tone without making it bright.
    wave_ = np.sin(phase) + 0.15 * np.sin(2.0 * phase)
    out: npt.NDArray[np.float64] = PEAK * wave_ / np.max(np.abs(wave_)) * _envelope(n, 0.25, 0.45)
    return out


def chime(base_hz: float = 528.0, duration_s: float = 1.6) -> npt.NDArray[np.float64]:
    """A soft bell: a few inharmonic partials decaying exponentially."""
    n = int(duration_s * SAMPLE_RATE_HZ)
    t = np.arange(n) / SAMPLE_RATE_HZ
    partials = ((1.0, 1.0, 1.2), (2.76, 0.35, 2.5), (5.4, 0.12, 4.0))
    wave_ = sum(
        amp * np.exp(-decay * t) * np.sin(2 * np.pi * base_hz * ratio * t)
        for ratio, amp, decay in partials
    )
    signal = np.asarray(wave_, dtype=np.float64)
    out: npt.NDArray[np.float64] = PEAK * signal / np.max(np.abs(signal)) * _envelope(n, 0.01, 0.3)
    return out


def cue_sounds() -> dict[str, npt.NDArray[np.float64]]:
    """The cue sounds by name: each starts and ends at silence (its own fade in and fade out)."""
    return {
        "inhale": glide_tone(220.0, 330.0, CUE_TONE_S),
        "exhale": glide_tone(330.0, 220.0, CUE_TONE_S),
        "chime": chime(),
    }
