"""The History detail view of one session: plots with artifacts marked, and the full HRV report.

The lines draw the corrected beats (`app.session.plot_data`, as the live plots and the summary
do), with a ring at each corrected place on the heart rate; the tachogram keeps what the strap
recorded at those places as crosses.

The data is prepared off the GUI thread (`app.session.detail.session_detail`, run through
`app.ui.tasks`) from frozen records; the dialog never blocks the window, and a failure is shown
in plain words instead of the report.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.hrv.report import JSON_KEYS, REPORT_ROWS
from app.session.detail import SessionDetail, report_text, session_detail
from app.session.durations import spoken_duration
from app.session.live import LiveAnalysis
from app.store import Store
from app.store.records import SIMULATED_LABEL, SessionStatus
from app.store.validation import is_showable_session, showable_beats
from app.ui.charts.live_plots import ARTIFACT_RING_PX, CORRECTED_TIP, broken_at_gaps
from app.ui.dialogs.session_summary import SessionSummaryView
from app.ui.tasks import Tasks, default_runner, plain_error
from app.ui.theme import ThemedWidget, heart_colour

ARTIFACT_COLOUR = "#e0903a"


class SessionDetailView(ThemedWidget):
    """Plots (heart rate, RR with artifacts marked) and the report table of one session."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: SessionDetail | None = None
        layout = QVBoxLayout(self)
        self.header = QLabel("")
        self.header.setProperty("role", "heading")
        self.facts = QLabel("")
        self.facts.setProperty("role", "muted")
        self.facts.setWordWrap(True)
        layout.addWidget(self.header)
        layout.addWidget(self.facts)
        row = QHBoxLayout()
        plots = QVBoxLayout()
        # every chart sets the option pyqtgraph reads while building it: no chart may depend
        # on which chart was built before it
        pg.setConfigOptions(antialias=True)
        self.hr_plot = pg.PlotWidget()
        self.rr_plot = pg.PlotWidget()
        for plot, label, unit in ((self.hr_plot, "heart rate", "bpm"), (self.rr_plot, "RR", "ms")):
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setLabel("left", label, units=unit)
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.setMinimumHeight(140)
            plots.addWidget(plot)
        self.rr_plot.setXLink(self.hr_plot)
        self.rr_plot.setLabel("bottom", "minutes")
        self.hr_curve = pg.PlotDataItem()
        self.rr_curve = pg.PlotDataItem()
        self.rr_beats = pg.ScatterPlotItem(size=3)
        self.artifact_markers = pg.ScatterPlotItem(size=9, symbol="x")
        self.hr_rings = pg.ScatterPlotItem(size=ARTIFACT_RING_PX, symbol="o")
        self.hr_plot.addItem(self.hr_curve)
        self.hr_plot.addItem(self.hr_rings)
        self.hr_plot.setToolTip(CORRECTED_TIP)
        self.rr_plot.setToolTip(
            "The line shows the corrected beats; crosses mark what the strap recorded there."
        )
        self.rr_plot.addItem(self.rr_curve)
        self.rr_plot.addItem(self.rr_beats)
        self.rr_plot.addItem(self.artifact_markers)
        row.addLayout(plots, 3)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Measure", "Value"])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setMinimumWidth(self.fontMetrics().averageCharWidth() * 40)
        row.addWidget(self.table, 2)
        layout.addLayout(row, 1)
        self.summary_view = SessionSummaryView()
        self.summary_view.done_button.hide()
        self.apply_palette()

    def show_detail(self, detail: SessionDetail) -> None:
        self.detail = detail
        record = detail.session
        status = {SessionStatus.INTERRUPTED: " (interrupted)", SessionStatus.ACTIVE: " (running)"}
        practice = f" \u2013 practice ({SIMULATED_LABEL})" if record.simulated else ""
        self.header.setText(f"{record.kind.label}{status.get(record.status, '')}{practice}")
        started = record.started_at.strftime("%Y-%m-%d %H:%M")
        facts = [started]
        if record.duration_s is not None:
            facts.append(spoken_duration(record.duration_s))
        if record.rate_bpm:
            facts.append(f"{record.rate_bpm:g} breaths/min")
        if record.sensor_name:
            facts.append(record.sensor_name)
        if detail.artifact_counts:
            facts.append(
                "artifacts: " + ", ".join(f"{n} {kind}" for kind, n in detail.artifact_counts)
            )
        self.facts.setText(" \u00b7 ".join(facts))
        self.apply_palette()
        t_min = detail.t_s / 60.0
        # The lines are the corrected beats (never a raw spike); the recorded values of the
        # corrected beats stay visible as crosses on the tachogram.
        beats = detail.summary.beats_plot
        if len(beats):
            beats_min = beats.t_s / 60.0
            t, hr = broken_at_gaps(beats_min, beats.hr_bpm, beats.gap_before)
            _, rr = broken_at_gaps(beats_min, beats.rr_ms, beats.gap_before)
            self.hr_curve.setData(t, hr, connect="finite")
            self.rr_curve.setData(t, rr, connect="finite")
            self.rr_beats.setData(beats_min, beats.rr_ms)
            self.hr_rings.setData(beats.marked_t_s / 60.0, beats.marked_hr_bpm)
        else:
            self.hr_curve.setData([], [])
            self.rr_curve.setData([], [])
            self.rr_beats.setData([], [])
            self.hr_rings.setData([], [])
        mask = detail.artifact_mask
        self.artifact_markers.setData(t_min[mask], detail.rr_ms[mask])
        self._fill_table(detail)

    def apply_palette(self) -> None:
        """Plots in the palette's colours (again whenever the theme changes)."""
        pal = self.palette()
        base = pal.color(QPalette.ColorRole.Base)
        text = pal.color(QPalette.ColorRole.Text)
        for plot in (self.hr_plot, self.rr_plot):
            plot.setBackground(base)
            for name in ("left", "bottom"):
                plot.getAxis(name).setTextPen(pg.mkPen(text))
        self.hr_curve.setPen(pg.mkPen(heart_colour(pal), width=1))
        self.rr_curve.setPen(pg.mkPen(text, width=1))
        self.rr_beats.setBrush(pg.mkBrush(pal.color(QPalette.ColorRole.Highlight)))
        self.rr_beats.setPen(pg.mkPen(None))
        self.artifact_markers.setPen(pg.mkPen(ARTIFACT_COLOUR, width=2))
        self.hr_rings.setBrush(pg.mkBrush(None))
        self.hr_rings.setPen(pg.mkPen(text, width=1.5))
        self.artifact_markers.setBrush(pg.mkBrush(ARTIFACT_COLOUR))

    def _fill_table(self, detail: SessionDetail) -> None:
        rows: list[tuple[str, str, str | None]] = []  # (name, value, report key; None: a heading)
        section = ""
        report = detail.report
        values = report.to_json_dict() if report is not None else {}
        for row in REPORT_ROWS:
            if row.key not in (values if report is not None else JSON_KEYS):
                continue  # pacer following: only for a session with a pacer rate
            if row.section != section:
                rows.append((row.section, "", None))
                section = row.section
            text = report_text(row.key, values.get(row.key), row.unit, row.decimals)
            rows.append((row.label, text, row.key))
        if report is None:
            rows.append(("Too few beats for a report", "", ""))
        self.table.setRowCount(len(rows))
        for i, (name, value, key) in enumerate(rows):
            is_section = key is None
            a = QTableWidgetItem(name)
            b = QTableWidgetItem(value)
            if is_section:
                font = a.font()
                font.setBold(True)
                a.setFont(font)
            b.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if report is not None and key:
                reason = report.reasons.get(key)
                if reason:
                    b.setToolTip(reason)
            self.table.setItem(i, 0, a)
            self.table.setItem(i, 1, b)
        self.table.resizeColumnToContents(0)

    def value_text(self, label: str) -> str:
        """The text shown for a report row (for tests and accessibility)."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.text() == label:
                value = self.table.item(row, 1)
                return "" if value is None else value.text()
        raise KeyError(label)


class SessionDetailDialog(QDialog):
    """A non-modal window with one session's detail; the data loads on a worker thread."""

    loaded = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        store: Store,
        session_id: int,
        analysis: LiveAnalysis,
        tasks: Tasks | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Session detail")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.waiting = False  # True while the report is prepared on a worker
        self.view = SessionDetailView()
        self.pending = QLabel("Preparing the report\u2026")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.pending)
        self.stack.addWidget(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        # A fixed minimum instead of one that follows the contents: nothing jumps when the
        # report arrives.
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetNoConstraint)
        self.skipped_label = QLabel()
        self.skipped_label.setObjectName("skippedNote")
        self.skipped_label.setProperty("role", "muted")
        self.skipped_label.setWordWrap(True)
        self.skipped_label.hide()
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.skipped_label)
        layout.addWidget(buttons)
        self.setMinimumSize(720, 480)
        self.resize(1100, 700)
        record = store.session(session_id)
        if record is None:
            self.pending.setText("This session no longer exists.")
            return
        if not is_showable_session(record, now=datetime.now().astimezone()):
            self.pending.setText(
                "This session holds impossible values (such as a date before 2000) and cannot"
                " be shown."
            )
            return
        beats, n_skipped = showable_beats(store.beats(session_id))
        if n_skipped:
            plural = "s" if n_skipped != 1 else ""
            self.skipped_label.setText(
                f"{n_skipped} stored beat{plural} with impossible values (such as a negative"
                f" interval) {'are' if plural else 'is'} not shown."
            )
            self.skipped_label.show()
        self.waiting = True
        (tasks if tasks is not None else default_runner()).run_task(
            partial(
                session_detail,
                record,
                tuple(beats),
                tuple(store.marks(session_id)),
                analysis,
            ),
            self._ready,
            self._failed,
            owner=self,
        )

    def _failed(self, exc: Exception) -> None:
        self.waiting = False
        self.pending.setText(
            f"The report could not be prepared from the stored values: {plain_error(exc)}"
        )
        self.failed.emit(plain_error(exc))

    def _ready(self, detail: SessionDetail) -> None:
        self.waiting = False
        self.view.show_detail(detail)
        self.stack.setCurrentWidget(self.view)
        self.loaded.emit(detail)

    @property
    def detail(self) -> SessionDetail | None:
        return self.view.detail


def artifact_points(view: SessionDetailView) -> tuple[np.ndarray, np.ndarray]:
    """The (minutes, RR) of the beats marked as artifacts on the plot."""
    x, y = view.artifact_markers.getData()
    return np.asarray(x), np.asarray(y)
