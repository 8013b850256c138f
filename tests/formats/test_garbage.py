"""Hypothesis: no input makes a reader fail with anything but FormatError.

Random bytes, random text, truncations and byte flips of every valid sample (real exports,
hand-made fixtures and a generated FIT file) either read as a valid recording / daily values /
archive, or raise FormatError with a one-line message.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.formats.errors import FormatError
from app.formats.recording import (
    Imported,
    ImportedArchive,
    ImportedDailyValues,
    ImportedRecording,
)
from app.formats.registry import read_source
from app.formats.source import Source
from tests.conftest import DATA_DIR
from tests.formats.fit_writer import encode_fit

SAMPLES: list[tuple[str, bytes]] = sorted(
    (path.name, path.read_bytes())
    for folder in (DATA_DIR / "exports", DATA_DIR / "formats")
    for path in folder.iterdir()
    if path.is_file() and path.suffix != ".md" and not path.name.startswith(".")
)
SAMPLES.append(
    (
        "activity.fit",
        encode_fit([[812, 845, 901], [877, 830]] * 6, created=datetime(2024, 3, 5, tzinfo=UTC)),
    )
)
SAMPLES.append(
    (
        "export.json",
        b'{"format": "baseline-export", "version": 1, "sessions": [{"id": 1, "kind": "readiness",'
        b' "started_at": "2024-03-05T07:00:00.000+01:00", "ended_at": null, "status": "complete",'
        b' "sensor": {"name": "H10", "address": "AA"}, "beats": [{"t_ms": 800.0, "rr_ms": 800.0,'
        b' "artifact": false, "gap_before": false}], "heart_rate": [{"t_ms": 800.0, "bpm": 70,'
        b' "contact": true}]}], "log": [{"date": "2024-03-05", "rmssd_ms": 40.0}]}',
    )
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(result: Imported) -> None:
    """A successful read is a well-formed value."""
    if isinstance(result, ImportedRecording):
        assert result.n_beats > 0
        assert result.rr_ms.shape == result.t_ms.shape == result.gap_before.shape
        assert np.all(np.isfinite(result.rr_ms)) and np.all(result.rr_ms > 0)
        assert np.all(np.diff(result.t_ms) > 0)
        assert result.started_at is None or result.started_at.tzinfo is not None
    elif isinstance(result, ImportedDailyValues):
        assert result.days
    else:
        assert isinstance(result, ImportedArchive)


def read_or_format_error(name: str, data: bytes) -> None:
    try:
        result = read_source(Source(name, data))
    except FormatError as exc:
        assert str(exc) and "\n" not in str(exc).strip()
        return
    check(result)


@FAST
@given(data=st.binary(max_size=2000), name=st.sampled_from(["x.txt", "x.fit", "x.csv", "x.xml"]))
def test_random_bytes(data: bytes, name: str) -> None:
    read_or_format_error(name, data)


@FAST
@given(text=st.text(max_size=500))
def test_random_text(text: str) -> None:
    read_or_format_error("x.txt", text.encode("utf-8"))


@FAST
@given(
    text=st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "Phone timestamp;PP-interval [ms];error estimate [ms];blocker;contact;contact",
                    "timestamp, rr, since_start ",
                    "Time (ms),HR (bpm),R-R (ms)",
                    "[Params]",
                    "Interval=238",
                    "[HRData]",
                    "1644227574.000000, IBI",
                    "Date Time Start,rMSSD,HR",
                    "date;time;HR;AVNN;rMSSD",
                    "<sml><R-R><Data>",
                    "Kubios HRV",
                    "RR INTERVAL DATA",
                    "<HealthData>",
                    '{"format": "baseline-export", "version": 1, "sessions": [',
                ]
            ),
            st.from_regex(r"[0-9 ,;.:\-]{0,30}", fullmatch=True),
        ),
        max_size=12,
    )
)
def test_format_shaped_text(text: list[str]) -> None:
    read_or_format_error("x.txt", "\n".join(text).encode())


@FAST
@given(sample=st.sampled_from(SAMPLES), cut=st.floats(0.0, 1.0))
def test_truncated_samples(sample: tuple[str, bytes], cut: float) -> None:
    name, data = sample
    read_or_format_error(name, data[: int(len(data) * cut)])


@FAST
@given(
    sample=st.sampled_from(SAMPLES),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), min_size=1, max_size=8),
)
def test_mutated_samples(sample: tuple[str, bytes], flips: list[tuple[float, int]]) -> None:
    name, data = sample
    mutated = bytearray(data)
    for where, value in flips:
        mutated[min(int(where * len(mutated)), len(mutated) - 1)] = value
    read_or_format_error(name, bytes(mutated))


def test_every_sample_reads() -> None:
    for name, data in SAMPLES:
        check(read_source(Source(name, data)))
