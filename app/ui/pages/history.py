"""History: stored sessions newest first, with delete and undo.

Deleting is a soft delete in the store, undone from a non-modal bar (or Ctrl+Z); deleted sessions
are purged for good when the app exits.
"""

from __future__ import annotations

import json
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.session.durations import elapsed_clock
from app.store import Store
from app.store.daily import day_sources
from app.store.records import SIMULATED_LABEL, DaySource, SessionKind, SessionRecord
from app.store.validation import showable_sessions, skipped_note
from app.ui.pages.page import PageBase, page_shortcut

COLUMNS = (
    "Date",
    "Kind",
    "Length",
    "Rate",
    "Ratio",
    "Stress before",
    "Stress after",
    "Status",
    "Note",
)
_ID_ROLE = Qt.ItemDataRole.UserRole


def _ratio_text(pattern_json: str | None) -> str:
    if not pattern_json:
        return ""
    try:
        data = json.loads(pattern_json)
        ratio = float(data["exhale_ratio"]) / float(data["inhale_ratio"])
    except (ValueError, KeyError, TypeError, ZeroDivisionError):
        return ""
    return f"1:{ratio:g}"


def _kind_text(record: SessionRecord, day_source: DaySource | None = None) -> str:
    """The kind; for a demo-strap session that it is practice; for a morning check on a day that
    also has a log value, which of the two counts (`day_source`)."""
    kind = record.kind.label
    if record.simulated:
        return f"{kind} ({SIMULATED_LABEL})"
    if day_source is DaySource.MANUAL:
        return f"{kind} (not counted: your log value counts for this day)"
    if day_source is DaySource.MORNING_CHECK:
        return f"{kind} (counts for this day, over your log value)"
    return kind


def session_row(record: SessionRecord, day_source: DaySource | None = None) -> tuple[str, ...]:
    """The texts shown for one session, in COLUMNS order; `day_source` as in `_kind_text`."""
    started = record.started_at.astimezone()
    return (
        started.strftime("%a %d %b %Y, %H:%M"),
        _kind_text(record, day_source),
        "" if record.duration_s is None else elapsed_clock(record.duration_s),
        "" if record.rate_bpm is None else f"{record.rate_bpm:.1f} /min",
        _ratio_text(record.pattern_json),
        "" if record.stress_before is None else str(record.stress_before),
        "" if record.stress_after is None else str(record.stress_after),
        record.status.capitalize(),
        (record.note or "").replace("\n", " "),
    )


class HistoryPage(QWidget, PageBase):
    """The list of sessions.

    Signals:
        message(str): a short sentence for the status bar.
    """

    message = Signal(str)
    TITLE = "History"
    ICON_NAME = "document-open-recent"

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._deleted: list[list[int]] = []  # undo stack: ids deleted together, newest last

        heading = QLabel("History")
        heading.setProperty("role", "heading")
        self.empty_label = QLabel(
            "No sessions yet. Each breathing session you finish appears here."
        )
        self.empty_label.setProperty("role", "muted")
        self.skipped_label = QLabel()
        self.skipped_label.setObjectName("skippedNote")
        self.skipped_label.setProperty("role", "muted")
        self.skipped_label.setWordWrap(True)
        self.skipped_label.hide()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete the selected sessions (Del); you can undo it")
        self.delete_button.clicked.connect(self.delete_selected)

        self.undo_bar = QFrame()
        self.undo_bar.setObjectName("undoBar")
        self.undo_label = QLabel()
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Bring the deleted sessions back (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo_delete)
        close = QToolButton()
        close.setText("✕")
        close.setAccessibleName("Hide this message")
        close.setAutoRaise(True)
        close.clicked.connect(self.undo_bar.hide)
        bar_layout = QHBoxLayout(self.undo_bar)
        bar_layout.addWidget(self.undo_label, 1)
        bar_layout.addWidget(self.undo_button)
        bar_layout.addWidget(close)
        self.undo_bar.hide()

        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.skipped_label)
        layout.addWidget(self.table, 1)

        self.delete_action = page_shortcut(self, "Delete session", QKeySequence.StandardKey.Delete)
        self.delete_action.triggered.connect(self.delete_selected)
        self.undo_action = page_shortcut(self, "Undo delete", QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(self.undo_delete)
        self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt override)
        super().hideEvent(event)
        self._update_buttons()

    # -- page protocol -----------------------------------------------------------------------
    def enter(self) -> None:
        self.refresh()

    def shutdown(self) -> None:
        """Nothing runs here: nothing to end."""

    # -- data ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the sessions from the store, keeping the selection where possible."""
        selected = set(self.selected_ids())
        records, n_skipped = showable_sessions(
            self._store.sessions(), now=datetime.now().astimezone()
        )
        sources = self._day_sources()
        rows: list[tuple[SessionRecord, tuple[str, ...]]] = []
        for record in records:
            try:
                source = None
                if record.kind is SessionKind.READINESS:
                    source = sources.get(record.started_at.astimezone().date().isoformat())
                rows.append((record, session_row(record, source)))
            except (OverflowError, ValueError, TypeError):
                n_skipped += 1
        records = [record for record, _texts in rows]
        note = skipped_note(n_skipped)
        self.skipped_label.setText(note)
        self.skipped_label.setVisible(bool(note))
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(rows))
        for row, (record, texts) in enumerate(rows):
            for col, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setData(_ID_ROLE, record.id)
                if col in (2, 3):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                elif col in (4, 5, 6):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, col, item)
            if record.id in selected:
                self.table.selectRow(row)
        self.table.setVisible(bool(records))
        self.empty_label.setVisible(not records)
        self._update_buttons()

    def _day_sources(self) -> dict[str, DaySource]:
        """For days with both a morning check and a log RMSSD: which one counts."""
        chosen = day_sources(self._store)
        return {
            entry.date: chosen.get(entry.date, DaySource.MORNING_CHECK)
            for entry in self._store.log_entries()
            if entry.rmssd_ms is not None
        }

    def session_ids(self) -> list[int]:
        """The ids shown, top to bottom."""
        ids = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None:
                ids.append(int(item.data(_ID_ROLE)))
        return ids

    def row_texts(self, row: int) -> tuple[str, ...]:
        texts = []
        for col in range(self.table.columnCount()):
            item = self.table.item(row, col)
            texts.append("" if item is None else item.text())
        return tuple(texts)

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        ids = self.session_ids()
        return [ids[r] for r in rows if r < len(ids)]

    def _update_buttons(self) -> None:
        shown = self.isVisible()
        has_selection = bool(self.selected_ids())
        self.delete_button.setEnabled(has_selection)
        self.delete_action.setEnabled(shown and has_selection)
        self.undo_action.setEnabled(shown and bool(self._deleted))

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        for session_id in ids:
            self._store.delete_session(session_id)
        self._deleted.append(ids)
        self._show_undo_bar()
        self.refresh()

    def _show_undo_bar(self) -> None:
        if not self._deleted:
            self.undo_bar.hide()
            return
        last = len(self._deleted[-1])
        what = "1 session" if last == 1 else f"{last} sessions"
        self.undo_label.setText(
            f"Deleted {what}. Undo brings it back until Baseline closes."
            if last == 1
            else f"Deleted {what}. Undo brings them back until Baseline closes."
        )
        self.undo_bar.show()

    def undo_delete(self) -> None:
        if not self._deleted:
            return
        ids = self._deleted.pop()
        for session_id in ids:
            self._store.undelete_session(session_id)
        count = len(ids)
        self._show_undo_bar()
        self.refresh()
        self.message.emit("Session restored." if count == 1 else f"{count} sessions restored.")
