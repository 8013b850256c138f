"""Synthetic beat series with known answers for the live engine tests."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from app.hrv.coherence import REACH_S, WINDOW_S, CoherenceBand, CoherenceResult
from app.session.live import BoolArray
from app.session.ring import FloatArray


def rsa_beats(
    duration_s: float,
    *,
    mean_rr_ms: float = 1000.0,
    swing_ms: float = 50.0,
    breath_hz: float = 0.1,
    start_s: float = 0.0,
    noise_ms: float = 0.0,
    seed: int = 1,
) -> list[tuple[float, float]]:
    """(t_s, rr_ms) of beats whose RR follows a sine at the breathing frequency.

    RR is shortest mid-inhale (heart rate rises on the inhale), as in a breath starting at t = 0.
    """
    rng = np.random.default_rng(seed)
    out: list[tuple[float, float]] = []
    t = start_s
    while True:
        rr = mean_rr_ms - swing_ms * math.sin(2 * math.pi * breath_hz * t)
        rr += noise_ms * float(rng.standard_normal())
        t += rr / 1000.0
        if t > start_s + duration_s:
            return out
        out.append((t, rr))


def textbook_rmssd(rr_ms: npt.ArrayLike, gap_before: npt.ArrayLike) -> float:
    rr = np.asarray(rr_ms, dtype=float)
    gaps = np.asarray(gap_before, dtype=bool)
    diffs = np.diff(rr)[~gaps[1:]]
    return float(np.sqrt(np.mean(diffs**2)))


class TextbookAnalysis:
    """A transparent stand-in for the core, to test the engine's windows and states alone."""

    def __init__(self) -> None:
        self.coherence_inputs: list[FloatArray] = []
        self.coherence_moments: list[float] = []

    def rmssd_ms(self, rr_ms: FloatArray, gap_before: BoolArray) -> float | None:
        return textbook_rmssd(rr_ms, gap_before)

    def coherence_at(
        self, t_s: FloatArray, rr_ms: FloatArray, gap_before: BoolArray, at_s: float
    ) -> CoherenceResult | None:
        """A fixed medium score on the last gap-free run of beats in (at_s - 67 s, at_s]."""
        run: list[float] = []
        for t, rr, gap in zip(t_s.tolist(), rr_ms.tolist(), gap_before.tolist(), strict=True):
            if not at_s - REACH_S < t <= at_s:
                continue
            if gap:
                run = []
            run.append(rr)
        window = np.array(run)
        self.coherence_inputs.append(window)
        self.coherence_moments.append(at_s)
        if float(np.sum(window)) / 1000.0 < WINDOW_S:
            return None
        return CoherenceResult(5.0, 1.0, 0.1, CoherenceBand.MEDIUM)

    def artifact_flags(self, rr_ms: FloatArray) -> BoolArray:
        med = float(np.median(rr_ms))
        out = np.abs(np.asarray(rr_ms) - med) > 0.25 * med
        out.setflags(write=False)
        return out
