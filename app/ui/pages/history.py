"""History: stored sessions newest first, with their figures, a filter by kind, delete and undo.

Columns: date, kind, duration, heart rate, HRV (ms), coherence (paced sessions only), stress
before and after (1-5), status (finished or interrupted) and note. The rows and their cached
figures come from the store (`app.store.figures.history`); a session whose figures are not cached
yet gets them computed from its beats on a worker (`app.session.figures`, through `app.ui.tasks`),
stored, and its row filled in. Sessions shorter than 30 s are never stored; the summary line says
so. Deleting is a soft delete in the store, undone from a non-modal bar (or Ctrl+Z); deleted
sessions are purged for good when the app exits.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
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

from app.hrv.coherence import format_coherence
from app.session.durations import spoken_duration
from app.session.engine import SHORT_SESSION_NOTE
from app.session.figures import FIGURES_VERSION, PACED_KINDS, session_figures
from app.session.live import LiveAnalysis
from app.store import Store
from app.store.daily import day_sources
from app.store.figures import HistoryRow, SessionFigures, history, save_figures
from app.store.records import (
    SIMULATED_LABEL,
    DaySource,
    SessionKind,
    SessionRecord,
    SessionStatus,
)
from app.store.validation import showable_sessions, skipped_note
from app.ui.pages import names
from app.ui.pages.page import PageBase, page_shortcut
from app.ui.tasks import Tasks, default_runner

COLUMNS = (
    "Date",
    "Kind",
    "Duration",
    "Heart rate",
    "HRV (ms)",
    "Coherence",
    "Stress (1-5)",
    "Status",
    "Note",
)
DATE_COL, KIND_COL, DURATION_COL, HR_COL, HRV_COL, COHERENCE_COL, STRESS_COL, STATUS_COL = range(8)
FIGURE_COLUMNS = (HR_COL, HRV_COL, COHERENCE_COL)
_ID_ROLE = Qt.ItemDataRole.UserRole
#: The filter's choices: (label, kind or None for all).
KIND_FILTERS: tuple[tuple[str, SessionKind | None], ...] = (
    ("All kinds", None),
    ("Breathing", SessionKind.BREATHING),
    ("Morning checks", SessionKind.READINESS),
    ("Recordings", SessionKind.RECORDING),
    ("Assessments", SessionKind.ASSESSMENT),
)
STATUS_LABELS = {
    SessionStatus.COMPLETE: "Finished",
    SessionStatus.INTERRUPTED: "Interrupted",
    SessionStatus.ACTIVE: "Running",
}
#: Fewer beats give no figures worth computing.
MIN_FIGURE_BEATS = 30
PENDING = "\u2026"


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
    """The kind (with the breathing rate and ratio); for a demo-strap session that it is practice;
    for a morning check on a day that also has a log value, which of the two counts."""
    kind = record.kind.label
    if record.rate_bpm is not None:
        ratio = _ratio_text(record.pattern_json)
        kind = f"{kind}, {record.rate_bpm:g} /min" + (f", {ratio}" if ratio else "")
    if record.simulated:
        return f"{kind} ({SIMULATED_LABEL})"
    if day_source is DaySource.MANUAL:
        return f"{kind} (not counted: your log value counts for this day)"
    if day_source is DaySource.MORNING_CHECK:
        return f"{kind} (counts for this day, over your log value)"
    return kind


def _stress_text(record: SessionRecord) -> str:
    before, after = record.stress_before, record.stress_after
    if before is None and after is None:
        return ""
    left = "\u2013" if before is None else str(before)
    right = "\u2013" if after is None else str(after)
    return f"{left} \u2192 {right}"


def figure_texts(
    record: SessionRecord, figures: SessionFigures | None, *, pending: bool = False
) -> tuple[str, str, str]:
    """Heart rate, HRV and coherence as shown ("…" while being computed, "" when none)."""
    if figures is None:
        return (PENDING, PENDING, PENDING) if pending else ("", "", "")
    hr = "" if figures.mean_hr_bpm is None else f"{figures.mean_hr_bpm:.0f} bpm"
    hrv = "" if figures.rmssd_ms is None else f"{figures.rmssd_ms:.0f} ms"
    coherence = (
        format_coherence(figures.coherence)
        if record.kind in PACED_KINDS and figures.coherence is not None
        else ""
    )
    return hr, hrv, coherence


def session_row(
    record: SessionRecord,
    day_source: DaySource | None = None,
    figures: SessionFigures | None = None,
    *,
    pending: bool = False,
) -> tuple[str, ...]:
    """The texts shown for one session, in COLUMNS order; `day_source` as in `_kind_text`."""
    started = record.started_at.astimezone()
    return (
        started.strftime("%a %d %b %Y, %H:%M"),
        _kind_text(record, day_source),
        "" if record.duration_s is None else spoken_duration(record.duration_s),
        *figure_texts(record, figures, pending=pending),
        _stress_text(record),
        STATUS_LABELS.get(record.status, str(record.status).capitalize()),
        (record.note or "").replace("\n", " "),
    )


_COUNTED: dict[SessionKind | None, tuple[str, str]] = {
    None: ("session", "sessions"),
    SessionKind.BREATHING: ("breathing session", "breathing sessions"),
    SessionKind.READINESS: ("morning check", "morning checks"),
    SessionKind.RECORDING: ("recording", "recordings"),
    SessionKind.ASSESSMENT: ("assessment", "assessments"),
}


def summary_text(rows: list[HistoryRow], kind: SessionKind | None) -> str:
    """How many sessions are listed and their time in all, and that short ones are not kept."""
    n = len(rows)
    total_s = sum(r.record.duration_s or 0.0 for r in rows)
    one, many = _COUNTED[kind]
    listed = f"{n} {one if n == 1 else many}"
    if n == 0:
        return SHORT_SESSION_NOTE
    return f"{listed}, {spoken_duration(total_s)} in all. {SHORT_SESSION_NOTE}"


class HistoryPage(QWidget, PageBase):
    """The list of sessions.

    Signals:
        message(str): a short sentence for the status bar.
    """

    message = Signal(str)
    TITLE = names.HISTORY.title
    ICON_NAME = names.HISTORY.icon_name

    def __init__(
        self,
        store: Store,
        analysis: LiveAnalysis | None = None,
        *,
        tasks: Tasks | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._analysis = analysis
        self._tasks = tasks if tasks is not None else default_runner()
        self._deleted: list[list[int]] = []  # undo stack: ids deleted together, newest last
        self._pending: set[int] = set()  # sessions whose figures are being computed
        self._records: dict[int, SessionRecord] = {}

        self.kind_filter = QComboBox()
        self.kind_filter.setAccessibleName("Show sessions of this kind")
        for label, kind in KIND_FILTERS:
            self.kind_filter.addItem(label, kind)
        self.kind_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.summary_label = QLabel()
        self.summary_label.setObjectName("historySummary")
        self.summary_label.setProperty("role", "muted")
        self.summary_label.setWordWrap(True)

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
        show = QLabel("Show")
        show.setBuddy(self.kind_filter)
        top.addWidget(show)
        top.addWidget(self.kind_filter)
        top.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.empty_label, 1, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.skipped_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary_label)

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
        """The window is closing: no more figures are computed or stored."""
        self._analysis = None

    # -- data ------------------------------------------------------------------------------
    @property
    def kind_shown(self) -> SessionKind | None:
        """The filter's kind (None: all kinds)."""
        kind = self.kind_filter.currentData()  # Qt hands back the enum's text
        return SessionKind(kind) if kind else None

    def show_kind(self, kind: SessionKind | None) -> None:
        """Filter the list to one kind (None: all)."""
        index = next(i for i, (_label, k) in enumerate(KIND_FILTERS) if k == kind)
        self.kind_filter.setCurrentIndex(index)

    def refresh(self) -> None:
        """Reload the sessions from the store, keeping the selection where possible."""
        selected = set(self.selected_ids())
        kind = self.kind_shown
        listed = history(self._store, analyzed_with=FIGURES_VERSION, kind=kind)
        records, n_skipped = showable_sessions(
            [r.record for r in listed], now=datetime.now().astimezone()
        )
        keep = {r.id for r in records}
        sources = self._day_sources()
        rows: list[tuple[HistoryRow, tuple[str, ...]]] = []
        for entry in listed:
            record = entry.record
            if record.id not in keep:
                continue
            try:
                source = None
                if record.kind is SessionKind.READINESS:
                    source = sources.get(record.started_at.astimezone().date().isoformat())
                wanted = entry.figures is None and entry.n_beats >= MIN_FIGURE_BEATS
                texts = session_row(record, source, entry.figures, pending=wanted)
                rows.append((entry, texts))
            except (OverflowError, ValueError, TypeError):
                n_skipped += 1
        note = skipped_note(n_skipped)
        self.skipped_label.setText(note)
        self.skipped_label.setVisible(bool(note))
        self.summary_label.setText(summary_text([entry for entry, _ in rows], kind))
        self._records = {entry.record.id: entry.record for entry, _ in rows}
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(rows))
        for row, (entry, texts) in enumerate(rows):
            for col, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if col == DATE_COL:
                    item.setData(_ID_ROLE, entry.record.id)
                if col in (DURATION_COL, HR_COL, HRV_COL):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                elif col == STRESS_COL:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, col, item)
            if entry.record.id in selected:
                self.table.selectRow(row)
            if entry.figures is None and entry.n_beats >= MIN_FIGURE_BEATS:
                self._compute_figures(entry.record)
        self.table.setVisible(bool(rows))
        nothing = (
            "No sessions yet. Each session you finish appears here."
            if kind is None
            else f"No {_COUNTED[kind][1]} yet."
        )
        self.empty_label.setText(f"{nothing} {SHORT_SESSION_NOTE}")
        self.empty_label.setVisible(not rows)
        self.summary_label.setVisible(bool(rows))
        self._update_buttons()

    # -- figures ---------------------------------------------------------------------------
    def _compute_figures(self, record: SessionRecord) -> None:
        if record.id in self._pending or self._analysis is None:
            return
        self._pending.add(record.id)
        beats = tuple(self._store.beats(record.id))
        marks = tuple(self._store.marks(record.id))
        self._tasks.run_task(
            partial(session_figures, record, beats, marks, self._analysis),
            partial(self._figures_ready, record.id),
            partial(self._figures_failed, record.id),
            owner=self,
        )

    def _figures_ready(self, session_id: int, figures: SessionFigures) -> None:
        self._pending.discard(session_id)
        if self._analysis is None:  # shut down meanwhile: the store may be closing
            return
        save_figures(self._store, session_id, figures, analyzed_with=FIGURES_VERSION)
        self._fill_figures(session_id, figures)

    def _figures_failed(self, session_id: int, _exc: Exception) -> None:
        """The figures could not be computed: the row shows none (nothing is cached, so the
        next start tries again)."""
        self._pending.discard(session_id)
        self._fill_figures(session_id, None)

    def _fill_figures(self, session_id: int, figures: SessionFigures | None) -> None:
        record = self._records.get(session_id)
        if record is None or session_id not in self.session_ids():
            return
        row = self.session_ids().index(session_id)
        for col, text in zip(FIGURE_COLUMNS, figure_texts(record, figures), strict=True):
            item = self.table.item(row, col)
            if item is not None:
                item.setText(text)

    def wait_for_figures(self, timeout_ms: int = 5000) -> bool:
        """Wait for the figures being computed (tests, shutdown)."""
        return self._tasks.wait(timeout_ms)

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
