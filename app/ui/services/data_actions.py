"""The File menu's data entries: Import, Export, Back up, Restore and the printable report.

`DataActions(window, store, menu, ...)` adds the actions to `menu` (before `before`) and opens the
dialogs. The composition root (`app.ui.app`) hands it `refresh_views` (show the store again on every
page) and `selected_session` (the History selection, for Export and the report). After an import the
views are refreshed and `data_changed` is emitted. A restore is refused while a session is being
recorded, in this window or by any other process (`recording_blocks_restore`, the check `baseline
restore` makes), asks for confirmation, and then closes the window so the app starts again on the
restored database (see `export_dialog` for why a restart rather than a reload). The questions and
file choosers are attributes (`ask_*`, `confirm`, `inform`) so tests can answer them. The file
formats and the dialogs are imported when an entry is first used (a live session needs none).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox

from app import APP_NAME
from app.store import Store

if TYPE_CHECKING:
    from app.ui.dialogs.export import ExportDialog
    from app.ui.dialogs.import_files import ImportDialog
    from app.ui.dialogs.report import ReportDialog

IMPORT_SHORTCUT = "Ctrl+I"


def _ask_open_files(parent: QMainWindow) -> list[Path]:
    from app.ui.dialogs.import_files import FILE_FILTER

    paths, _ = QFileDialog.getOpenFileNames(parent, "Import files", "", FILE_FILTER)
    return [Path(p) for p in paths]


def _ask_backup_path(parent: QMainWindow) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(
        parent, "Back up to a new file", "baseline-backup.db", "Database (*.db)"
    )
    return Path(path) if path else None


def _ask_restore_path(parent: QMainWindow) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(
        parent, "Restore from a backup", "", "Database (*.db);;All files (*)"
    )
    return Path(path) if path else None


def _confirm(parent: QMainWindow, title: str, text: str) -> bool:
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


def _inform(parent: QMainWindow, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


class DataActions(QObject):
    """The File menu's Import, Export, Back up, Restore and Report entries.

    Signals:
        data_changed(): an import stored something (the views were refreshed).
        message(str): a short sentence for the status bar.
    """

    data_changed = Signal()
    message = Signal(str)

    def __init__(
        self,
        window: QMainWindow,
        store: Store,
        menu: QMenu,
        *,
        refresh_views: Callable[[], None],
        selected_session: Callable[[], int | None],
        before: QAction | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._store = store
        self._menu = menu
        self._before = before
        self._refresh_views = refresh_views
        self._selected_session = selected_session
        self._today = today
        self.ask_open_files: Callable[[QMainWindow], list[Path]] = _ask_open_files
        self.ask_backup_path: Callable[[QMainWindow], Path | None] = _ask_backup_path
        self.ask_restore_path: Callable[[QMainWindow], Path | None] = _ask_restore_path
        self.confirm: Callable[[QMainWindow, str, str], bool] = _confirm
        self.inform: Callable[[QMainWindow, str, str], None] = _inform
        self.import_dialog: ImportDialog | None = None
        self.export_dialog: ExportDialog | None = None
        self.report_dialog: ReportDialog | None = None

        self.import_action = self._action(menu, "&Import\u2026", self.choose_and_import)
        self.import_action.setShortcut(QKeySequence(IMPORT_SHORTCUT))
        self.export_action = self._action(menu, "&Export\u2026", self.open_export)
        self._separator(menu)
        self.backup_action = self._action(menu, "&Back up\u2026", self.back_up)
        self.restore_action = self._action(menu, "&Restore from a backup\u2026", self.restore)
        self._separator(menu)
        self.report_action = self._action(
            menu, "Save &report as PDF or PNG\u2026", self.open_report
        )

    def _separator(self, menu: QMenu) -> None:
        if self._before is not None:
            menu.insertSeparator(self._before)
        else:
            menu.addSeparator()

    def _action(self, menu: QMenu, text: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self._window)
        action.triggered.connect(lambda _checked=False: slot())
        if self._before is not None:
            menu.insertAction(self._before, action)
        else:
            menu.addAction(action)
        return action

    # -- helpers ---------------------------------------------------------------------------
    def refresh_views(self) -> None:
        """Ask every page to show the store again."""
        self._refresh_views()
        self.data_changed.emit()

    def running_problem(self) -> str | None:
        """Which recording runs now (one sentence), or None."""
        from app.formats.backup import recording_blocks_restore

        return recording_blocks_restore(self._store)

    def _refuse_while_recording(self) -> bool:
        running = self.running_problem()
        if running is None:
            return False
        self.inform(
            self._window, "Restore", f"Finish the running session first, then restore: {running}."
        )
        return True

    def selected_session(self) -> int | None:
        return self._selected_session()

    # -- import ----------------------------------------------------------------------------
    def choose_and_import(self) -> ImportDialog | None:
        paths = self.ask_open_files(self._window)
        return self.open_import(paths) if paths else None

    def open_import(self, paths: list[Path]) -> ImportDialog:
        """Show the import preview for these files (non-modal; Import writes them all)."""
        from app.ui.dialogs.import_files import ImportDialog

        dialog = ImportDialog(self._store, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.imported.connect(self._imported)
        dialog.finished.connect(lambda _r: dialog.shutdown())
        self.import_dialog = dialog
        dialog.add_paths(paths)
        dialog.open()
        return dialog

    def _imported(self, outcomes: list[object]) -> None:
        from app.formats.importer import ImportOutcome
        from app.ui.dialogs.import_files import outcome_summary

        self.refresh_views()
        self.message.emit(outcome_summary([o for o in outcomes if isinstance(o, ImportOutcome)]))

    # -- export, report --------------------------------------------------------------------
    def open_export(self) -> ExportDialog:
        from app.ui.dialogs.export import ExportDialog

        dialog = ExportDialog(self._store, self._window, session_id=self.selected_session())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.export_dialog = dialog
        dialog.open()
        return dialog

    def open_report(self) -> ReportDialog:
        from app.ui.dialogs.report import ReportDialog

        dialog = ReportDialog(
            self._store, self._window, session_id=self.selected_session(), today=self._today()
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.report_dialog = dialog
        dialog.open()
        return dialog

    # -- backup, restore -------------------------------------------------------------------
    def back_up(self, out: Path | None = None) -> Path | None:
        """Copy the database into a new file; returns it, or None when nothing was written."""
        from app.ui.dialogs.export import ExportError, backup_to

        target = out or self.ask_backup_path(self._window)
        if target is None:
            return None
        try:
            written = backup_to(self._store, target)
        except ExportError as exc:
            self.inform(self._window, "Back up", f"No backup was written: {exc}")
            return None
        self.message.emit(f"Backed up everything to {written}.")
        return written

    def restore(self, backup: Path | None = None) -> bool:
        """Check a backup, confirm, replace the database, then close the app. True if restored."""
        from app.ui.dialogs.export import ExportError, check_backup, restore_from, restore_text

        if self._refuse_while_recording():
            return False
        source = backup or self.ask_restore_path(self._window)
        if source is None:
            return False
        try:
            n_sessions = check_backup(source)
        except ExportError as exc:
            self.inform(self._window, "Restore", f"This file cannot be restored: {exc}")
            return False
        question = (
            f"Replace all your data with the backup {source.name} ({n_sessions} "
            f"session{'s' if n_sessions != 1 else ''})?\n\nYour current data is saved aside "
            f"first. {APP_NAME} closes afterwards; start it again to see the restored data."
        )
        if not self.confirm(self._window, "Restore from a backup", question):
            return False
        if self._refuse_while_recording():  # one may have started while the question was open
            return False
        try:
            result = restore_from(self._store, source)
        except ExportError as exc:
            self.inform(self._window, "Restore", f"Nothing was restored: {exc}")
            return False
        self.inform(self._window, "Restore", restore_text(result, source))
        self._window.close()
        return True
