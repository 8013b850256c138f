"""File > Export, Back up and Restore: give the data back, whole or one session at a time.

`ExportDialog` writes everything as Baseline JSON (importable again) or a CSV folder, or one
session (the one selected in History, else the newest with beats) as Kubios "time RR" text, with
`app.formats.export`. `backup_to` copies the live database with SQLite's online backup.
`restore_from` validates a backup before it replaces anything (`app.formats.backup`) and keeps
the current database aside. After a restore the app closes and is started again: the store's
connection, the settings and every page hold what they read from the old database, and a backup
from an older version is migrated when the store is opened, so a fresh start is the one state
that is sure to be right (the caller says so before and after).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.formats.atomic import WriteRefusedError
from app.formats.backup import (
    BackupError,
    RestoreResult,
    backup_session_count,
    backup_store,
    restore_store,
)
from app.formats.export import export_csv, export_json, export_kubios
from app.store import Store
from app.ui.dialogs.report import default_session, session_choices

FORMATS = (
    ("json", "Everything as JSON (Baseline can import it again)"),
    ("csv", "Everything as a folder of CSV files (for spreadsheets)"),
    ("kubios", "One session's RR intervals as Kubios text"),
)
DEFAULT_NAMES = {"json": "baseline-export.json", "csv": "baseline-export", "kubios": "session.txt"}


class ExportError(Exception):
    """An export, backup or restore did not happen; one sentence for the user."""


@dataclass(frozen=True, slots=True)
class ExportResult:
    format: str
    path: Path
    count: int  # sessions (json, csv) or beats (kubios)

    @property
    def message(self) -> str:
        if self.format == "kubios":
            return f"Wrote {self.count} beats to {self.path}."
        where = "the folder " if self.format == "csv" else ""
        n = self.count
        return f"Wrote {n} session{'s' if n != 1 else ''} and the daily log to {where}{self.path}."


def export_to(store: Store, fmt: str, path: Path, session_id: int | None = None) -> ExportResult:
    """Write one export; raises ExportError with a plain sentence when it cannot."""
    path = Path(path)
    if fmt == "csv":
        if path.exists() and not path.is_dir():
            raise ExportError(f"{path} is a file; choose a folder for the CSV files")
    elif path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name")
    try:
        # The file dialog has asked before an existing file is chosen; databases stay refused.
        if fmt == "json":
            return ExportResult(fmt, path, export_json(store, path, replace=True))
        if fmt == "csv":
            return ExportResult(fmt, path, export_csv(store, path, replace=True))
        if fmt != "kubios":
            raise ExportError(f"unknown export format {fmt!r}")
        if session_id is None or store.session(session_id) is None:
            raise ExportError("choose a session to export")
        if not store.beats(session_id):
            raise ExportError("this session has no beats (no heart-rate strap was used)")
        return ExportResult(fmt, path, export_kubios(store, session_id, path, replace=True))
    except WriteRefusedError as exc:
        raise ExportError(str(exc)) from exc
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc


def backup_to(store: Store, out: Path) -> Path:
    """Copy the whole database into the new file `out` (SQLite online backup)."""
    try:
        backup_store(store, Path(out))
    except BackupError as exc:
        raise ExportError(str(exc)) from exc
    return Path(out)


def check_backup(path: Path) -> int:
    """Validate a backup file without changing anything; returns its number of sessions."""
    try:
        return backup_session_count(Path(path))
    except BackupError as exc:
        raise ExportError(str(exc)) from exc


def restore_from(store: Store, backup: Path) -> RestoreResult:
    """Replace the store's database with `backup` (validated first, current one kept aside).

    The store's own connection is then brought to the current schema, so anything written
    before the app restarts lands in a database this version understands.
    """
    try:
        return restore_store(store, Path(backup))
    except BackupError as exc:
        raise ExportError(str(exc)) from exc


def restore_text(result: RestoreResult, backup: Path) -> str:
    aside = f" Your previous data is kept in {result.saved_aside}." if result.saved_aside else ""
    n = result.n_sessions
    return (
        f"Restored {n} session{'s' if n != 1 else ''} from {backup.name}.{aside} "
        "Baseline will close now; start it again to see the restored data."
    )


class ExportDialog(QDialog):
    """Choose a format, a session (Kubios) and where to write, then Export."""

    def __init__(
        self,
        store: Store,
        parent: QWidget | None = None,
        *,
        session_id: int | None = None,
        start_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self._store = store
        self._start_dir = start_dir or Path.home()
        self.last_result: ExportResult | None = None

        self.format_group = QButtonGroup(self)
        self.format_buttons: dict[str, QRadioButton] = {}
        format_box = QVBoxLayout()
        for i, (fmt, label) in enumerate(FORMATS):
            button = QRadioButton(label)
            self.format_group.addButton(button, i)
            self.format_buttons[fmt] = button
            format_box.addWidget(button)
        self.format_buttons["json"].setChecked(True)
        self.format_group.idToggled.connect(self._format_changed)

        self.session_combo = QComboBox()
        choices = session_choices(store)
        for sid, label, _n in choices:
            self.session_combo.addItem(label, sid)
        chosen = default_session(choices, session_id)
        if chosen is not None:
            self.session_combo.setCurrentIndex(self.session_combo.findData(chosen))

        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Where to write")
        self.path_edit.textChanged.connect(self._update_state)
        browse = QPushButton("Choose\u2026")
        browse.clicked.connect(self.choose_path)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        form = QFormLayout()
        form.addRow("Session", self.session_combo)
        form.addRow("Write to", path_row)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.export_button = QPushButton("Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.do_export)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(close)
        buttons.addWidget(self.export_button)

        layout = QVBoxLayout(self)
        layout.addLayout(format_box)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 80, self.sizeHint().height())
        self._format_changed()

    def chosen_format(self) -> str:
        return FORMATS[max(0, self.format_group.checkedId())][0]

    def set_format(self, fmt: str) -> None:
        self.format_buttons[fmt].setChecked(True)

    def chosen_session(self) -> int | None:
        data = self.session_combo.currentData()
        return None if data is None else int(data)

    def _format_changed(self, *_: object) -> None:
        fmt = self.chosen_format()
        self.session_combo.setEnabled(fmt == "kubios" and self.session_combo.count() > 0)
        current = self.path_edit.text().strip()
        if not current or Path(current).name in DEFAULT_NAMES.values():
            base = Path(current).parent if current else self._start_dir
            self.path_edit.setText(str(base / DEFAULT_NAMES[fmt]))
        self._update_state()

    def _update_state(self, *_: object) -> None:
        fmt = self.chosen_format()
        reason = None
        if not self.path_edit.text().strip():
            reason = "Choose where to write."
        elif fmt == "kubios" and self.session_combo.count() == 0:
            reason = "There are no sessions to export."
        self.export_button.setEnabled(reason is None)
        if reason is not None:
            self.status_label.setText(reason)
        elif self.last_result is None:
            self.status_label.clear()

    def choose_path(self) -> None:
        current = self.path_edit.text().strip() or str(self._start_dir)
        if self.chosen_format() == "csv":
            path = QFileDialog.getExistingDirectory(self, "Folder for the CSV files", current)
        else:
            filters = "JSON (*.json)" if self.chosen_format() == "json" else "Text (*.txt)"
            path, _ = QFileDialog.getSaveFileName(self, "Export to", current, filters)
        if path:
            self.path_edit.setText(path)

    def do_export(self) -> ExportResult | None:
        """Write the chosen export; the status line says what happened."""
        text = self.path_edit.text().strip()
        if not text:
            return None
        try:
            result = export_to(
                self._store, self.chosen_format(), Path(text).expanduser(), self.chosen_session()
            )
        except ExportError as exc:
            self.status_label.setText(f"Nothing was exported: {exc}")
            return None
        self.last_result = result
        self.status_label.setText(result.message)
        return result


__all__: Sequence[str] = (
    "ExportDialog",
    "ExportError",
    "ExportResult",
    "backup_to",
    "check_backup",
    "export_to",
    "restore_from",
    "restore_text",
)
