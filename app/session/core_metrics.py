"""The live engine's window onto the analysis core (`app.hrv`), so live numbers and reports agree.

Live RMSSD is the core's report RMSSD on the same beats (artifact correction on, gaps honoured),
computed along the same path as `app.hrv.report.analyze` but without the spectral and nonlinear
parts it does not need;
coherence is the core's one definition, `app.hrv.coherence.coherence_at` (which corrects
artifacts on its window: one ectopic beat would otherwise smear the spectrum); artifact flags come
from the core's correction.
"""

from __future__ import annotations

import math

import numpy as np

from app.hrv import coherence, time_domain
from app.hrv.artifacts import correct_artifacts
from app.hrv.segments import starts_from_gaps, successive_differences, validate_rr
from app.session.live import BoolArray
from app.session.ring import FloatArray

MIN_REPORT_BEATS = 10


class CoreAnalysis:
    """Implements `app.session.live.LiveAnalysis` with the analysis core."""

    def warm_up(self) -> None:
        """Run every live computation once on a synthetic series.

        The first calls pay one-off costs (lazy SciPy imports, first-use setup: ~0.2 s here);
        paying them before a session starts, off the GUI thread, keeps the first minute of a
        session as smooth as the rest.
        """
        t_beats = np.arange(90, dtype=np.float64)
        rr = 1000.0 + 50.0 * np.sin(t_beats / 1.6)
        gaps = np.zeros(rr.size, dtype=np.bool_)
        self.rmssd_ms(rr, gaps)
        self.artifact_flags(rr)
        self.coherence_at(np.cumsum(rr) / 1000.0, rr, gaps, float(np.sum(rr)) / 1000.0)

    def rmssd_ms(self, rr_ms: FloatArray, gap_before: BoolArray) -> float | None:
        if rr_ms.size < MIN_REPORT_BEATS:
            return None
        try:
            rr = validate_rr(rr_ms)
        except ValueError:
            return None
        starts = starts_from_gaps(np.asarray(gap_before), rr.size)
        corrected = correct_artifacts(rr, segment_starts=starts)
        diffs = successive_differences(corrected.rr_ms, corrected.segment_starts)
        if diffs.size == 0:
            return None
        value = time_domain.rmssd_ms(diffs)
        return float(value) if math.isfinite(value) else None

    def coherence_at(
        self, t_s: FloatArray, rr_ms: FloatArray, gap_before: BoolArray, at_s: float
    ) -> coherence.CoherenceResult | None:
        return coherence.coherence_at(t_s, rr_ms, gap_before, at_s)

    def artifact_flags(self, rr_ms: FloatArray) -> BoolArray:
        out = np.zeros(rr_ms.size, dtype=np.bool_)
        if rr_ms.size < MIN_REPORT_BEATS:
            return out
        try:
            correction = correct_artifacts(np.asarray(rr_ms))
        except ValueError:
            return out
        flagged = np.asarray(correction.flagged)
        if flagged.dtype == np.bool_ and flagged.size == rr_ms.size:
            out[:] = flagged
        else:
            idx = flagged.astype(np.int64)
            out[idx[(idx >= 0) & (idx < rr_ms.size)]] = True
        return out
