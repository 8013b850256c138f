"""File > Import: the preview shows each file before anything is written; all or nothing."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QDate, QDateTime, QTime
from pytestqt.qtbot import QtBot

from app.store import Store
from app.ui.dialogs.import_files import COLUMNS, STATUS_KNOWN, STATUS_NEW, ImportDialog
from tests.gui_io.conftest import ELITE_RAW, PLAIN_RR, wait_read


def file_values(path: Path) -> list[float]:
    """The RR values of a one-value-per-line file, read here independently of the importers."""
    return [float(line) for line in path.read_text().split() if line.strip()]


def open_dialog(qtbot: QtBot, store: Store, paths: list[Path]) -> ImportDialog:
    dialog = ImportDialog(store)
    qtbot.addWidget(dialog)
    dialog.add_paths(paths)
    wait_read(qtbot, dialog)
    return dialog


def cell(dialog: ImportDialog, row: int, column: str) -> str:
    return dialog.row_texts(row)[COLUMNS.index(column)]


def session_count(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM sessions").fetchone()[0])


def test_preview_rows_for_a_good_and_a_bad_file(qtbot: QtBot, store: Store, bad_file: Path) -> None:
    dialog = open_dialog(qtbot, store, [PLAIN_RR, ELITE_RAW, bad_file])
    assert dialog.table.rowCount() == 3
    rr = file_values(PLAIN_RR)
    assert cell(dialog, 0, "File") == PLAIN_RR.name
    assert cell(dialog, 0, "Format") == "plain-rr"
    assert cell(dialog, 0, "Beats") == str(len(rr))
    assert cell(dialog, 0, "Date") == "no start in file"
    minutes, seconds = divmod(math.floor(sum(rr) / 1000.0), 60)  # time passed: rounded down
    assert (
        cell(dialog, 0, "Length") == f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    )
    assert cell(dialog, 0, "Artifacts").endswith("%")
    assert cell(dialog, 0, "Status") == STATUS_NEW

    assert cell(dialog, 1, "Format") == "elite-hrv-raw"
    assert cell(dialog, 1, "Date") == "2024-03-05 07:12"  # the start in the file's name
    assert cell(dialog, 1, "Beats") == str(len(file_values(ELITE_RAW)))
    assert cell(dialog, 1, "Artifacts") == "0.0 %"

    assert cell(dialog, 2, "File") == bad_file.name
    assert cell(dialog, 2, "Status").startswith("cannot import: ")
    assert len(cell(dialog, 2, "Status")) > len("cannot import: ") + 5
    # One bad file: Import is disabled, the reason names the file, and nothing is written.
    assert not dialog.import_button.isEnabled()
    assert bad_file.name in dialog.reason_label.text()
    assert dialog.do_import() is None
    assert session_count(store) == 0
    assert store.beats(1) == []


def test_removing_the_bad_file_imports_all_the_others(
    qtbot: QtBot, store: Store, bad_file: Path
) -> None:
    dialog = open_dialog(qtbot, store, [PLAIN_RR, bad_file, ELITE_RAW])
    dialog.table.selectRow(1)
    dialog.remove_selected()
    assert [r.path.name for r in dialog.rows()] == [PLAIN_RR.name, ELITE_RAW.name]
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported) as signal:
        dialog.import_button.click()
    outcomes = signal.args[0] if signal.args else []
    assert [o.status for o in outcomes] == ["imported", "imported"]
    sessions = sorted(store.sessions(), key=lambda s: s.id)
    assert len(sessions) == 2
    stored_rr = [b.rr_ms for b in store.beats(sessions[0].id)]
    assert stored_rr == pytest.approx(file_values(PLAIN_RR))
    assert len(store.beats(sessions[1].id)) == len(file_values(ELITE_RAW))
    assert sessions[1].started_at.replace(tzinfo=None) == datetime(2024, 3, 5, 7, 12, 30)
    assert {s.kind for s in sessions} == {"recording"}


def test_reimport_shows_already_imported_and_stores_once(qtbot: QtBot, store: Store) -> None:
    first = open_dialog(qtbot, store, [ELITE_RAW])
    assert cell(first, 0, "Status") == STATUS_NEW
    first.do_import()
    again = open_dialog(qtbot, store, [ELITE_RAW])
    assert cell(again, 0, "Status") == STATUS_KNOWN
    outcomes = again.do_import()
    assert outcomes is not None and [o.status for o in outcomes] == ["already imported"]
    assert session_count(store) == 1


def test_kind_and_start_for_a_file_without_one(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, [PLAIN_RR])
    assert dialog.at_check.isEnabled()  # a file without a start time is listed
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("readiness"))
    dialog.at_check.setChecked(True)
    chosen = datetime(2026, 2, 14, 6, 30)
    dialog.at_edit.setDateTime(QDateTime(QDate(2026, 2, 14), QTime(6, 30)))
    assert dialog.do_import() is not None
    (session,) = store.sessions()
    assert session.kind == "readiness"
    assert session.started_at == chosen.astimezone()  # local time
    assert session.duration_s == pytest.approx(float(np.sum(file_values(PLAIN_RR))) / 1000.0)


def test_start_choice_cannot_leave_the_accepted_dates(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, [PLAIN_RR])
    dialog.at_check.setChecked(True)
    dialog.at_edit.setDateTime(QDateTime(QDate(1800, 1, 1), QTime(6, 30)))
    assert dialog.at_edit.dateTime().date() == QDate(2000, 1, 1)
    dialog.at_edit.setDateTime(QDateTime(QDate(9999, 12, 31), QTime(23, 59)))
    assert dialog.at_edit.dateTime() <= QDateTime.currentDateTime().addSecs(86400)
    assert dialog.do_import() is not None
    assert len(store.sessions()) == 1


def test_start_choice_is_off_when_every_file_has_a_start(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, [ELITE_RAW])
    assert not dialog.at_check.isEnabled()
    assert dialog.chosen_start() is None


def test_a_file_listed_twice_is_read_once(qtbot: QtBot, store: Store) -> None:
    dialog = open_dialog(qtbot, store, [ELITE_RAW, ELITE_RAW])
    assert dialog.table.rowCount() == 1


def test_summary_export_shows_days(qtbot: QtBot, store: Store) -> None:
    from tests.conftest import DATA_DIR

    dialog = open_dialog(qtbot, store, [DATA_DIR / "formats" / "hrv4training.csv"])
    assert cell(dialog, 0, "Format") == "hrv4training"
    assert cell(dialog, 0, "Length").endswith("days")
    assert cell(dialog, 0, "Beats") == ""
    dialog.do_import()
    assert len(store.log_entries()) == int(cell(dialog, 0, "Length").split()[0])


def test_dropped_files_are_added(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    dialog = ImportDialog(store)
    qtbot.addWidget(dialog)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(ELITE_RAW)), QUrl.fromLocalFile(str(tmp_path))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    dialog.dropEvent(event)
    wait_read(qtbot, dialog)
    assert [r.path for r in dialog.rows()] == [ELITE_RAW.resolve()]  # the folder is left out
    assert cell(dialog, 0, "Format") == "elite-hrv-raw"
