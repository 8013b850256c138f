"""Shared helpers for the HRV tests: the recordings, their reference values, synthetic series."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import numpy.typing as npt

from app.formats.plain import read_plain_rr

RR_DIR = Path(__file__).resolve().parent.parent / "data" / "rr"
CLEAN = ("paced0.25Hz_10min_meditation_M10.txt", "slowbreath_11min_meditation_Y2med.txt")
RESTING = (
    "rest_5min_pyhrv_short.txt",
    "rest_16min_hrv_rest_rri.txt",
    "rest_60min_pyhrv_long.txt",
    *CLEAN,
)
ALL_SHORT = (*RESTING, "artifacts_40min_polar_noisy_rri.txt")
LONG_24H = "long24h_nsr2db_nsr001.txt.gz"


def load(name: str) -> npt.NDArray[np.float64]:
    return read_plain_rr(RR_DIR / name)


def reference(name: str, library: str) -> dict[str, float]:
    """The reference row of `library` (prefix, e.g. "pyhrv") for recording `name`."""
    with (RR_DIR / "reference_metrics.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["recording"] == name and row["library"].startswith(library):
                return {k: float(v) for k, v in row.items() if v and k not in _TEXT_COLUMNS}
    raise KeyError((name, library))


_TEXT_COLUMNS = {"recording", "library", "method"}


def sine_rr(
    duration_s: float,
    *,
    mean_ms: float = 900.0,
    amplitude_ms: float = 50.0,
    freq_hz: float = 0.1,
    noise_ms: float = 0.0,
    seed: int = 0,
) -> npt.NDArray[np.float64]:
    """RR whose value at beat time t is mean + amplitude sin(2 pi f t) (+ white noise)."""
    rng = np.random.default_rng(seed)
    values: list[float] = []
    t_s = 0.0
    while t_s < duration_s:
        value = mean_ms + amplitude_ms * np.sin(2 * np.pi * freq_hz * t_s)
        value += noise_ms * rng.standard_normal()
        values.append(float(value))
        t_s += value / 1000.0
    return np.asarray(values)
