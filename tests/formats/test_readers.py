"""Every importable format: exact beat counts, start times and gaps, on real and hand-made files.

Real files are copies of the shared exports in tests/data/exports (with their attribution);
hand-made ones are in tests/data/formats, written from the format descriptions in that folder's
README.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from app.formats.errors import FormatError
from app.formats.recording import ImportedDailyValues, ImportedRecording
from app.formats.registry import read_path, read_source
from app.formats.source import Source
from tests.conftest import DATA_DIR
from tests.formats.fit_writer import encode_fit

EXPORTS = DATA_DIR / "exports"
FIXTURES = DATA_DIR / "formats"
# The hand-made fixtures end in these 30 calm beats (a recording needs at least 30 beats).
TAIL_MS = [800, 805, 810, 830, 835, 790, 810, 815, 820, 840, 795, 800, 820, 825, 830] * 2


def recording(path: Path) -> ImportedRecording:
    result = read_path(path)
    assert isinstance(result, ImportedRecording)
    return result


def daily(path: Path) -> ImportedDailyValues:
    result = read_path(path)
    assert isinstance(result, ImportedDailyValues)
    return result


def local(*args: int) -> datetime:
    return datetime(*args).astimezone()  # type: ignore[arg-type]


def assert_consistent(rec: ImportedRecording) -> None:
    """Beat times advance by the interval, except at gaps where they jump further."""
    steps = np.diff(rec.t_ms)
    expected = rec.rr_ms[1:]
    no_gap = ~rec.gap_before[1:]
    np.testing.assert_allclose(steps[no_gap], expected[no_gap], atol=150)
    assert np.all(steps[~no_gap] >= expected[~no_gap])
    assert rec.t_ms[0] == pytest.approx(rec.rr_ms[0])
    assert not rec.gap_before[0]
    assert not rec.rr_ms.flags.writeable and not rec.t_ms.flags.writeable


# -- real files ---------------------------------------------------------------------------------
def test_polar_hrm_rr_mode() -> None:
    rec = recording(EXPORTS / "polar_protrainer_exercise_rri.hrm")
    assert rec.format == "polar-hrm"
    assert rec.n_beats == 4117
    assert rec.rr_ms[0] == 1589.0 and rec.rr_ms[1] == 783.0
    assert rec.started_at == local(2008, 2, 8, 8, 50, 31)
    assert not rec.gap_before.any()
    assert_consistent(rec)


def test_polar_sensor_logger_ppi_drops_blocked_rows() -> None:
    path = EXPORTS / "polarsensorlogger_Polar_Sense_PPI.txt"
    rows = [line.split(";") for line in path.read_text().splitlines()[1:]]
    blocked = [row[3] == "1" for row in rows]
    first_ok = blocked.index(False)
    # Runs of blocked rows after the first good one each make one gap.
    runs = sum(1 for i in range(first_ok + 1, len(rows)) if blocked[i] and not blocked[i - 1])
    rec = recording(path)
    assert rec.format == "polar-sensor-logger-ppi"
    assert rec.n_beats == 442 - sum(blocked) == 421
    assert int(rec.gap_before.sum()) == runs == 3
    first_stamp = datetime.fromisoformat(rows[first_ok][0]).astimezone()
    assert rec.started_at == first_stamp - timedelta(milliseconds=float(rows[first_ok][1]))
    assert rec.heart_rate and all(r.bpm > 0 for r in rec.heart_rate)
    assert_consistent(rec)


def test_kubios_report() -> None:
    rec = recording(EXPORTS / "kubios_hrv_standard_SampleReport.txt")
    assert rec.format == "kubios-report"
    assert rec.n_beats == 423
    assert rec.started_at is None  # the sample masks its measurement date
    assert rec.rr_ms[:3].tolist() == [766.0, 766.0, 727.0]
    assert rec.t_ms[-1] == 299291.0
    assert not rec.gap_before.any()
    assert_consistent(rec)


def test_kubios_report_with_a_measurement_date(tmp_path: Path) -> None:
    data = (EXPORTS / "kubios_hrv_standard_SampleReport.txt").read_bytes()
    dated = data.replace(b"xx/xx/xx xx:xx:xx", b"13/09/2018 13:15:19")
    path = tmp_path / "report.txt"
    path.write_bytes(dated)
    rec = recording(path)
    assert rec.started_at == local(2018, 9, 13, 13, 15, 19)
    assert rec.n_beats == 423


def test_welltory_plain_rr_on_one_line() -> None:
    rec = recording(EXPORTS / "welltory_subject_01_RR.txt")
    assert rec.format == "plain-rr"
    assert rec.n_beats == 100
    assert rec.started_at is None
    assert rec.rr_ms[0] == 1203.0 and rec.rr_ms[-1] == 1165.0


def test_empatica_ibi_with_dropped_beats() -> None:
    rec = recording(EXPORTS / "empatica_e4_S02_IBI.csv")
    assert rec.format == "empatica-ibi"
    assert rec.n_beats == 360
    assert int(rec.gap_before.sum()) == 62
    # Start: the unix time in the first line plus the first offset, minus the first interval.
    assert rec.started_at == datetime.fromtimestamp(1644227574 + 604.0 - 0.6875, tz=UTC)
    assert rec.rr_ms[0] == 687.5
    assert_consistent(rec)


# -- hand-made files ----------------------------------------------------------------------------
def test_elite_hrv_raw_start_from_file_name() -> None:
    rec = recording(FIXTURES / "2024-03-05 07-12-30.txt")
    assert rec.format == "elite-hrv-raw"
    assert rec.n_beats == 12 + 30
    assert rec.started_at == local(2024, 3, 5, 7, 12, 30)
    assert rec.rr_ms[11] == 808.0
    assert rec.rr_ms[-1] == 830.0  # last value without a final newline


def test_hrv_logger_since_start_and_gap() -> None:
    rec = recording(FIXTURES / "hrv_logger_rr.csv")
    assert rec.format == "hrv-logger-rr"
    assert rec.n_beats == 8 + 30
    assert np.flatnonzero(rec.gap_before).tolist() == [5]
    # First beat arrived at 1709622000000 ms; its interval started 800 ms before.
    assert rec.started_at == datetime.fromtimestamp(1709622000 - 0.8, tz=UTC)
    assert rec.t_ms[:8].tolist() == [800, 1620, 2430, 3220, 4025, 6455, 7270, 8070]
    assert rec.rr_ms[8:].tolist() == TAIL_MS
    assert_consistent(rec)


def test_kubios_time_rr_seconds() -> None:
    rec = recording(FIXTURES / "kubios_time_rr.txt")
    assert rec.format == "kubios-time-rr"
    assert rec.n_beats == 8 + 30
    assert rec.started_at is None
    assert rec.t_ms[:8].tolist() == [800, 1620, 2430, 3220, 4025, 6455, 7270, 8070]
    assert rec.rr_ms[8:].tolist() == TAIL_MS
    assert np.flatnonzero(rec.gap_before).tolist() == [5]


def test_selfloops_drops_empty_interval() -> None:
    rec = recording(FIXTURES / "selfloops.txt")
    assert rec.format == "selfloops"
    assert rec.n_beats == 6 + 30
    assert rec.started_at == local(2024, 3, 5, 7, 15, 2)
    assert np.flatnonzero(rec.gap_before).tolist() == [3]
    assert [r.bpm for r in rec.heart_rate][:6] == [75, 73, 74, 75, 74, 72]


def test_suunto_sml_zero_and_long_values_are_gaps() -> None:
    rec = recording(FIXTURES / "suunto_move.sml")
    assert rec.format == "suunto-sml"
    assert rec.n_beats == 8 + 30
    assert rec.started_at == local(2024, 3, 5, 18, 45, 22)
    assert np.flatnonzero(rec.gap_before).tolist() == [3, 5]
    # The 5120 ms without a recorded beat still passed.
    assert rec.t_ms[5] - rec.t_ms[4] == 5120 + 799
    assert_consistent(rec)


def test_polar_sensor_logger_rr_backwards_phone_time() -> None:
    rec = recording(FIXTURES / "polar_sensor_logger_rr.txt")
    assert rec.format == "polar-sensor-logger-rr"
    assert rec.n_beats == 5 + 30
    assert rec.started_at == local(2024, 3, 5, 7, 20, 1, 100000) - timedelta(milliseconds=810)
    assert np.flatnonzero(rec.gap_before).tolist() == [3]
    assert rec.t_ms[:5].tolist() == [810, 1630, 2435, 3265, 4080]
    assert rec.rr_ms[5:].tolist() == TAIL_MS


def test_garmin_fit_hrv_messages(tmp_path: Path) -> None:
    created = datetime(2024, 3, 5, 6, 0, tzinfo=UTC)
    data = encode_fit(
        [[812, 845, 901], [877, 830, 799, 812, 856], *([v] for v in TAIL_MS)],
        created=created,
        scalar_ms=[880, 860],
    )
    path = tmp_path / "activity.fit"
    path.write_bytes(data)
    rec = recording(path)
    assert rec.format == "garmin-fit"
    assert rec.rr_ms.tolist() == [812, 845, 901, 877, 830, 799, 812, 856, *TAIL_MS, 880, 860]
    assert rec.started_at == created
    assert not rec.gap_before.any()


def test_garmin_fit_session_start_wins(tmp_path: Path) -> None:
    start = datetime(2024, 3, 5, 6, 5, tzinfo=UTC)
    data = encode_fit(
        [[812, 845], *([v] for v in TAIL_MS)],
        created=start - timedelta(hours=1),
        session_start=start,
    )
    rec = read_source(Source("a.fit", data))
    assert isinstance(rec, ImportedRecording)
    assert rec.started_at == start and rec.n_beats == 2 + 30


def test_garmin_fit_bad_crc_is_a_format_error() -> None:
    data = bytearray(encode_fit([[812, 845]], created=datetime(2024, 3, 5, tzinfo=UTC)))
    data[-1] ^= 0xFF
    with pytest.raises(FormatError, match="garmin-fit"):
        read_source(Source("a.fit", bytes(data)))


def test_garmin_fit_without_hrv_messages() -> None:
    data = encode_fit([], created=datetime(2024, 3, 5, tzinfo=UTC))
    with pytest.raises(FormatError, match="no hrv"):
        read_source(Source("a.fit", data))


def test_gzip_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "rr.txt.gz"
    path.write_bytes(gzip.compress(b"800\n810\n820\n" * 10))
    rec = recording(path)
    assert rec.rr_ms.tolist() == [800, 810, 820] * 10
    assert rec.source_name == "rr.txt"


# -- summary exports -------------------------------------------------------------------------
def test_elite_hrv_readings_prefers_morning_and_first_hr_column() -> None:
    values = daily(FIXTURES / "elite_hrv_readings.csv")
    assert values.format == "elite-hrv-readings"
    days = {d.date.isoformat(): d for d in values.days}
    assert list(days) == ["2024-03-04", "2024-03-05", "2024-03-06"]
    assert days["2024-03-04"].rmssd_ms == 48.2 and days["2024-03-04"].resting_hr_bpm == 58
    assert days["2024-03-05"].rmssd_ms == 52.7  # the morning reading, though listed later
    assert days["2024-03-06"].rmssd_ms == pytest.approx(np.exp(3.892))  # from ln(rMSSD)
    assert days["2024-03-05"].sdnn_ms == 66.4


def test_hrv4training_cr_only_decimal_commas_and_dashes() -> None:
    values = daily(FIXTURES / "hrv4training.csv")
    assert values.format == "hrv4training"
    got = [(d.date.isoformat(), d.rmssd_ms, d.resting_hr_bpm, d.sdnn_ms) for d in values.days]
    assert got == [
        ("2024-03-13", 62.5, 54.0, 70.2),
        ("2024-03-15", 58.3, 56.0, 65.0),
        ("2024-03-16", 49.9, 60.0, 55.0),
    ]


def test_apple_health_sdnn_is_kept_as_sdnn() -> None:
    values = daily(FIXTURES / "apple_health_export.xml")
    assert values.format == "apple-health"
    got = [(d.date.isoformat(), d.rmssd_ms, d.resting_hr_bpm, d.sdnn_ms) for d in values.days]
    assert got == [
        ("2024-03-04", None, None, (62.5 + 41.5) / 2),
        ("2024-03-05", None, 55.0, None),
        ("2024-03-06", None, None, 70.25),  # locale-formatted date and decimal comma
    ]


# -- quirks ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + b"800\r\n810\r\n820\r\n" * 9 + b"800\r\n810\r\n820",
        b"800\r810\r820\r" * 10,
        b"0.8 0.81 0.82 " * 10,
        b"800\n810\n820\n" * 10,
        b"0,8\r\n0,81\r\n0,82\r\n" * 10,
    ],
)
def test_plain_rr_quirks(data: bytes) -> None:
    rec = read_source(Source("rr.txt", data))
    assert isinstance(rec, ImportedRecording)
    assert rec.rr_ms.tolist() == [800, 810, 820] * 10


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02\x03garbage", "unknown format"),
        (b"hello world", "not a number"),
        (b"[Params]\nInterval=1\n[HRData]\n80\n", "R-R mode"),
        (b'{"format": "baseline-export", "version": 9}', "version"),
        (b"1644227574.0, IBI\n", "no intervals"),
    ],
)
def test_bad_files_say_why(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        read_source(Source("x.txt", data))


def test_content_decides_not_extension(tmp_path: Path) -> None:
    path = tmp_path / "recording.csv"
    path.write_bytes((EXPORTS / "polar_protrainer_exercise_rri.hrm").read_bytes())
    assert recording(path).format == "polar-hrm"
