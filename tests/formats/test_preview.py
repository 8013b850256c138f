"""The preview API: what a file would import, without writing anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.formats.importer import ImportFileError
from app.formats.preview import preview
from app.store import open_store
from tests.conftest import DATA_DIR

EXPORTS = DATA_DIR / "exports"


def test_preview_of_a_recording(db_path: Path) -> None:
    result = preview(EXPORTS / "empatica_e4_S02_IBI.csv")
    assert result.format == "empatica-ibi"
    assert result.n_beats == 360
    assert result.started_at is not None and result.started_at.tzinfo is not None
    assert result.duration_s == pytest.approx(2845.171875)
    # The HRV core's artifact correction is there: a share of beats between 0 and 100.
    assert result.artifact_pct is not None and 0.0 <= result.artifact_pct < 100.0
    assert not db_path.exists()


def test_preview_of_clean_rr_has_no_artifacts() -> None:
    result = preview(DATA_DIR / "formats" / "2024-03-05 07-12-30.txt")
    assert result.format == "elite-hrv-raw" and result.n_beats == 12 + 30
    assert result.artifact_pct == 0.0


def test_preview_of_daily_values() -> None:
    result = preview(DATA_DIR / "formats" / "hrv4training.csv")
    assert (result.format, result.n_days, result.n_beats) == ("hrv4training", 3, 0)
    assert (result.first_day, result.last_day) == ("2024-03-13", "2024-03-16")


def test_preview_of_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(bytes(range(256)))
    with pytest.raises(ImportFileError, match=r"bad\.bin"):
        preview(bad)


def test_preview_writes_nothing(db_path: Path) -> None:
    store = open_store(db_path)
    preview(EXPORTS / "polar_protrainer_exercise_rri.hrm")
    assert store.sessions() == []
    store.close()
