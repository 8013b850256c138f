"""Soft cue sounds: a rising tone for the inhale, a falling one for the exhale, and a chime.

Pure NumPy plus the standard `wave` module; the UI plays the files these functions write.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

SAMPLE_RATE_HZ = 44_100
PEAK = 0.35  # of full scale: cues are meant to be gentle
CUE_FILES = {"inhale": "inhale.wav", "exhale": "exhale.wav", "chime": "chime.wav"}


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


def write_wav(path: Path, samples: npt.NDArray[np.float64]) -> None:
    """Write mono 16-bit PCM at SAMPLE_RATE_HZ; samples are in -1..1."""
    pcm = np.round(np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE_HZ)
        out.writeframes(pcm.tobytes())


def write_cue_files(folder: Path) -> dict[str, Path]:
    """Write the three cue files into `folder` (created if needed); returns name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    sounds = {
        "inhale": glide_tone(220.0, 330.0, 1.4),
        "exhale": glide_tone(330.0, 220.0, 1.4),
        "chime": chime(),
    }
    paths: dict[str, Path] = {}
    for name, samples in sounds.items():
        path = folder / CUE_FILES[name]
        write_wav(path, samples)
        paths[name] = path
    return paths
