"""Hypothesis: no input makes a reader fail with anything but FormatError.

Random bytes, random text, truncations and byte flips of every valid sample (real exports,
hand-made fixtures and a generated FIT file) either read as a valid recording / daily values /
archive that keeps the limits of `app.store.validation`, or raise FormatError with a one-line
message. Every registered reader is also fed every input directly (without format detection).
Examples are derandomized and bounded so the file runs in well under a minute.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.formats.errors import FormatError
from app.formats.recording import (
    Imported,
    ImportedArchive,
    ImportedDailyValues,
    ImportedRecording,
)
from app.formats.registry import READERS, Reader, read_source, read_with
from app.formats.source import Source
from app.store.validation import (
    EARLIEST_DATE,
    HEART_RATE_RANGE_BPM,
    MIN_RECORDING_BEATS,
    RMSSD_RANGE_MS,
    RR_RANGE_MS,
    SessionKind,
    SessionStatus,
)
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
        encode_fit([[812, 845, 901], [877, 830]] * 7, created=datetime(2024, 3, 5, tzinfo=UTC)),
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

FAST = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PER_READER = settings(FAST, max_examples=25)


def _check_moment(moment: datetime | None) -> None:
    if moment is None:
        return
    assert moment.tzinfo is not None
    assert moment.date() >= EARLIEST_DATE
    assert moment <= datetime.now(UTC) + timedelta(days=1, minutes=1)


def _check_day(day: date) -> None:
    assert EARLIEST_DATE <= day <= date.today() + timedelta(days=1)


def _check_beats(rec: ImportedRecording) -> None:
    assert rec.rr_ms.shape == rec.t_ms.shape == rec.gap_before.shape == rec.artifact.shape
    assert np.all(np.isfinite(rec.rr_ms)) and np.all(rec.rr_ms > 0)
    beats = rec.rr_ms[~rec.artifact]
    assert np.all((beats >= RR_RANGE_MS[0]) & (beats <= RR_RANGE_MS[1]))
    lo, hi = HEART_RATE_RANGE_BPM
    assert all(lo <= r.bpm <= hi for r in rec.heart_rate)
    _check_moment(rec.started_at)


def check(result: Imported) -> None:
    """A successful read is a well-formed value within the limits."""
    if isinstance(result, ImportedRecording):
        assert result.n_beats >= MIN_RECORDING_BEATS
        _check_beats(result)
        assert np.all(np.diff(result.t_ms) > 0)
    elif isinstance(result, ImportedDailyValues):
        assert result.days
        for day in result.days:
            _check_day(day.date)
            assert day.rmssd_ms is None or RMSSD_RANGE_MS[0] <= day.rmssd_ms <= RMSSD_RANGE_MS[1]
            hr = day.resting_hr_bpm
            assert hr is None or HEART_RATE_RANGE_BPM[0] <= hr <= HEART_RATE_RANGE_BPM[1]
    else:
        assert isinstance(result, ImportedArchive)
        for session in result.sessions:
            rec = session.recording
            assert rec.kind is not None and rec.status is not None
            assert SessionKind(rec.kind) and SessionStatus(rec.status)
            assert rec.started_at is not None
            _check_beats(rec)
            _check_moment(rec.ended_at)
        for entry in result.log:
            _check_day(date.fromisoformat(entry.date))


def read_or_format_error(name: str, data: bytes, reader: Reader | None = None) -> None:
    try:
        source = Source(name, data)
        result = read_source(source) if reader is None else read_with(reader, source)
    except FormatError as exc:
        assert str(exc) and "\n" not in str(exc).strip()
        return
    check(result)


@PER_READER
@given(reader=st.sampled_from(READERS), data=st.binary(max_size=1500))
def test_every_reader_on_random_bytes(reader: Reader, data: bytes) -> None:
    read_or_format_error("x.txt", data, reader)


@PER_READER
@given(
    reader=st.sampled_from(READERS),
    sample=st.sampled_from(SAMPLES),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=6),
    cut=st.floats(0.0, 1.0),
)
def test_every_reader_on_mutated_samples(
    reader: Reader, sample: tuple[str, bytes], flips: list[tuple[float, int]], cut: float
) -> None:
    name, data = sample
    mutated = bytearray(data)
    for where, value in flips:
        if mutated:
            mutated[min(int(where * len(mutated)), len(mutated) - 1)] = value
    read_or_format_error(name, bytes(mutated[: max(1, int(len(mutated) * cut))]), reader)


EDGES: list[tuple[str, bytes]] = [
    ("empty.txt", b""),
    ("blank.txt", b"\n \r\n\t\n"),
    ("bom.txt", b"\xef\xbb\xbf"),
    ("bom16.txt", b"\xff\xfe"),
    ("bom16-odd.txt", b"\xff\xfe8\x000"),
    ("one.txt", b"800"),
    ("header.csv", b"\xef\xbb\xbfMember,Date Time Start,rMSSD,HR\r\n"),
    ("header-only.csv", b"timestamp, rr, since_start \n\n"),
    ("ibi.csv", b"1709622000.0, IBI\n"),
    ("year1.csv", b"Member,Date Time Start,rMSSD\n,0001-01-01 00:00:00,40\n"),
    ("year9999.csv", b"date;time;HR;AVNN;rMSSD\n9999-12-31;23:59;60;1000;40\n"),
    ("json.json", b'{"format": "baseline-export", "version": 1, "sessions": [{}]}'),
]


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.name)
@pytest.mark.parametrize("sample", SAMPLES + EDGES, ids=lambda s: s[0])
def test_every_reader_on_every_sample(reader: Reader, sample: tuple[str, bytes]) -> None:
    read_or_format_error(sample[0], sample[1], reader)


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
