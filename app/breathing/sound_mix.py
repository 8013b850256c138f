"""One audio stream for every sound: cues are mixed, never cut, over an optional background tone.

Why a mixer: the cue sounds used to be separate players, and only one could play at a time (two
open audio streams at once upset PulseAudio with Qt 6.11), so a new cue stopped the one before.
Qt keeps a stream open about 0.9 s past the sound's end, so any two cues closer than the 1.4 s tone
plus that 0.9 s (~2.4 s: a 4 s breath with two cues, a hold of 2 s, a chime at every turn) cut the
first one short with a click. Here every sound is added to one `SoundMixer`, which sums whatever
overlaps and renders one stream: each cue plays to its own faded end, however close the next one.

`BackgroundTone` is a soft, steady tone under the cues for eyes-closed practice. Its fullness
(0-1) follows how well the heart follows the breathing (the coherence score or the pacer
following, `ToneFollows`): thin and quiet at 0, warmer and a little
louder as more partials fade in towards 1. Fullness and loudness glide (`FULLNESS_GLIDE_S`,
`FADE_S`), so a new score never makes a step or a click.

Pure NumPy; the UI hands `render()`'s samples to the audio device.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.breathing.tone_follows import ToneFollows as ToneFollows
from app.breathing.tones import SAMPLE_RATE_HZ
from app.hrv.coherence import SCORE_MAX

FloatArray = npt.NDArray[np.float64]

STOP_FADE_S = 0.08  # a stop fades every sound out over this long instead of cutting it
FADE_S = 1.5  # the background tone fades in and out over this long
FULLNESS_GLIDE_S = 3.0  # a change of fullness from 0 to 1 takes this long
TONE_BASE_HZ = 110.0  # A2: low and unobtrusive
# (frequency ratio, level at fullness 0, level at fullness 1): a thin fundamental with a slowly
# beating twin; the fifth, the octave and the octave's fifth fade in as the fullness grows.
TONE_PARTIALS: tuple[tuple[float, float, float], ...] = (
    (1.0, 0.045, 0.070),
    (1.004, 0.020, 0.040),
    (1.5, 0.0, 0.030),
    (2.0, 0.0, 0.035),
    (3.0, 0.0, 0.018),
)
TONE_PEAK = sum(full for _, _, full in TONE_PARTIALS)  # the loudest the tone can get
# Coherence scores (0-10) from resting (about 2) to a clean slow wave (about 7, the best windows
# of the shared slow-breathing recordings) map linearly onto the fullness 0-1.
COHERENCE_THIN = 2.0
COHERENCE_FULL = 7.0


# Pacer following (0-1, `app.hrv.following`): power spread evenly over the band gives about 0.1,
# a steady wave at the pacer about 0.97; the threshold 0.4 sits at half fullness.
FOLLOWING_THIN = 0.1
FOLLOWING_FULL = 0.7


def fullness_from_following(following: float | None) -> float:
    """The tone's fullness (0-1) for a pacer following (0-1); no read yet is the thin tone."""
    if following is None or not math.isfinite(following):
        return 0.0
    if not 0.0 <= following <= 1.0:
        raise ValueError(f"pacer following is 0-1, got {following!r}")
    share = (following - FOLLOWING_THIN) / (FOLLOWING_FULL - FOLLOWING_THIN)
    return min(max(share, 0.0), 1.0)


def fullness_from_coherence(score: float | None) -> float:
    """The tone's fullness (0-1) for a coherence score (0-10); no score yet is the thin tone."""
    if score is None or not math.isfinite(score):
        return 0.0
    if not 0.0 <= score <= SCORE_MAX:
        raise ValueError(f"a coherence score is 0-{SCORE_MAX}, got {score!r}")
    share = (score - COHERENCE_THIN) / (COHERENCE_FULL - COHERENCE_THIN)
    return min(max(share, 0.0), 1.0)


