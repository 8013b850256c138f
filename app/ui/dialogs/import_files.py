"""File > Import: choose files, see what they hold, then store them all or nothing.

Each chosen file is parsed on a worker thread (`app.formats.importer.read_file`, which writes
nothing) and summarised in a preview table: file, format, date, beats, length, artifact share and
whether it is already in the database (by its content hash). A file that cannot be read shows its
problem in plain words, and Import stays disabled (with the reason) until it is removed. Import
writes every file in one transaction (`write_all`); on any error nothing is written. The
`imported` signal carries the outcomes so the window can refresh its views.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import (
    QDate,
    QDateTime,
    QMimeData,
    Qt,
    QThreadPool,
    QTime,
    Signal,
)
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.formats.errors import FormatError
from app.formats.importer import ImportFileError, ImportOutcome, ReadFile, read_file, write_all
from app.formats.preview import ImportPreview, summarize
from app.formats.recording import ImportedArchive, ImportedDailyValues, ImportedRecording
from app.session.durations import spoken_duration
from app.store import Store
from app.store.database import SourceState, StoreError
from app.store.records import SessionKind
from app.store.validation import EARLIEST_DATE
from app.ui.tasks import TaskRunner, Tasks, plain_error

COLUMNS = ("File", "Format", "Date", "Beats", "Length", "Artifacts", "Status")
#: Session kinds offered for recordings (an export's sessions keep their own kinds).
KIND_CHOICES = (
    (SessionKind.RECORDING, "Recording"),
    (SessionKind.READINESS, "Morning check (readiness)"),
    (SessionKind.BREATHING, "Breathing session"),
)
STATUS_NEW = "new"
STATUS_KNOWN = "already imported"
STATUS_DELETED = "deleted earlier: will come back"
STATUS_READING = "reading\u2026"
FILE_FILTER = (
    "Heart-rate and HRV files (*.txt *.csv *.hrm *.sml *.fit *.xml *.json *.gz);;All files (*)"
)
_ERROR_COLOUR = QColor("#b5651d")


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """One chosen file: its parse and summary, or the problem that stops it."""

    path: Path
    item: ReadFile | None = None
    preview: ImportPreview | None = None
    status: str = STATUS_READING
    problem: str | None = None

    @property
    def ready(self) -> bool:
        return self.item is not None and self.problem is None

    @property
    def needs_start(self) -> bool:
        """A recording whose file has no start time (it takes the chosen one)."""
        return (
            self.item is not None
            and isinstance(self.item.imported, ImportedRecording)
            and self.item.imported.started_at is None
        )


def known_status(store: Store, item: ReadFile) -> str:
    """Whether the database already holds this file's content (by hash, or for a Baseline
    export by each session's hash or kind and start)."""
    imported = item.imported
    if isinstance(imported, ImportedRecording):
        state = store.source_state(imported.content_sha256)
        return {
            SourceState.NEW: STATUS_NEW,
            SourceState.KNOWN: STATUS_KNOWN,
            SourceState.DELETED: STATUS_DELETED,
        }[state]
    if isinstance(imported, ImportedArchive):
        n_known = 0
        for session in imported.sessions:
            found = (
                session.source_hash is not None
                and store.source_state(session.source_hash) is SourceState.KNOWN
            )
            started = session.recording.started_at
            if not found and started is not None:
                kind = session.recording.kind or SessionKind.RECORDING
                found = store.has_session_at(kind, started)
            n_known += bool(found)
        total = len(imported.sessions)
        if total and n_known == total:
            return STATUS_KNOWN
        if n_known:
            return f"{total - n_known} of {total} sessions new"
        return STATUS_NEW
    assert isinstance(imported, ImportedDailyValues)
    return "log values (merged by date)"


def _plain_problem(exc: Exception) -> str:
    return exc.problem if isinstance(exc, ImportFileError) else plain_error(exc)


def row_texts(row: PreviewRow) -> tuple[str, ...]:
    """The table's cells for one file (also what the tests read)."""
    name = row.path.name
    if row.problem is not None:
        return (name, "", "", "", "", "", f"cannot import: {row.problem}")
    p = row.preview
    if p is None:
        return (name, "", "", "", "", "", row.status)
    if p.n_days and not p.n_beats:
        days = f"{p.first_day} to {p.last_day}" if p.first_day != p.last_day else p.first_day
        return (name, p.format, days or "", "", f"{p.n_days} days", "", row.status)
    date = p.started_at.strftime("%Y-%m-%d %H:%M") if p.started_at else "no start in file"
    beats = f"{p.n_beats:,}".replace(",", "\u2009")
    if p.n_sessions > 1:
        beats += f" ({p.n_sessions} sessions)"
    artifacts = "" if p.artifact_pct is None else f"{p.artifact_pct:.1f} %"
    return (name, p.format, date, beats, spoken_duration(p.duration_s), artifacts, row.status)


