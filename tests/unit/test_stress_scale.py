"""One scale for stress: 1-5 everywhere. Stored 1-10 answers are converted by a migration, and
version-1 exports (1-10) are converted when imported; the reflection asks on 1-5."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.formats.importer import ImportFileError, import_files
from app.store import open_store
from app.store.migrations import MIGRATIONS
from app.store.scales import stress_from_ten
from app.ui.dialogs.reflection import ReflectionDialog

PAIRS = [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4), (8, 4), (9, 5), (10, 5)]
STRESS_MIGRATION = 8


@pytest.mark.parametrize(("ten", "five"), PAIRS)
def test_the_conversion_pairs_the_ten_point_answers(ten: int, five: int) -> None:
    assert stress_from_ten(ten) == five
    assert stress_from_ten(None) is None


def test_the_migration_converts_stored_answers(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for number in range(1, STRESS_MIGRATION):
        with conn:
            for statement in MIGRATIONS[number - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
    with conn:
        for i, (ten, _five) in enumerate(PAIRS, start=1):
            conn.execute(
                "INSERT INTO sessions (id, kind, started_at, status, stress_before, stress_after)"
                " VALUES (?, 'breathing', ?, 'complete', ?, ?)",
                (i, f"2026-01-{i:02d}T07:00:00.000+01:00", ten, 11 - ten),
            )
        conn.execute(
            "INSERT INTO sessions (id, kind, started_at, status) VALUES"
            " (99, 'breathing', '2026-02-01T07:00:00.000+01:00', 'complete')"
        )
    conn.close()
    store = open_store(path)
    by_id = {s.id: (s.stress_before, s.stress_after) for s in store.sessions()}
    for i, (ten, five) in enumerate(PAIRS, start=1):
        assert by_id[i] == (five, stress_from_ten(11 - ten))
    assert by_id[99] == (None, None)
    store.close()


def _export(version: int, before: int, after: int) -> str:
    return json.dumps(
        {
            "format": "baseline-export",
            "version": version,
            "sessions": [
                {
                    "id": 1,
                    "kind": "breathing",
                    "started_at": "2026-01-05T07:00:00.000+01:00",
                    "ended_at": "2026-01-05T07:10:00.000+01:00",
                    "status": "complete",
                    "duration_s": 600.0,
                    "stress_before": before,
                    "stress_after": after,
                    "beats": [],
                }
            ],
            "log": [],
        }
    )


@pytest.mark.parametrize(
    ("version", "before", "after", "stored"), [(1, 9, 4, (5, 2)), (2, 4, 2, (4, 2))]
)
def test_imports_convert_version_1_stress(
    tmp_path: Path, version: int, before: int, after: int, stored: tuple[int, int]
) -> None:
    file = tmp_path / f"export-v{version}.json"
    file.write_text(_export(version, before, after), encoding="utf-8")
    store = open_store(tmp_path / "b.db")
    import_files(store, [file])
    [session] = store.sessions()
    assert (session.stress_before, session.stress_after) == stored
    store.close()


def test_a_version_2_export_with_stress_off_the_scale_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "export.json"
    file.write_text(_export(2, 8, 2), encoding="utf-8")
    store = open_store(tmp_path / "b.db")
    with pytest.raises(ImportFileError, match="1-5"):
        import_files(store, [file])
    assert store.sessions() == []
    store.close()


def test_the_reflection_asks_on_the_1_to_5_scale(qtbot: QtBot) -> None:
    dialog = ReflectionDialog("12 min")
    qtbot.addWidget(dialog)
    for spin in (dialog.before_spin, dialog.after_spin):
        assert (spin.minimum(), spin.maximum()) == (0, 5)  # 0: not answered
    dialog.before_spin.setValue(9)  # out of the scale: held at 5
    assert dialog.reflection().stress_before == 5
    intro = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "5 = very stressed" in intro and "10" not in intro
