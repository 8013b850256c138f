"""`baseline --stats FILE`: a small JSON of how smoothly the app ran, for bug reports.

Written when the app ends (also on SIGTERM): the seconds from the process start to the main
window's first paint, session time, pacer frames painted, and the percentiles (p50/p95/p99, in
ms) of the pacer's frame interval and of the beat-to-screen latency (a beat's packet arriving ->
the live curves updated for repaint). Percentiles of no values are null.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

PERCENTILES = (50, 95, 99)


@dataclass(frozen=True)
class RunStats:
    seconds: float
    pacer_frames: int
    frame_intervals_s: tuple[float, ...] = field(default=())
    beat_latencies_s: tuple[float, ...] = field(default=())
    first_window_s: float | None = None


def percentiles_ms(values_s: Iterable[float]) -> dict[str, float | None]:
    """p50, p95 and p99 of `values_s`, in milliseconds rounded to 0.01 (None when empty)."""
    import numpy as np  # only when the app ends: start-up goes without NumPy

    values = np.asarray(list(values_s), dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return {f"p{p}": None for p in PERCENTILES}
    found = np.percentile(values * 1000.0, PERCENTILES)
    return {f"p{p}": round(float(v), 2) for p, v in zip(PERCENTILES, found, strict=True)}


def stats_document(stats: RunStats) -> dict[str, object]:
    first = stats.first_window_s
    return {
        "first_window_s": None if first is None else round(first, 3),
        "seconds": round(stats.seconds, 3),
        "pacer_frames": stats.pacer_frames,
        "frame_interval_ms": percentiles_ms(stats.frame_intervals_s),
        "frame_intervals": len(stats.frame_intervals_s),
        "beat_to_screen_ms": percentiles_ms(stats.beat_latencies_s),
        "beats_timed": len(stats.beat_latencies_s),
    }


def write_stats(path: Path, stats: RunStats) -> None:
    """Write the JSON beside `path` first, then move it into place (never half a file)."""
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    partial.write_text(json.dumps(stats_document(stats), indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)
