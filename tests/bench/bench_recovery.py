"""Benchmark: the baseline table, recovery speed, and the readiness cache.

Run: .venv/bin/python tests/bench/bench_recovery.py

Prints the time of the vectorised baseline table against the plain per-day reference (the one
the tests compare with) over the same 10 years of days, and the time to measure the recovery
episodes of a one-hour session of beats.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from app.recovery.baseline import baseline_table
from app.recovery.daily_values import daily_values, ln_rmssd_table
from app.recovery.recovery_speed import HeartRateSeries, recovery_episodes
from app.store import open_store
from app.store.records import BeatRecord


def naive(values: dict[date, float]) -> int:
    first, last = min(values), max(values)
    d, n = first, 0
    while d <= last:
        week = [values[d - timedelta(k)] for k in range(7) if d - timedelta(k) in values]
        sixty = [values[d - timedelta(k)] for k in range(60) if d - timedelta(k) in values]
        if len(week) >= 3:
            statistics.mean(week), statistics.stdev(week)
        if len(sixty) >= 14:
            statistics.mean(sixty), statistics.stdev(sixty)
        d += timedelta(days=1)
        n += 1
    return n


def best_of(fn: object, repeat: int = 3) -> float:
    assert callable(fn)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    rng = random.Random(1)
    d0 = date(2016, 1, 1)
    values = {
        d0 + timedelta(days=i): rng.gauss(3.8, 0.3) for i in range(3650) if rng.random() < 0.8
    }
    fast = best_of(lambda: baseline_table(values))
    slow = best_of(lambda: naive(values), repeat=1)
    print(f"baseline table, 10 years ({len(values)} values): {fast * 1000:.1f} ms")
    print(f"naive per-day reference:                      {slow * 1000:.1f} ms")
    print(f"ratio vectorised / naive: {fast / slow:.3f}")

    t = np.cumsum(np.full(4000, 0.9))
    hr = (
        62
        + 25 * np.exp(-((t - 600) % 900) / 30.0)
        + np.random.default_rng(0).normal(0, 1.5, t.size)
    )
    series = HeartRateSeries.of(t, hr)
    marks = [(float(m), "stressor") for m in (600, 1500, 2400, 3300)]
    rec = best_of(lambda: recovery_episodes(series, marks))
    taus = [e.tau_s for e in recovery_episodes(series, marks)]
    print(f"recovery episodes, one hour of beats, 4 marks: {rec * 1000:.1f} ms; tau {taus}")
    print(f"(the known tau is 30 s; {rec / 4 * 1000:.1f} ms per episode)")

    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "bench.db")
        gen = np.random.default_rng(2)
        for i in range(365):
            started = datetime(2025, 1, 1, 7, tzinfo=UTC) + timedelta(days=i)
            rr = 950 + gen.normal(0, 30, 130)
            sid = store.start_session("readiness", started)
            store.add_beats(
                sid,
                [BeatRecord(float(a), float(b)) for a, b in zip(np.cumsum(rr), rr, strict=True)],
            )
            store.finish_session(sid, ended_at=started + timedelta(minutes=2))
        first = best_of(lambda: ln_rmssd_table(daily_values(store)), repeat=1)
        cached = best_of(lambda: ln_rmssd_table(daily_values(store)))
        print(
            f"a year of 2-minute readiness checks: first table {first * 1000:.0f} ms (HRV core on"
        )
        print(
            f"each session), then {cached * 1000:.1f} ms from the cache; ratio {cached / first:.3f}"
        )


if __name__ == "__main__":
    main()
