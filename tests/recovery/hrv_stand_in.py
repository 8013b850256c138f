"""A small, textbook stand-in for the HRV core's report, injected where the core is not the subject.

Artifacts: beats more than 25% away from the recording's median RR. RMSSD: root mean square of
successive differences between non-artifact neighbours, never across a gap. Mean HR: 60000 / mean
of the non-artifact RR.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class StandInSummary:
    rmssd_ms: float | None
    mean_hr_bpm: float | None
    artifact_pct: float | None


def textbook_summary(
    rr_ms: npt.NDArray[np.float64], gap_before: npt.NDArray[np.bool_]
) -> StandInSummary:
    if rr_ms.size < 3:
        raise ValueError("fewer than 3 beats")
    median = float(np.median(rr_ms))
    flagged = np.abs(rr_ms - median) > 0.25 * median
    ok_pair = ~flagged[1:] & ~flagged[:-1] & ~gap_before[1:]
    diffs = np.diff(rr_ms)[ok_pair]
    rmssd = math.sqrt(float(np.mean(diffs**2))) if diffs.size else None
    return StandInSummary(
        rmssd_ms=rmssd,
        mean_hr_bpm=60000.0 / float(rr_ms[~flagged].mean()),
        artifact_pct=100.0 * float(flagged.mean()),
    )
