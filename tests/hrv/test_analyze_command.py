"""`baseline analyze`: the text report, exact JSON keys, and exit 2 with one line on bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from app.cli import main
from app.hrv.following import FOLLOWING_THRESHOLD
from app.hrv.report import JSON_KEYS

from .helpers import RR_DIR


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(RR_DIR / "rest_5min_pyhrv_short.txt"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == list(JSON_KEYS)
    assert data["n_beats"] == 337


def test_text_report_and_correction_none(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(RR_DIR / "artifacts_40min_polar_noisy_rri.txt")
    assert main(["analyze", path]) == 0
    text = capsys.readouterr().out
    for label in ("RMSSD", "LF/HF", "DFA alpha1", "Artifacts", "Coherence"):
        assert label in text
    assert main(["analyze", path, "--json", "--correction", "none"]) == 0
    raw = json.loads(capsys.readouterr().out)
    assert raw["rmssd_ms"] == pytest.approx(58.6604, rel=1e-4)  # the reference value, raw input


def test_short_recording_shows_reasons(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "minute.txt.gz"
    path.write_bytes(gzip.compress(("\n".join(["0.85", "0.9", "0.95"] * 25)).encode()))
    assert main(["analyze", str(path)]) == 0
    assert "window too short for VLF" in capsys.readouterr().out
    assert main(["analyze", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["vlf_ms2"] is None
    assert data["mean_rr_ms"] == pytest.approx(900.0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"hello\nworld\n", "not a number"),
        (b"800\n-800\n" * 6, "not positive"),
        (b"800\n900\n810\n", "too few beats"),
        (bytes(range(256)), "not a text file"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert err.startswith("baseline analyze: ")


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(tmp_path / "nope.txt")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_any_importable_recording_format_is_analysed_with_its_gaps(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.formats.recording import ImportedRecording
    from app.formats.registry import read_path
    from app.hrv.report import analyze

    # An HRV Logger CSV (timestamp, rr, since_start) with 4 s of beats dropped after beat 150.
    rng = np.random.default_rng(3)
    rr_ms = np.round(850.0 + 40.0 * np.sin(np.arange(300) / 3.0) + rng.normal(0.0, 10.0, 300))
    since_start_ms = np.cumsum(rr_ms) + np.where(np.arange(300) >= 150, 4000.0, 0.0)
    rows = [
        f"{1709622000000 + int(t)},{int(rr)},{int(t)}"
        for rr, t in zip(rr_ms, since_start_ms, strict=True)
    ]
    path = tmp_path / "hrv_logger.csv"
    path.write_text("timestamp, rr, since_start \n\n" + "\n".join(rows) + "\n")
    recording = read_path(path)
    assert isinstance(recording, ImportedRecording)
    assert recording.format != "plain-rr"
    assert np.flatnonzero(recording.gap_before).tolist() == [150]

    assert main(["analyze", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    expected = analyze(recording.rr_ms, gap_before=recording.gap_before).to_json_dict()
    assert data == json.loads(json.dumps(expected))
    bridged = analyze(recording.rr_ms).to_json_dict()
    assert data["rmssd_ms"] != bridged["rmssd_ms"]  # the gap is not counted as a difference


def test_daily_summary_exports_are_refused_clearly(capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).resolve().parents[1] / "data" / "formats" / "hrv4training.csv"
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert "daily summary values" in err and err.count("\n") == 1


def test_pacer_rate_adds_the_following(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(RR_DIR / "paced0.25Hz_10min_meditation_M10.txt")
    assert main(["analyze", path, "--json", "--pacer-rate", "15"]) == 0
    at_rate = json.loads(capsys.readouterr().out)
    assert list(at_rate) == [*JSON_KEYS, "pacer_following"]
    assert at_rate["breathing_rate_per_min"] == pytest.approx(15.0, abs=0.7)
    assert at_rate["pacer_following"] >= FOLLOWING_THRESHOLD
    assert main(["analyze", path, "--json", "--pacer-rate", "6"]) == 0
    elsewhere = json.loads(capsys.readouterr().out)
    assert elsewhere["pacer_following"] < FOLLOWING_THRESHOLD / 2
    assert main(["analyze", path, "--pacer-rate", "15"]) == 0
    text = capsys.readouterr().out
    assert "Breathing rate" in text and "Pacer following (0-1)" in text
    assert main(["analyze", path]) == 0
    assert "Pacer following" not in capsys.readouterr().out


@pytest.mark.parametrize("rate", ["2.9", "24.5", "fast", "nan", "inf", "-6"])
def test_a_pacer_rate_outside_3_to_24_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], rate: str
) -> None:
    path = str(RR_DIR / "rest_5min_pyhrv_short.txt")
    assert main(["analyze", path, f"--pacer-rate={rate}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("baseline analyze: --pacer-rate must be a number of breaths per minute")
    assert err.count("\n") == 1
