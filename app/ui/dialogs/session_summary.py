"""After a session: today's coping, made visible.

Before vs after (first vs last 2 minutes; the two halves of a session under 4 minutes; nothing
under 1 minute: `app.session.summary.compared_periods`), the session's coherence and time in
medium/high coherence (written by `app.hrv.coherence.format_coherence`, as on every screen), the
artifact share, the whole-session heart-rate plot and the reflection. Plain, warm words.

The plot draws the corrected beats (the analysis core's artifact correction) with a ring at each
corrected place, never raw artifact spikes.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.hrv.coherence import format_coherence, shown_score
from app.hrv.following import FOLLOWING_STEP_S
from app.session.detail import NO_VALUE, format_value, report_text
from app.session.durations import elapsed_clock
from app.session.summary import MIN_COMPARE_S, Comparison, PeriodStats, SessionSummary
from app.store.records import SIMULATED_LABEL, SessionStatus
from app.ui.charts.live_plots import ARTIFACT_RING_PX, CORRECTED_TIP
from app.ui.theme import ThemedWidget, heart_colour

MAX_PLOT_POINTS = 2000
PERIOD_HEADERS: dict[Comparison, tuple[str, str]] = {
    Comparison.FIRST_LAST: ("First 2 min", "Last 2 min"),
    Comparison.HALVES: ("First half", "Second half"),
    Comparison.TOO_SHORT: ("First part", "Last part"),
}
TOO_SHORT_TEXT = f"Too short to compare a start and an end (under {MIN_COMPARE_S / 60:g} min)."


def headline(summary: SessionSummary) -> str:
    """One sentence about the change, in plain words."""
    parts: list[str] = []
    change = summary.hr_change_bpm
    if change is not None:
        if change <= -1.0:
            parts.append(f"Your heart rate settled by {abs(change):.0f} bpm")
        elif change >= 1.0:
            parts.append(f"Your heart rate was {change:.0f} bpm higher at the end")
        else:
            parts.append("Your heart rate stayed steady")
    if summary.time_in_coherence_s >= 5.0:
        parts.append(
            f"{elapsed_clock(summary.time_in_coherence_s)} min in medium or high coherence"
        )
    if summary.stress_before is not None and summary.stress_after is not None:
        diff = summary.stress_after - summary.stress_before
        if diff < 0:
            parts.append(f"stress felt {-diff} point{'s' if diff < -1 else ''} lower")
        elif diff == 0:
            parts.append("stress felt about the same")
    if not parts:
        return "You took time to breathe. That counts."
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def following_text(summary: SessionSummary) -> str | None:
    """How long the heart followed the pacer and the breathing rate read from it (None: no
    pacer, or the session was too short for a read)."""
    if summary.time_following_s is None:
        return None
    read_s = FOLLOWING_STEP_S * len(summary.following_reads)
    following_s = summary.time_following_s
    read = elapsed_clock(read_s)
    if following_s <= 0.0:
        text = f"Your heart did not follow the pacer this time (read over {read} min)"
    elif following_s >= read_s:
        text = f"Your heart followed the pacer the whole {read} min it was read"
    else:
        text = (
            f"Your heart followed the pacer for {elapsed_clock(following_s)} min "
            f"of the {read} min it was read"
        )
    if summary.breathing_rate_per_min is not None:
        text += (
            f"; your breathing, read from your heart, was about "
            f"{summary.breathing_rate_per_min:.1f} breaths/min"
        )
    return text + "."


def downsample(t_s: np.ndarray, values: np.ndarray, max_points: int) -> tuple[np.ndarray, ...]:
    """Min/max per bucket so peaks survive, at most about `max_points` points."""
    n = t_s.size
    if n <= max_points:
        return t_s, values
    buckets = max_points // 2
    edges = np.linspace(0, n, buckets + 1).astype(int)
    t_out: list[float] = []
    v_out: list[float] = []
    for lo, hi in itertools.pairwise(edges):
        if hi <= lo:
            continue
        seg = values[lo:hi]
        i_min, i_max = int(np.argmin(seg)), int(np.argmax(seg))
        for i in sorted((i_min, i_max)):
            t_out.append(float(t_s[lo + i]))
            v_out.append(float(seg[i]))
    return np.array(t_out), np.array(v_out)


def plot_series(
    t: np.ndarray, values: np.ndarray, gap_before: np.ndarray, max_points: int
) -> tuple[np.ndarray, np.ndarray]:
    """Downsampled per gap-free segment, with a NaN between segments so gaps stay open."""
    if t.size == 0:
        return t, values
    starts = [0, *np.nonzero(gap_before)[0].tolist()]
    starts = sorted(set(starts))
    ends = [*starts[1:], t.size]
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    for lo, hi in zip(starts, ends, strict=True):
        share = max(2, int(max_points * (hi - lo) / t.size))
        x, y = downsample(t[lo:hi], values[lo:hi], share)
        if xs:
            xs.append(np.array([np.nan]))
            ys.append(np.array([np.nan]))
        xs.append(np.asarray(x, dtype=float))
        ys.append(np.asarray(y, dtype=float))
    return np.concatenate(xs), np.concatenate(ys)


class SessionSummaryView(ThemedWidget):
    """Shows one `SessionSummary`.

    Signals:
        done(): the user closes the summary.
    """

    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.title = QLabel("Today's session")
        self.title.setProperty("role", "heading")
        self.headline = QLabel("")
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.3)
        self.headline.setFont(font)
        self.facts = QLabel("")
        self.facts.setProperty("role", "muted")
        self.facts.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.headline)
        layout.addWidget(self.facts)
        self.following = QLabel("")
        self.following.setWordWrap(True)
        self.following.setAccessibleName("Pacer following")
        self.following.hide()
        layout.addWidget(self.following)

        row = QHBoxLayout()
        table_frame = QFrame()
        table_frame.setFrameShape(QFrame.Shape.StyledPanel)
        self.table = QGridLayout(table_frame)
        headers = ("", *PERIOD_HEADERS[Comparison.FIRST_LAST], "Change")
        self.headers: list[QLabel] = []
        for col, text in enumerate(headers):
            label = QLabel(f"<b>{text}</b>")
            self.headers.append(label)
            self.table.addWidget(label, 0, col)
        self.cells: dict[tuple[str, str], QLabel] = {}
        for r, (key, name) in enumerate(
            (("hr", "Heart rate"), ("rmssd", "HRV (ms)"), ("coherence", "Coherence")), start=1
        ):
            self.table.addWidget(QLabel(name), r, 0)
            for c, which in enumerate(("before", "after", "change"), start=1):
                cell = QLabel("\u2013")
                self.cells[(key, which)] = cell
                self.table.addWidget(cell, r, c)
        self.compare_note = QLabel("")
        self.compare_note.setProperty("role", "muted")
        self.compare_note.setWordWrap(True)
        self.table.addWidget(self.compare_note, 4, 0, 1, 4)
        row.addWidget(table_frame, 3)
        self.reflection = QLabel("")
        self.reflection.setWordWrap(True)
        reflection_frame = QFrame()
        reflection_frame.setFrameShape(QFrame.Shape.StyledPanel)
        rl = QVBoxLayout(reflection_frame)
        rl.addWidget(QLabel("<b>Your reflection</b>"))
        rl.addWidget(self.reflection)
        rl.addStretch(1)
        row.addWidget(reflection_frame, 2)
        layout.addLayout(row)

        # every chart sets the option pyqtgraph reads while building it: no chart may depend
        # on which chart was built before it
        pg.setConfigOptions(antialias=True)
        self.hr_plot = pg.PlotWidget()
        self.hr_plot.setMenuEnabled(False)
        self.hr_plot.setMouseEnabled(x=False, y=False)
        self.hr_plot.hideButtons()
        self.hr_plot.setLabel("left", "heart rate", units="bpm")
        self.hr_plot.setLabel("bottom", "minutes")
        self.hr_plot.getAxis("left").enableAutoSIPrefix(False)
        self.hr_plot.setMinimumHeight(160)
        self.hr_curve = pg.PlotDataItem()
        self.hr_plot.addItem(self.hr_curve)
        self.hr_artifacts = pg.ScatterPlotItem(size=ARTIFACT_RING_PX, symbol="o")
        self.hr_plot.addItem(self.hr_artifacts)
        self.hr_plot.setToolTip(CORRECTED_TIP)
        self.artifact_note = QLabel("")
        self.artifact_note.setProperty("role", "muted")
        self.artifact_note.setWordWrap(True)
        self.first_region = pg.LinearRegionItem(movable=False)
        self.last_region = pg.LinearRegionItem(movable=False)
        self.region_labels: list[pg.InfLineLabel] = []
        for region, text in zip(
            (self.first_region, self.last_region),
            PERIOD_HEADERS[Comparison.FIRST_LAST],
            strict=True,
        ):
            region.setZValue(-10)
            for line in region.lines:
                line.setPen(pg.mkPen(None))
            self.region_labels.append(
                pg.InfLineLabel(
                    region.lines[0], text.lower(), position=0.95, anchors=[(0, 0), (0, 0)]
                )
            )
            self.hr_plot.addItem(region)
        layout.addWidget(self.hr_plot, 1)
        layout.addWidget(self.artifact_note)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.done_button = QPushButton("Done")
        self.done_button.clicked.connect(self.done.emit)
        buttons.addWidget(self.done_button)
        layout.addLayout(buttons)
        self.summary: SessionSummary | None = None
        self.apply_palette()

    def apply_palette(self) -> None:
        pal = self.palette()
        self.hr_plot.setBackground(pal.color(QPalette.ColorRole.Base))
        heart = heart_colour(pal)
        self.hr_curve.setPen(pg.mkPen(heart, width=1))
        self.hr_artifacts.setBrush(pg.mkBrush(None))
        self.hr_artifacts.setPen(pg.mkPen(pal.color(QPalette.ColorRole.Text), width=1.5))
        before = QColor(pal.color(QPalette.ColorRole.PlaceholderText))
        before.setAlpha(40)
        after = QColor(pal.color(QPalette.ColorRole.Highlight))
        after.setAlpha(50)
        self.first_region.setBrush(pg.mkBrush(before))
        self.last_region.setBrush(pg.mkBrush(after))
        for region in (self.first_region, self.last_region):
            for label in region.lines[0].childItems():
                if isinstance(label, pg.TextItem):
                    label.setColor(pal.color(QPalette.ColorRole.Text))
        for name in ("left", "bottom"):
            axis = self.hr_plot.getAxis(name)
            axis.setTextPen(pg.mkPen(pal.color(QPalette.ColorRole.Text)))
            axis.setPen(pg.mkPen(pal.color(QPalette.ColorRole.PlaceholderText)))

    def show_summary(self, summary: SessionSummary) -> None:
        self.summary = summary
        self.apply_palette()
        status = " (interrupted)" if summary.status is SessionStatus.INTERRUPTED else ""
        practice = f" \u2013 practice ({SIMULATED_LABEL})" if summary.simulated else ""
        self.title.setText(f"Today's session{status}{practice}")
        self.headline.setText(headline(summary))
        rate = f"{summary.rate_bpm:g} breaths/min" if summary.rate_bpm else "no pacer rate"
        facts = [
            f"{elapsed_clock(summary.duration_s)} min",
            rate,
            f"{summary.n_beats} beats",
        ]
        if summary.coherence is not None:
            facts.append(f"coherence {format_coherence(summary.coherence)}")
        if summary.scored_s > 0:
            medium, high = elapsed_clock(summary.time_medium_s), elapsed_clock(summary.time_high_s)
            scored = elapsed_clock(summary.scored_s)
            facts.append(f"medium coherence {medium}, high {high} (of {scored} scored)")
        if summary.artifact_pct is not None:
            facts.append(f"artifacts {summary.artifact_pct:.1f}%")
        self.facts.setText(" \u00b7 ".join(facts))
        following = following_text(summary)
        self.following.setText(following or "")
        self.following.setVisible(following is not None)
        self._fill_row("hr", summary.before, summary.after, "mean_hr_bpm", 0, "bpm")
        self._fill_row("rmssd", summary.before, summary.after, "rmssd_ms", 0, "ms")
        self._fill_row("coherence", summary.before, summary.after, "coherence", 1, "")
        self._show_comparison(summary.comparison)
        stress = []
        if summary.stress_before is not None or summary.stress_after is not None:
            stress.append(
                f"Stress before {_fmt_int(summary.stress_before)}, after "
                f"{_fmt_int(summary.stress_after)} (1-5)"
            )
        if summary.note:
            stress.append(f"\u201c{summary.note}\u201d")
        self.reflection.setText("\n".join(stress) if stress else "No reflection noted.")
        t_plot, hr_plot = plot_series(
            summary.hr_t_s / 60.0, summary.hr_bpm, summary.gap_before, MAX_PLOT_POINTS
        )
        self.hr_curve.setData(t_plot, hr_plot, connect="finite")
        beats = summary.beats_plot
        self.hr_artifacts.setData(beats.marked_t_s / 60.0, beats.marked_hr_bpm)
        marked = int(beats.marked.size)
        self.artifact_note.setText(
            ""
            if marked == 0
            else f"\u25cb {marked} corrected beat{'s' if marked > 1 else ''}: "
            "the strap missed or added a beat there; the line shows the corrected beats."
        )
        self.artifact_note.setVisible(marked > 0)
        for region, period in (
            (self.first_region, summary.before),
            (self.last_region, summary.after),
        ):
            if period is None or not summary.hr_t_s.size:
                region.hide()
                continue
            region.setRegion(_session_minutes(summary, period))
            region.show()

    def _show_comparison(self, comparison: Comparison) -> None:
        first, last = PERIOD_HEADERS[comparison]
        self.headers[1].setText(f"<b>{first}</b>")
        self.headers[2].setText(f"<b>{last}</b>")
        for label, text in zip(self.region_labels, (first, last), strict=True):
            label.setFormat(text.lower())
        self.compare_note.setText(TOO_SHORT_TEXT if comparison is Comparison.TOO_SHORT else "")
        self.compare_note.setVisible(comparison is Comparison.TOO_SHORT)

    def _fill_row(
        self,
        key: str,
        before: PeriodStats | None,
        after: PeriodStats | None,
        attr: str,
        decimals: int,
        unit: str,
    ) -> None:
        b = getattr(before, attr) if before is not None else None
        a = getattr(after, attr) if after is not None else None
        self.cells[(key, "before")].setText(report_text(attr, b, unit, decimals))
        self.cells[(key, "after")].setText(report_text(attr, a, unit, decimals))
        if attr == "coherence":  # the change between the values as shown
            b = None if b is None else shown_score(b)
            a = None if a is None else shown_score(a)
        # rounded as shown, and never "-0": a change too small to show is no change
        change = None if a is None or b is None else round(a - b, decimals) + 0.0
        sign = "+" if change is not None and change > 0 else ""
        self.cells[(key, "change")].setText(
            NO_VALUE if change is None else sign + format_value(change, unit, decimals)
        )


def _fmt_int(value: int | None) -> str:
    return NO_VALUE if value is None else str(value)


def _session_minutes(summary: SessionSummary, period: PeriodStats) -> tuple[float, float]:
    """The period's bounds on the session-time axis, in minutes."""
    return period.start_t_s / 60.0, period.end_t_s / 60.0