def to_pcm16(samples: FloatArray) -> bytes:
    """Mono 16-bit little-endian PCM of samples in -1..1 (clipped)."""
    return bytes(np.round(np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes())


@dataclass
class _Voice:
    samples: FloatArray
    start_frame: int


class BackgroundTone:
    """A continuous soft tone whose fullness and loudness glide towards their targets."""

    def __init__(self, sample_rate_hz: int = SAMPLE_RATE_HZ) -> None:
        self._rate_hz = sample_rate_hz
        self._phases = np.zeros(len(TONE_PARTIALS))
        self._ratios = np.array([r for r, _, _ in TONE_PARTIALS])
        self._thin = np.array([t for _, t, _ in TONE_PARTIALS])
        self._full = np.array([f for _, _, f in TONE_PARTIALS])
        self.fullness = 0.0
        self.target_fullness = 0.0
        self.gain = 0.0
        self.target_gain = 0.0
        self._fade_s = FADE_S

    @property
    def silent(self) -> bool:
        return self.gain == 0.0 and self.target_gain == 0.0

    def start(self) -> None:
        self.target_gain = 1.0
        self._fade_s = FADE_S

    def stop(self, fade_s: float = FADE_S) -> None:
        self.target_gain = 0.0
        self._fade_s = fade_s

    def set_fullness(self, fullness: float) -> None:
        if not math.isfinite(fullness):
            raise ValueError(f"fullness must be finite, got {fullness!r}")
        self.target_fullness = min(max(fullness, 0.0), 1.0)

    @staticmethod
    def _glide(now: float, target: float, per_frame: float, n: int) -> FloatArray:
        """n values moving from `now` towards `target` by at most `per_frame` each."""
        steps = np.arange(1, n + 1, dtype=np.float64) * per_frame
        if target >= now:
            return np.minimum(now + steps, target)
        return np.maximum(now - steps, target)

    def render(self, n: int) -> FloatArray:
        if n <= 0 or self.silent:
            return np.zeros(max(n, 0))
        gain = self._glide(self.gain, self.target_gain, 1.0 / (self._fade_s * self._rate_hz), n)
        fullness = self._glide(
            self.fullness, self.target_fullness, 1.0 / (FULLNESS_GLIDE_S * self._rate_hz), n
        )
        self.gain = float(gain[-1])
        self.fullness = float(fullness[-1])
        step = 2.0 * np.pi * TONE_BASE_HZ * self._ratios / self._rate_hz
        k = np.arange(1, n + 1, dtype=np.float64)
        phases = self._phases[:, None] + step[:, None] * k[None, :]
        self._phases = np.mod(phases[:, -1], 2.0 * np.pi)
        levels = self._thin[:, None] + (self._full - self._thin)[:, None] * fullness[None, :]
        # gain² eases the fade in and out (no audible corner at either end of it)
        out: FloatArray = (gain * gain) * np.sum(levels * np.sin(phases), axis=0)
        return out


class SoundMixer:
    """Sums scheduled sounds (each played whole) and the background tone into one stream.

    `render(n)` returns the next n samples; `frame` counts the samples rendered so far.
    """

    def __init__(self, sample_rate_hz: int = SAMPLE_RATE_HZ) -> None:
        self.sample_rate_hz = sample_rate_hz
        self.tone = BackgroundTone(sample_rate_hz)
        self.volume = 1.0
        self._voices: list[_Voice] = []
        self._frame = 0

    @property
    def frame(self) -> int:
        return self._frame

    @property
    def voices(self) -> int:
        """How many sounds are still to play (or still playing)."""
        return len(self._voices)

    @property
    def idle(self) -> bool:
        """Nothing left to play: every sound has ended and the background tone is silent."""
        return not self._voices and self.tone.silent

    def add(self, samples: FloatArray, delay_frames: int = 0) -> None:
        """Play `samples` (one channel, -1..1) from `delay_frames` after the next rendered one."""
        sound = np.asarray(samples, dtype=np.float64)
        if sound.ndim != 1 or not np.all(np.isfinite(sound)):
            raise ValueError("a sound is one channel of finite samples")
        if delay_frames < 0:
            raise ValueError("a sound cannot start in the past")
        if sound.size:
            self._voices.append(_Voice(sound, self._frame + delay_frames))

    def stop(self, fade_s: float = STOP_FADE_S) -> None:
        """Fade every sound out over `fade_s` (not cut: a cut is a click); sounds not yet started
        are dropped; the background tone fades too."""
        fade_n = max(int(fade_s * self.sample_rate_hz), 1)
        ramp = 0.5 * (1.0 + np.cos(np.pi * np.arange(1, fade_n + 1) / fade_n))
        kept: list[_Voice] = []
        for voice in self._voices:
            played = self._frame - voice.start_frame
            if played < 0:
                continue
            rest = voice.samples[played : played + fade_n]
            if rest.size:
                kept.append(_Voice(rest * ramp[: rest.size], self._frame))
        self._voices = kept
        self.tone.stop(fade_s)

    def render(self, n: int) -> FloatArray:
        """The next n samples of the mix (clipped to -1..1)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        out = self.tone.render(n)
        begin, end = self._frame, self._frame + n
        still: list[_Voice] = []
        for voice in self._voices:
            v_end = voice.start_frame + voice.samples.size
            lo, hi = max(begin, voice.start_frame), min(end, v_end)
            if hi > lo:
                out[lo - begin : hi - begin] += voice.samples[
                    lo - voice.start_frame : hi - voice.start_frame
                ]
            if v_end > end:
                still.append(voice)
        self._voices = still
        self._frame = end
        mixed: FloatArray = np.clip(out * self.volume, -1.0, 1.0)
        return mixed