def _dropped_paths(mime: QMimeData | None) -> list[Path]:
    """Local files dropped on the dialog (folders and remote URLs are left out)."""
    if mime is None or not mime.hasUrls():
        return []
    paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    return [p for p in paths if p.is_file()]


def _read_and_summarize(path: Path) -> tuple[ReadFile, ImportPreview]:
    """Parses one file (on a worker); the store is never touched here."""
    item = read_file(path)
    return item, summarize(item.path, item.imported)


class ImportDialog(QDialog):
    """The import preview. Add files with `add_paths` (or the Add button), then Import.

    Signals:
        imported(list): the `ImportOutcome`s after a successful import.
    """

    imported = Signal(list)

    def __init__(
        self,
        store: Store,
        parent: QWidget | None = None,
        *,
        tasks: Tasks | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import")
        self.setAcceptDrops(True)
        self._store = store
        # A pool of its own: closing the dialog drops files not started yet and waits only for
        # the ones being read.
        self._tasks = tasks if tasks is not None else TaskRunner(QThreadPool(self))
        self._rows: list[PreviewRow] = []
        self._reading: set[Path] = set()
        self.outcomes: list[ImportOutcome] = []

        intro = QLabel(
            "Files from Elite HRV, HRV Logger, Polar, Kubios, SelfLoops, Empatica, Suunto, Garmin, "
            "HRV4Training, Apple Health or a Baseline export (add them or drop them here). "
            "Nothing is stored until you press Import, and then all files are stored together "
            "or none."
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_state)

        self.add_button = QPushButton("Add files\u2026")
        self.add_button.clicked.connect(self.choose_files)
        self.remove_button = QPushButton("Remove file")
        self.remove_button.clicked.connect(self.remove_selected)
        file_buttons = QHBoxLayout()
        file_buttons.addWidget(self.add_button)
        file_buttons.addWidget(self.remove_button)
        file_buttons.addStretch(1)

        self.kind_combo = QComboBox()
        for kind, label in KIND_CHOICES:
            self.kind_combo.addItem(label, kind)
        self.kind_combo.setToolTip("What the imported recordings were (exports keep their own)")
        self.at_check = QCheckBox("Start files without a time at")
        self.at_edit = QDateTimeEdit(QDateTime.currentDateTime())
        self.at_edit.setCalendarPopup(True)
        self.at_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        first_day = QDate(EARLIEST_DATE.year, EARLIEST_DATE.month, EARLIEST_DATE.day)
        earliest = QDateTime(first_day, QTime(0, 0))
        self.at_edit.setDateTimeRange(earliest, QDateTime.currentDateTime().addSecs(86400))
        self.at_edit.setEnabled(False)
        self.at_check.toggled.connect(self.at_edit.setEnabled)
        self.at_check.setToolTip(
            "Otherwise a recording without a start time is taken to end when its file was saved"
        )
        at_row = QHBoxLayout()
        at_row.addWidget(self.at_check)
        at_row.addWidget(self.at_edit)
        at_row.addStretch(1)
        options = QFormLayout()
        options.addRow("Store recordings as", self.kind_combo)
        options.addRow(at_row)

        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        self.reason_label.setProperty("role", "muted")
        self.import_button = QPushButton("Import")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.do_import)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reason_label, 1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.import_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(file_buttons)
        layout.addWidget(self.table, 1)
        layout.addLayout(options)
        layout.addLayout(buttons)
        width = self.fontMetrics().averageCharWidth() * 150
        self.resize(width, self.fontMetrics().height() * 28)
        self._update_state()

    # -- files -------------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if _dropped_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        paths = _dropped_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import files", "", FILE_FILTER)
        self.add_paths([Path(p) for p in paths])

    def add_paths(self, paths: Sequence[Path]) -> None:
        """Add files to the preview (a file already listed is not added twice)."""
        listed = {r.path for r in self._rows}
        for path in paths:
            path = Path(path).resolve()
            if path in listed:
                continue
            listed.add(path)
            self._rows.append(PreviewRow(path))
            self._reading.add(path)
            self._tasks.run_task(
                partial(_read_and_summarize, path),
                partial(self._file_read, path),
                partial(self._file_failed, path),
                owner=self,
            )
        self._show_rows()

    def _file_failed(self, path: Path, error: Exception) -> None:
        """Every problem becomes a row the person can read."""
        self._reading.discard(path)
        index = next((i for i, r in enumerate(self._rows) if r.path == path), None)
        if index is None:  # removed while it was being read
            return
        self._rows[index] = PreviewRow(path, problem=_plain_problem(error))
        self._show_rows()

    def _file_read(self, path: Path, read: tuple[ReadFile, ImportPreview]) -> None:
        self._reading.discard(path)
        item, summary = read
        index = next((i for i, r in enumerate(self._rows) if r.path == path), None)
        if index is None:  # removed while it was being read
            return
        try:
            status = known_status(self._store, item)
        except StoreError as exc:
            self._rows[index] = PreviewRow(path, problem=_plain_problem(exc))
        else:
            self._rows[index] = PreviewRow(path, item, summary, status)
        self._show_rows()

    def remove_selected(self) -> None:
        selected = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for index in selected:
            del self._rows[index]
        self._show_rows()

    def is_busy(self) -> bool:
        """True while files are still being read."""
        return bool(self._reading)

    def rows(self) -> list[PreviewRow]:
        return list(self._rows)

    def row_texts(self, index: int) -> tuple[str, ...]:
        """What the table shows in one row."""
        cells = (self.table.item(index, c) for c in range(len(COLUMNS)))
        return tuple(cell.text() if cell is not None else "" for cell in cells)

    # -- state -------------------------------------------------------------------------------
    def _show_rows(self) -> None:
        self.table.setRowCount(len(self._rows))
        for r, row in enumerate(self._rows):
            texts = row_texts(row)
            for c, text in enumerate(texts):
                cell = QTableWidgetItem(text)
                if row.problem is not None:
                    cell.setForeground(_ERROR_COLOUR)
                    cell.setToolTip(f"{row.path}: {row.problem}")
                else:
                    cell.setToolTip(str(row.path))
                if c in (3, 4, 5):
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, cell)
        self._update_state()

    def blocking_reason(self) -> str | None:
        """Why Import is disabled, in plain words, or None when it can go ahead."""
        if not self._rows:
            return "Add the files you want to import."
        if self.is_busy():
            return "Reading the files\u2026"
        bad = [r for r in self._rows if r.problem is not None]
        if bad:
            problems = "\n".join(f"{r.path.name}: {r.problem}" for r in bad)
            it = "these files" if len(bad) > 1 else "this file"
            return f"Cannot import {it}; remove {it} to import the rest.\n{problems}"
        return None

    def _update_state(self) -> None:
        reason = self.blocking_reason()
        self.import_button.setEnabled(reason is None)
        self.remove_button.setEnabled(bool(self.table.selectedIndexes()))
        self.reason_label.setText(reason or self._ready_text())
        self.kind_combo.setEnabled(
            any(
                r.item is not None and isinstance(r.item.imported, ImportedRecording)
                for r in self._rows
            )
        )
        needs_start = any(r.needs_start for r in self._rows)
        self.at_check.setEnabled(needs_start)
        self.at_edit.setEnabled(needs_start and self.at_check.isChecked())

    def _ready_text(self) -> str:
        n = len(self._rows)
        return f"{n} file{'s' if n != 1 else ''} ready to import."

    def chosen_kind(self) -> SessionKind:
        return SessionKind(self.kind_combo.currentData())

    def chosen_start(self) -> datetime | None:
        """The start for recordings without one, when the user set it (local time)."""
        if not (self.at_check.isEnabled() and self.at_check.isChecked()):
            return None
        moment = self.at_edit.dateTime().toPython()
        assert isinstance(moment, datetime)
        return moment.astimezone()

    # -- import ------------------------------------------------------------------------------
    def do_import(self) -> list[ImportOutcome] | None:
        """Write every file in one transaction; None (and nothing written) when it cannot."""
        if self.blocking_reason() is not None:
            return None
        items = [r.item for r in self._rows if r.item is not None]
        try:
            outcomes = write_all(
                self._store, items, kind=self.chosen_kind(), at=self.chosen_start()
            )
        except (FormatError, StoreError, ValueError) as exc:
            self.reason_label.setText(f"Nothing was imported: {exc}")
            self.import_button.setEnabled(False)
            return None
        self.outcomes = outcomes
        self.imported.emit(outcomes)
        self.accept()
        return outcomes

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Wait for files still being read (before the dialog goes away)."""
        if self._reading:
            self._tasks.cancel_pending()
            self._tasks.wait(timeout_ms)


def outcome_summary(outcomes: Sequence[ImportOutcome]) -> str:
    """One sentence for the status bar."""
    new = sum(o.status == "imported" for o in outcomes if not o.n_days)
    known = sum(o.status == "already imported" for o in outcomes if not o.n_days)
    back = sum(o.status == "restored" for o in outcomes)
    days = sum(o.n_days for o in outcomes if o.status in ("imported", "updated"))
    parts = []
    if new:
        parts.append(f"{new} session{'s' if new != 1 else ''} imported")
    if back:
        parts.append(f"{back} deleted session{'s' if back != 1 else ''} brought back")
    if known:
        parts.append(f"{known} already there")
    if days:
        parts.append(f"log values for {days} day{'s' if days != 1 else ''}")
    return ("; ".join(parts) or "Nothing new to import") + "."
