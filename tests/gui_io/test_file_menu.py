"""The File menu's data entries: import refreshes the views, export, backup and restore."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMainWindow, QMenu
from pytestqt.qtbot import QtBot

from app.formats.backup import validate_backup
from app.formats.importer import import_files
from app.store import Store, open_store
from app.ui.app import AppUi
from app.ui.window import MainWindow
from tests.gui_io.conftest import ELITE_RAW, PLAIN_RR, wait_read

WindowFactory = Callable[[Store], AppUi]


def menu_texts(window: MainWindow) -> list[str]:
    file_menu = next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "&File")
    return [a.text().replace("&", "") for a in file_menu.actions() if not a.isSeparator()]


def test_file_menu_has_the_data_entries(make_window: WindowFactory, store: Store) -> None:
    ui = make_window(store)
    window = ui.window
    texts = menu_texts(window)
    for wanted in ("Import\u2026", "Export\u2026", "Back up\u2026", "Restore from a backup\u2026"):
        assert wanted in texts
    assert any("report" in t.lower() and "PDF" in t for t in texts)
    assert texts[-1] == "Quit"
    assert ui.data_actions.import_action.shortcut().toString() == "Ctrl+I"


def test_import_from_the_menu_refreshes_history(
    qtbot: QtBot, make_window: WindowFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ui = make_window(store)
    window = ui.window
    refreshes: list[str] = []
    history_refresh = ui.history.refresh
    monkeypatch.setattr(ui.history, "refresh", lambda: refreshes.append("history"))
    actions = ui.data_actions
    actions.ask_open_files = lambda _parent: [PLAIN_RR, ELITE_RAW]
    assert ui.history.session_ids() == []
    actions.import_action.trigger()
    dialog = actions.import_dialog
    assert dialog is not None and dialog.isVisible()
    wait_read(qtbot, dialog)
    with qtbot.waitSignal(actions.data_changed):
        dialog.import_button.click()
    ids = sorted(s.id for s in store.sessions())
    assert len(ids) == 2
    assert refreshes == ["history"]  # the composition root's refresh reached History
    history_refresh()
    assert sorted(ui.history.session_ids()) == ids
    assert "2 sessions imported" in window.statusBar().currentMessage()


def test_export_json_csv_and_kubios(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    from app.ui.dialogs.export import ExportDialog

    outcomes = import_files(store, [PLAIN_RR, ELITE_RAW])
    plain_id = outcomes[0].session_id
    assert plain_id is not None
    dialog = ExportDialog(store, session_id=plain_id, start_dir=tmp_path)
    qtbot.addWidget(dialog)

    dialog.set_format("json")
    assert dialog.path_edit.text() == str(tmp_path / "baseline-export.json")
    assert not dialog.session_combo.isEnabled()
    result = dialog.do_export()
    assert result is not None and result.count == 2
    document = json.loads((tmp_path / "baseline-export.json").read_text())
    assert len(document["sessions"]) == 2

    dialog.set_format("csv")
    assert dialog.path_edit.text() == str(tmp_path / "baseline-export")
    assert dialog.do_export() is not None
    beats_csv = (tmp_path / "baseline-export" / "beats.csv").read_text().splitlines()
    n_beats = sum(len(store.beats(s.id)) for s in store.sessions())
    assert len(beats_csv) == n_beats + 1  # with the header

    dialog.set_format("kubios")
    assert dialog.session_combo.isEnabled()
    assert dialog.chosen_session() == plain_id
    out = tmp_path / "plain.txt"
    dialog.path_edit.setText(str(out))
    result = dialog.do_export()
    assert result is not None and result.count == len(store.beats(plain_id))
    rr_s = [float(line.split("\t")[1]) for line in out.read_text().splitlines()]
    assert [round(v * 1000.0, 3) for v in rr_s] == [b.rr_ms for b in store.beats(plain_id)]


def test_export_problems_are_reported_not_raised(
    qtbot: QtBot, store: Store, tmp_path: Path
) -> None:
    from app.ui.dialogs.export import ExportDialog

    dialog = ExportDialog(store, start_dir=tmp_path)
    qtbot.addWidget(dialog)
    dialog.set_format("kubios")
    assert not dialog.export_button.isEnabled()  # no sessions at all
    dialog.set_format("json")
    dialog.path_edit.setText(str(tmp_path))  # a folder, not a file
    assert dialog.do_export() is None
    assert "folder" in dialog.status_label.text()


def test_backup_then_restore_through_the_menu(
    make_window: WindowFactory, db_path: Path, tmp_path: Path
) -> None:
    store = open_store(db_path)
    try:
        import_files(store, [PLAIN_RR])
        ui = make_window(store)
        window = ui.window
        actions = ui.data_actions
        backup = tmp_path / "backup.db"
        actions.ask_backup_path = lambda _parent: backup
        actions.backup_action.trigger()
        assert validate_backup(backup) >= 1
        with sqlite3.connect(backup) as copy:
            assert copy.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1

        import_files(store, [ELITE_RAW])  # changes after the backup ...
        assert len(store.sessions()) == 2
        questions: list[str] = []
        notes: list[str] = []

        def confirm(_parent: QMainWindow, _title: str, text: str) -> bool:
            questions.append(text)
            return True

        actions.confirm = confirm
        actions.inform = lambda _parent, _title, text: notes.append(text)
        assert actions.restore(backup)
        assert "backup.db" in questions[0] and "1 session" in questions[0]
        assert "Restored 1 session" in notes[0] and "start it again" in notes[0]
        assert not window.isVisible()  # the app closes after a restore
        # ... are gone; the store's own connection sees the restored database.
        assert [s.kind for s in store.sessions()] == ["recording"]
        assert len(store.beats(store.sessions()[0].id)) == len(PLAIN_RR.read_text().split())
        saved = list(tmp_path.glob("test.before-restore-*.db"))
        assert len(saved) == 1
        with sqlite3.connect(saved[0]) as aside:
            assert aside.execute("SELECT count(*) FROM sessions").fetchone()[0] == 2
    finally:
        store.close()


def test_restore_cancelled_or_invalid_changes_nothing(
    make_window: WindowFactory, store: Store, tmp_path: Path
) -> None:
    import_files(store, [PLAIN_RR])
    ui = make_window(store)
    window = ui.window
    actions = ui.data_actions
    backup = actions.back_up(tmp_path / "b.db")
    assert backup is not None
    import_files(store, [ELITE_RAW])
    notes: list[str] = []
    actions.inform = lambda _parent, _title, text: notes.append(text)
    actions.confirm = lambda _parent, _title, _text: False
    assert not actions.restore(backup)
    assert len(store.sessions()) == 2 and window.isVisible()

    garbage = tmp_path / "not-a-backup.db"
    garbage.write_bytes(b"SQLite format 3\x00" + bytes(2000))
    actions.confirm = lambda _parent, _title, _text: pytest.fail("asked about a bad file")
    assert not actions.restore(garbage)
    assert "cannot be restored" in notes[-1]
    assert len(store.sessions()) == 2 and window.isVisible()
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_backup_to_an_existing_file_is_refused(
    make_window: WindowFactory, store: Store, tmp_path: Path
) -> None:
    ui = make_window(store)
    existing = tmp_path / "taken.db"
    existing.write_text("keep me")
    notes: list[str] = []
    ui.data_actions.inform = lambda _parent, _title, text: notes.append(text)
    assert ui.data_actions.back_up(existing) is None
    assert existing.read_text() == "keep me"
    assert "already exists" in notes[0]


def test_cancel_while_reading_writes_nothing(
    qtbot: QtBot, make_window: WindowFactory, store: Store
) -> None:
    from tests.conftest import DATA_DIR

    ui = make_window(store)

    window = ui.window
    actions = ui.data_actions
    long_file = DATA_DIR / "rr" / "long24h_nsr2db_nsr001.txt.gz"
    dialog = actions.open_import([long_file, PLAIN_RR, ELITE_RAW])
    assert dialog.is_busy()
    gone: list[bool] = []
    dialog.destroyed.connect(lambda: gone.append(True))
    dialog.reject()
    qtbot.waitUntil(lambda: bool(gone), timeout=20_000)  # deleted on close, no crash
    # The dialog's thread pool went with it (joining its reads): whatever they posted is
    # delivered now, and has nowhere to go.
    QCoreApplication.sendPostedEvents()
    assert store.sessions() == []
    assert window.isVisible()


def test_restore_waits_for_a_running_session(
    make_window: WindowFactory, store: Store, tmp_path: Path
) -> None:
    import_files(store, [PLAIN_RR])
    ui = make_window(store)
    window = ui.window
    actions = ui.data_actions
    backup = actions.back_up(tmp_path / "b.db")
    assert backup is not None
    ui.breathe.start()
    session_id = ui.breathe.session_id
    assert session_id is not None
    notes: list[str] = []
    actions.inform = lambda _parent, _title, text: notes.append(text)
    actions.confirm = lambda _parent, _title, _text: pytest.fail("asked during a session")
    assert not actions.restore(backup)
    assert "Finish the running session" in notes[0]
    assert f"session {session_id}, breathing" in notes[0]
    assert window.isVisible()


def test_restore_waits_for_a_recording_of_another_program(
    make_window: WindowFactory, store: Store, tmp_path: Path
) -> None:
    import_files(store, [PLAIN_RR])
    ui = make_window(store)
    actions = ui.data_actions
    backup = actions.back_up(tmp_path / "b.db")
    assert backup is not None and store.path is not None
    other = open_store(store.path)  # its own connection and lock, like a `record` process
    try:
        session_id = other.start_session("recording")
        notes: list[str] = []
        actions.inform = lambda _parent, _title, text: notes.append(text)
        actions.confirm = lambda _parent, _title, _text: pytest.fail("asked during a recording")
        assert not actions.restore(backup)
        assert f"session {session_id}, recording" in notes[0]
        other.finish_session(session_id)
        actions.confirm = lambda _parent, _title, _text: False  # now it asks
        assert not actions.restore(backup)
        assert len(notes) == 1
    finally:
        other.close()


def test_restore_checks_again_after_the_question(
    make_window: WindowFactory, store: Store, tmp_path: Path
) -> None:
    import_files(store, [PLAIN_RR])
    ui = make_window(store)
    window = ui.window
    actions = ui.data_actions
    backup = actions.back_up(tmp_path / "b.db")
    assert backup is not None and store.path is not None
    other = open_store(store.path)
    started: list[int] = []

    def confirm_while_a_recording_starts(_parent: object, _title: str, _text: str) -> bool:
        started.append(other.start_session("recording"))  # `record` started meanwhile
        return True

    notes: list[str] = []
    actions.inform = lambda _parent, _title, text: notes.append(text)
    actions.confirm = confirm_while_a_recording_starts
    try:
        assert not actions.restore(backup)
        assert f"session {started[0]}, recording" in notes[0]
        assert window.isVisible()
        assert [s.id for s in store.sessions()] == [started[0], 1]
    finally:
        other.close()
