"""`--stats FILE`: percentiles in ms, nulls for no values, and a file never half-written."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from app.session.run_stats import RunStats, percentiles_ms, stats_document, write_stats


def test_percentiles_in_milliseconds() -> None:
    values_s = [i / 1000.0 for i in range(1, 101)]  # 1..100 ms
    found = percentiles_ms(values_s)
    expected = np.percentile(np.arange(1, 101, dtype=float), [50, 95, 99])
    assert found == {
        "p50": pytest.approx(expected[0]),
        "p95": pytest.approx(expected[1]),
        "p99": pytest.approx(expected[2]),
    }
    assert percentiles_ms([]) == {"p50": None, "p95": None, "p99": None}
    assert percentiles_ms([float("nan"), 0.02])["p50"] == pytest.approx(20.0)


def test_the_file_holds_the_documented_keys(tmp_path: Path) -> None:
    path = tmp_path / "stats.json"
    stats = RunStats(12.3456, 700, (0.016, 0.017, 0.033), ())
    write_stats(path, stats)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document == stats_document(stats)
    assert document["seconds"] == 12.346
    assert document["pacer_frames"] == 700
    assert document["frame_intervals"] == 3
    assert document["frame_interval_ms"]["p50"] == pytest.approx(17.0)
    assert document["beat_to_screen_ms"] == {"p50": None, "p95": None, "p99": None}
    assert document["first_window_s"] is None  # the window was never painted
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stats.json"]


def test_the_first_window_time_is_kept_to_the_millisecond() -> None:
    document = stats_document(RunStats(1.0, 0, (), (), first_window_s=0.31249))
    assert document["first_window_s"] == 0.312
