"""Benchmark: `baseline analyze` on the 22.5 h Holter record against neurokit2, in one run.

Run: `.venv/bin/python tests/bench/bench_analyze.py` (needs the `bench` extra: neurokit2, pandas).

1. The whole `baseline analyze --json` process (interpreter start, imports, reading the .gz,
   artifact correction and every metric) on `long24h_nsr2db_nsr001.txt.gz`, best of 3.
2. neurokit2 `hrv_time` + `hrv_frequency` (normalize=False) on the same RR, in-process and with
   its import already paid (best of 2, the fairest case for neurokit2).
3. `analyze()` in-process on a 5-minute window (median of 200 calls after a warm-up).

Targets: ratio 1 / 2 <= 0.2; the 5-minute window under 5 ms. Exit status 1 if a target is missed.
"""

from __future__ import annotations

import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = (
    ROOT.parent / "shared" / "data" / "rr" / "long24h_nsr2db_nsr001.txt.gz",
    ROOT / "tests" / "data" / "rr" / "long24h_nsr2db_nsr001.txt.gz",
)
RATIO_TARGET = 0.2
WINDOW_TARGET_MS = 5.0


def time_baseline_process(path: Path, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "app", "analyze", "--json", str(path)],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        best = min(best, time.perf_counter() - start)
    return best


def time_neurokit(rr_ms: np.ndarray, repeats: int = 2) -> float:
    import neurokit2 as nk

    peaks = np.concatenate([[0], np.cumsum(np.round(rr_ms).astype(np.int64))])
    best = float("inf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(repeats):
            start = time.perf_counter()
            nk.hrv_time(peaks, sampling_rate=1000)
            nk.hrv_frequency(peaks, sampling_rate=1000, normalize=False)
            best = min(best, time.perf_counter() - start)
    return best


def time_five_minutes(rr_ms: np.ndarray, calls: int = 200) -> float:
    from app.hrv.report import analyze

    window = rr_ms[np.cumsum(rr_ms) <= 300_000]
    analyze(window)
    timings = []
    for _ in range(calls):
        start = time.perf_counter()
        analyze(window)
        timings.append(time.perf_counter() - start)
    return float(np.median(timings))


def main() -> int:
    path = next((p for p in CANDIDATES if p.exists()), None)
    if path is None:
        print("SKIP: long24h_nsr2db_nsr001.txt.gz not found in", *CANDIDATES, sep="\n  ")
        return 0
    try:
        import neurokit2  # noqa: F401
    except ImportError:
        print("SKIP: neurokit2 is not installed (pip install -e '.[bench]')")
        return 0
    from app.formats.plain import read_plain_rr

    rr_ms = read_plain_rr(path)
    print(f"recording: {path.name}, {rr_ms.size} beats, {rr_ms.sum() / 3.6e6:.1f} h")
    baseline_s = time_baseline_process(path)
    neurokit_s = time_neurokit(rr_ms)
    ratio = baseline_s / neurokit_s
    window_ms = 1000 * time_five_minutes(rr_ms)
    print(f"baseline analyze --json (whole process, best of 3): {baseline_s:.3f} s")
    print(f"neurokit2 hrv_time + hrv_frequency (in-process):    {neurokit_s:.3f} s")
    print(f"ratio baseline / neurokit2: {ratio:.3f} (target <= {RATIO_TARGET})")
    print(
        f"5-minute window, analyze() in-process (median): {window_ms:.2f} ms "
        f"(target < {WINDOW_TARGET_MS:g} ms)"
    )
    ok = ratio <= RATIO_TARGET and window_ms < WINDOW_TARGET_MS
    print("PASS" if ok else "MISSED A TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
