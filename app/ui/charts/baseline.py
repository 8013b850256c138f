"""The "over weeks" chart: daily HRV in ms against its 7-day average and the normal range.

The baseline is computed on lnRMSSD (`app.recovery.baseline`); the chart shows it in
milliseconds, as people know HRV from their watch: each value is `exp` of the table's (the 7-day
line is then the geometric mean of the days' RMSSD, and the band keeps its meaning because `exp`
keeps the order). Plots share one date axis (x = seconds since 1970 at UTC midnight of each day,
shown by pyqtgraph's `DateAxisItem` with a zero UTC offset, so a day never shifts with the time
zone):

- HRV (ms): the daily values as dots, the 7-day average as a line, the person's normal range as a
  soft band (`FillBetweenItem` between its low and high edges), with a legend naming all three;
  sleep, stress and mood (1-5) can be overlaid on a second y axis at the right.
- resting heart rate (bpm): the same three layers (a lower baseline is the rested direction).
- in Details only: the 7-day coefficient of variation of lnRMSSD, in percent (and lnRMSSD
  itself in the values line).

Pointing at a day shows its values in words above the plots (`values_label`) and marks the day
with a thin line. Until a normal range exists (14 days with a value in the last 60) the band is
not drawn (the sentence under the chart says how many more days are needed). The view pans and
zooms with the mouse along the date axis only (y follows the visible data), limited to the data's
span plus a week either side and to at least a week of width; the range buttons set 1 month,
3 months, 1 year or all. Colours follow the application palette, so the light and dark themes
both read well.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.recovery.baseline import BaselineTable
from app.recovery.daily_values import LOG_OVERLAYS
from app.ui.theme import ThemedWidget, is_dark

FloatArray = npt.NDArray[np.float64]
DAY_S = 86_400.0
#: (label, days); 0 days = all.
RANGES: tuple[tuple[str, int], ...] = (
    ("1 month", 30),
    ("3 months", 91),
    ("1 year", 365),
    ("All", 0),
)
DEFAULT_RANGE_DAYS = 91
MIN_VIEW_DAYS = 7
MARGIN_DAYS = 7
OVERLAY_LABELS = {"sleep": "Sleep", "stress": "Stress", "mood": "Mood"}
#: Soft, non-alarming overlay colours (hex), one set per theme: each reads at 4.5:1 or more as
#: the check box's text on its theme's window.
OVERLAY_COLOURS = {"sleep": "#7c8fd6", "stress": "#c99a5b", "mood": "#b07cc6"}  # dark
OVERLAY_COLOURS_LIGHT = {"sleep": "#4f63b0", "stress": "#8a6226", "mood": "#8a4ea3"}

HRV_AXIS_LABEL = "HRV (ms)"
HR_AXIS_LABEL = "Resting HR (bpm)"  # longer words do not fit the axis at 640 px
CV_AXIS_LABEL = "CV of lnRMSSD (%)"
LEGEND_DOTS = "Each morning"
LEGEND_LINE = "7-day average"
LEGEND_BAND = "Your normal range"
VALUES_HINT = "Point at a day to see its values."


def overlay_colours(palette: QPalette) -> dict[str, str]:
    """The overlay colours that read on this palette."""
    return OVERLAY_COLOURS if is_dark(palette) else OVERLAY_COLOURS_LIGHT


def day_seconds(dates: npt.NDArray[np.datetime64]) -> FloatArray:
    """UTC-midnight epoch seconds of each day (the chart's x values)."""
    return np.asarray(dates, dtype="datetime64[D]").astype("datetime64[s]").astype(np.float64)


def _finite_points(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    keep = np.isfinite(y)
    return x[keep], y[keep]


def _ms(values: npt.ArrayLike) -> FloatArray:
    """lnRMSSD values as RMSSD in ms (NaN stays NaN)."""
    return np.exp(np.asarray(values, dtype=np.float64))


def _same(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _at(values: npt.ArrayLike, i: int | None) -> float | None:
    if i is None:
        return None
    v = float(np.asarray(values, dtype=np.float64)[i])
    return None if math.isnan(v) else v


def _index_of(table: BaselineTable | None, day_s: float) -> int | None:
    """The table's index of the day starting at `day_s` (UTC midnight seconds), if it has it."""
    if table is None or not len(table):
        return None
    i = round((day_s - float(day_seconds(table.dates)[0])) / DAY_S)
    return i if 0 <= i < len(table) else None


class _TablePlot:
    """Dots, a 7-day line and a normal band for one baseline table, on one plot.

    `shown` turns the table's values into what is drawn (exp for lnRMSSD, as is for bpm).
    """

    def __init__(self, plot: pg.PlotItem, shown: Callable[[npt.ArrayLike], FloatArray]) -> None:
        self.plot = plot
        self._shown = shown
        self.band_low = pg.PlotDataItem(connect="finite")
        self.band_high = pg.PlotDataItem(connect="finite")
        self.band = pg.FillBetweenItem(self.band_low, self.band_high)
        self.line = pg.PlotDataItem(connect="finite")
        self.dots = pg.PlotDataItem(pen=None, symbol="o", symbolSize=6)
        self.band.setZValue(-20)
        for item in (self.band_low, self.band_high, self.band, self.line, self.dots):
            plot.addItem(item)

    def show_table(self, table: BaselineTable, *, band: bool) -> None:
        x = day_seconds(table.dates)
        dx, dy = _finite_points(x, self._shown(table.value))
        self.dots.setData(dx, dy)
        self.line.setData(x, self._shown(table.baseline_7d))
        if band:
            self.band_low.setData(x, self._shown(table.normal_low))
            self.band_high.setData(x, self._shown(table.normal_high))
        else:
            self.band_low.setData([], [])
            self.band_high.setData([], [])
        self.band.setVisible(band)

    def set_colours(self, accent: QColor, text: QColor, band: QColor) -> None:
        dot = QColor(text)
        dot.setAlpha(170)
        self.dots.setSymbolBrush(pg.mkBrush(dot))
        self.dots.setSymbolPen(pg.mkPen(None))
        self.line.setPen(pg.mkPen(accent, width=2.5))
        edge = QColor(band)
        edge.setAlpha(150)
        self.band_low.setPen(pg.mkPen(edge, width=1))
        self.band_high.setPen(pg.mkPen(edge, width=1))
        self.band.setBrush(pg.mkBrush(band))
        self.band.setPen(pg.mkPen(None))


class BaselineChart(ThemedWidget):
    """The baseline chart with its range buttons, overlay checkboxes and Details switch.

    Signals:
        range_changed(int): a range button was chosen (days; 0 = all).
    """

    range_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ln: BaselineTable | None = None
        self._hr: BaselineTable | None = None
        self._range_days = DEFAULT_RANGE_DAYS
        self._x_span: tuple[float, float] | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)

        controls = QHBoxLayout()
        self.range_buttons: dict[int, QPushButton] = {}
        group = QButtonGroup(self)
        group.setExclusive(True)
        for label, days in RANGES:
            button = QPushButton(label)
            button.setCheckable(True)
            button.setAccessibleName(f"Show {label.lower()}")
            button.clicked.connect(lambda _c=False, d=days: self.set_range_days(d))
            group.addButton(button)
            controls.addWidget(button)
            self.range_buttons[days] = button
        self.range_buttons[DEFAULT_RANGE_DAYS].setChecked(True)
        controls.addStretch(1)
        self.overlay_boxes: dict[str, QCheckBox] = {}
        for name in LOG_OVERLAYS:
            box = QCheckBox(OVERLAY_LABELS[name])
            box.setToolTip(f"Overlay your logged {name} (1-5) on the right axis")
            box.toggled.connect(self._update_overlays)
            controls.addWidget(box)
            self.overlay_boxes[name] = box
        self.details_box = QCheckBox("Details")
        self.details_box.setToolTip(
            "Show the technical measures too: lnRMSSD (the natural log of HRV in ms) and CV "
            "(how much it varied over 7 days, in %)"
        )
        self.details_box.toggled.connect(self._show_details)
        controls.addWidget(self.details_box)
        layout.addLayout(controls)

        self.values_label = QLabel(VALUES_HINT)
        self.values_label.setObjectName("chartValues")
        self.values_label.setProperty("role", "muted")
        self.values_label.setAccessibleName("Values of the day pointed at")
        self.values_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.values_label)

        pg.setConfigOptions(antialias=True)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setMinimumHeight(260)
        layout.addWidget(self.graphics, 1)

        self.hrv_plot: pg.PlotItem = self.graphics.addPlot(
            row=0, col=0, axisItems={"bottom": pg.DateAxisItem(utcOffset=0)}
        )
        self.hr_plot: pg.PlotItem = self.graphics.addPlot(
            row=1, col=0, axisItems={"bottom": pg.DateAxisItem(utcOffset=0)}
        )
        self.cv_plot: pg.PlotItem = self.graphics.addPlot(
            row=2, col=0, axisItems={"bottom": pg.DateAxisItem(utcOffset=0)}
        )
        self.graphics.ci.layout.setRowStretchFactor(0, 5)
        self.graphics.ci.layout.setRowStretchFactor(1, 3)
        self.graphics.ci.layout.setRowStretchFactor(2, 2)
        self.hrv_plot.setLabel("left", HRV_AXIS_LABEL)
        self.hr_plot.setLabel("left", HR_AXIS_LABEL)
        self.cv_plot.setLabel("left", CV_AXIS_LABEL)
        # a detail: out of the layout (no empty space) until the Details switch shows it
        self.graphics.ci.removeItem(self.cv_plot)
        self.cv_plot.setVisible(False)
        for plot in (self.hrv_plot, self.hr_plot, self.cv_plot):
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=True, y=False)
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.getAxis("left").setWidth(58)
            # every plot has a right axis of the same width (values only on the overlay's), so
            # the linked date axes line up pixel for pixel
            plot.showAxis("right")
            plot.getAxis("right").setWidth(34)
            if plot is not self.hrv_plot:
                plot.getAxis("right").setStyle(showValues=False)
            plot.vb.setAutoVisible(y=True)
            plot.vb.enableAutoRange(axis=pg.ViewBox.YAxis, enable=True)
        self.hr_plot.setXLink(self.hrv_plot)
        self.cv_plot.setXLink(self.hrv_plot)

        self.hrv = _TablePlot(self.hrv_plot, _ms)
        self.hr = _TablePlot(self.hr_plot, _same)
        self.cv_line = pg.PlotDataItem(connect="finite")
        self.cv_plot.addItem(self.cv_line)

        # The legend names the three layers; the band's entry is a filled sample.
        self.band_sample = pg.PlotDataItem([], [], fillLevel=0.0)
        self.legend = pg.LegendItem(offset=(8, 4), colCount=3, verSpacing=-4)
        self.legend.setParentItem(self.hrv_plot.vb)
        self.legend.addItem(self.hrv.dots, LEGEND_DOTS)
        self.legend.addItem(self.hrv.line, LEGEND_LINE)
        self.legend.addItem(self.band_sample, LEGEND_BAND)

        # A thin line on the day pointed at, in every plot.
        self.day_markers: list[pg.InfiniteLine] = []
        for plot in (self.hrv_plot, self.hr_plot, self.cv_plot):
            marker = pg.InfiniteLine(angle=90, movable=False)
            marker.setVisible(False)
            marker.setZValue(-10)
            plot.addItem(marker, ignoreBounds=True)
            self.day_markers.append(marker)
        self.graphics.scene().sigMouseMoved.connect(self._mouse_moved)

        # Sleep, stress and mood on their own 1-5 axis over the HRV plot.
        self.overlay_view = pg.ViewBox(enableMouse=False)
        self.hrv_plot.showAxis("right")
        self.hrv_plot.scene().addItem(self.overlay_view)
        self.hrv_plot.getAxis("right").linkToView(self.overlay_view)
        self.hrv_plot.getAxis("right").setLabel("1-5")
        self.overlay_view.setXLink(self.hrv_plot)
        self.overlay_view.setYRange(0.5, 5.5, padding=0)
        self.hrv_plot.vb.sigResized.connect(self._sync_overlay_view)
        # Each overlay is a line (broken at days without a value) plus a marker per logged day.
        self.overlay_curves: dict[str, pg.PlotDataItem] = {}
        self.overlay_marks: dict[str, pg.PlotDataItem] = {}
        for name in LOG_OVERLAYS:
            curve = pg.PlotDataItem(connect="finite")
            marks = pg.PlotDataItem(pen=None, symbol="s", symbolSize=5, symbolPen=pg.mkPen(None))
            for item in (curve, marks):
                item.setVisible(False)
                self.overlay_view.addItem(item)
            self.overlay_curves[name] = curve
            self.overlay_marks[name] = marks
        self._overlays: Mapping[str, FloatArray] = {}
        self._sync_overlay_view()
        self.apply_palette()

    # -- data --------------------------------------------------------------------------------
    @property
    def has_data(self) -> bool:
        """Some day has a value (else the chart has nothing to draw)."""
        return self._x_span is not None

    def show_tables(
        self,
        ln_rmssd: BaselineTable,
        resting_hr: BaselineTable,
        overlays: Mapping[str, FloatArray],
    ) -> None:
        """Draw both tables and keep the overlays (aligned with the lnRMSSD days)."""
        self._ln = ln_rmssd
        self._hr = resting_hr
        has_band = bool(np.isfinite(np.asarray(ln_rmssd.normal_low)).any())
        self.hrv.show_table(ln_rmssd, band=has_band)
        hr_band = bool(np.isfinite(np.asarray(resting_hr.normal_low)).any())
        self.hr.show_table(resting_hr, band=hr_band)
        x = day_seconds(ln_rmssd.dates)
        self.cv_line.setData(x, np.asarray(ln_rmssd.cv_7d_pct, dtype=np.float64))
        self._overlays = dict(overlays)
        self._update_overlays()
        self.legend.setVisible(len(ln_rmssd) > 0)
        self.band_sample.setVisible(has_band)
        self._x_span = self._data_span(ln_rmssd, resting_hr)
        self.graphics.setVisible(self._x_span is not None)
        self.values_label.setVisible(self._x_span is not None)
        self.hide_values()
        self._apply_limits()
        self.set_range_days(self._range_days, emit=False)

    # -- values of a day ---------------------------------------------------------------------
    def values_text(self, x_s: float) -> str:
        """The values of the day nearest to `x_s` (epoch seconds), in words ("" outside)."""
        day_s = math.floor(x_s / DAY_S + 0.5) * DAY_S
        i_ln, i_hr = _index_of(self._ln, day_s), _index_of(self._hr, day_s)
        if i_ln is None and i_hr is None:
            return ""
        day = datetime.fromtimestamp(day_s, tz=UTC).date()
        parts: list[str] = []
        if self._ln is not None and i_ln is not None:
            value, line = _at(self._ln.value, i_ln), _at(self._ln.baseline_7d, i_ln)
            low, high = _at(self._ln.normal_low, i_ln), _at(self._ln.normal_high, i_ln)
            parts.append("no HRV that day" if value is None else f"HRV {math.exp(value):.0f} ms")
            if line is not None:
                parts.append(f"7-day average {math.exp(line):.0f} ms")
            if low is not None and high is not None:
                parts.append(f"normal range {math.exp(low):.0f}\u2013{math.exp(high):.0f} ms")
            if self.details_box.isChecked():
                if value is not None:
                    parts.append(f"lnRMSSD {value:.2f}")
                cv = _at(self._ln.cv_7d_pct, i_ln)
                if cv is not None:
                    parts.append(f"CV {cv:.1f} %")
        if self._hr is not None and i_hr is not None:
            hr = _at(self._hr.value, i_hr)
            if hr is not None:
                parts.append(f"resting heart rate {hr:.0f} bpm")
        return f"{day:%a %d %b %Y}: " + " \u00b7 ".join(parts)

    def show_values_at(self, x_s: float) -> None:
        """Show the values of the day nearest to `x_s` and mark that day."""
        text = self.values_text(x_s)
        if not text:
            self.hide_values()
            return
        day_s = math.floor(x_s / DAY_S + 0.5) * DAY_S
        self.values_label.setText(text)
        for marker in self.day_markers:
            marker.setPos(day_s)
            marker.setVisible(True)

    def hide_values(self) -> None:
        self.values_label.setText(VALUES_HINT)
        for marker in self.day_markers:
            marker.setVisible(False)

    def _mouse_moved(self, pos: QPointF) -> None:
        for plot in (self.hrv_plot, self.hr_plot, self.cv_plot):
            if plot.isVisible() and plot.vb.sceneBoundingRect().contains(pos):
                self.show_values_at(float(plot.vb.mapSceneToView(pos).x()))
                return

    def _show_details(self, on: bool) -> None:
        in_layout = self.cv_plot in self.graphics.ci.items
        if on and not in_layout:
            self.graphics.ci.addItem(self.cv_plot, row=2, col=0)
            self.graphics.ci.layout.setRowStretchFactor(2, 2)
        elif not on and in_layout:
            self.graphics.ci.removeItem(self.cv_plot)
        self.cv_plot.setVisible(on)
        self._sync_overlay_view()

    @staticmethod
    def _data_span(*tables: BaselineTable) -> tuple[float, float] | None:
        starts = [day_seconds(t.dates)[0] for t in tables if len(t)]
        ends = [day_seconds(t.dates)[-1] for t in tables if len(t)]
        if not starts:
            return None
        return float(min(starts)), float(max(ends))

    def _apply_limits(self) -> None:
        vb = self.hrv_plot.vb
        if self._x_span is None:
            vb.setLimits(xMin=None, xMax=None, minXRange=None, maxXRange=None)
            return
        lo, hi = self._x_span
        margin = MARGIN_DAYS * DAY_S
        vb.setLimits(
            xMin=lo - margin,
            xMax=hi + margin,
            minXRange=MIN_VIEW_DAYS * DAY_S,
            maxXRange=(hi - lo) + 2 * margin,
        )

    def _update_overlays(self, *_: object) -> None:
        x = day_seconds(self._ln.dates) if self._ln is not None else np.empty(0)
        for name, curve in self.overlay_curves.items():
            marks = self.overlay_marks[name]
            values = self._overlays.get(name)
            on = self.overlay_boxes[name].isChecked()
            y = np.asarray(values if values is not None else (), dtype=np.float64)
            if y.size != x.size or not np.isfinite(y).any():
                curve.setData([], [])
                marks.setData([], [])
            else:
                curve.setData(x, y)
                marks.setData(*_finite_points(x, y))
            curve.setVisible(on)
            marks.setVisible(on)
        any_on = any(box.isChecked() for box in self.overlay_boxes.values())
        right = self.hrv_plot.getAxis("right")
        right.setStyle(showValues=any_on)
        right.setLabel("1-5" if any_on else "")

    def _sync_overlay_view(self) -> None:
        self.overlay_view.setGeometry(self.hrv_plot.vb.sceneBoundingRect())
        self.overlay_view.linkedViewChanged(self.hrv_plot.vb, self.overlay_view.XAxis)

    # -- range -------------------------------------------------------------------------------
    @property
    def range_days(self) -> int:
        return self._range_days

    def set_range_days(self, days: int, *, emit: bool = True) -> None:
        """Show the last `days` days (0 = everything), ending at the last day with data."""
        self._range_days = days
        button = self.range_buttons.get(days)
        if button is not None and not button.isChecked():
            button.setChecked(True)
        if self._x_span is not None:
            lo, hi = self._x_span
            end = hi + 0.5 * DAY_S
            start = lo - 0.5 * DAY_S if days == 0 else max(lo - 0.5 * DAY_S, end - days * DAY_S)
            if end - start < MIN_VIEW_DAYS * DAY_S:
                start = end - MIN_VIEW_DAYS * DAY_S
            self.hrv_plot.setXRange(start, end, padding=0)
        if emit:
            self.range_changed.emit(days)

    def view_range_s(self) -> tuple[float, float]:
        """The visible date range, in epoch seconds."""
        (x0, x1), _ = self.hrv_plot.vb.viewRange()
        return float(x0), float(x1)

    # -- colours -----------------------------------------------------------------------------
    def apply_palette(self) -> None:
        """Take colours from the application palette (light or dark theme)."""
        pal = self.palette()
        base = pal.color(QPalette.ColorRole.Base)
        text = pal.color(QPalette.ColorRole.WindowText)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        accent = pal.color(QPalette.ColorRole.Highlight)
        band = QColor(accent)
        band.setAlpha(55)
        self.graphics.setBackground(base)
        checked = (
            f"QPushButton:checked {{ background: {accent.name()}; "
            f"color: {pal.color(QPalette.ColorRole.HighlightedText).name()}; border: none; "
            "border-radius: 4px; }"
        )
        for button in self.range_buttons.values():
            button.setStyleSheet(checked)
        for plot in (self.hrv_plot, self.hr_plot, self.cv_plot):
            for side in ("left", "bottom", "right"):
                axis = plot.getAxis(side)
                axis.setPen(pg.mkPen(muted))
                axis.setTextPen(pg.mkPen(text))
        self.hrv.set_colours(accent, text, band)
        hr_accent = QColor(muted)
        self.hr.set_colours(hr_accent, text, QColor(muted.red(), muted.green(), muted.blue(), 45))
        self.cv_line.setPen(pg.mkPen(muted, width=1.5))
        edge = QColor(band)
        edge.setAlpha(150)
        self.band_sample.setPen(pg.mkPen(edge, width=1))
        self.band_sample.setFillBrush(pg.mkBrush(band))
        self.legend.setLabelTextColor(text)
        self.legend.setLabelTextSize("9pt")
        behind = QColor(base)
        behind.setAlpha(200)
        self.legend.setBrush(pg.mkBrush(behind))
        # setLabelTextColor only restyles labels added later: restyle the ones there
        for _sample, label in self.legend.items:
            label.setText(label.text, color=text)
        marker_pen = pg.mkPen(muted, width=1, style=Qt.PenStyle.DashLine)
        for marker in self.day_markers:
            marker.setPen(marker_pen)
        for name, swatch in overlay_colours(pal).items():
            self.overlay_boxes[name].setStyleSheet(
                f"QCheckBox {{ color: {swatch}; font-weight: 600; }}"
            )
            soft = QColor(swatch)
            soft.setAlpha(150)  # lighter than the baseline, so the 7-day line stays clear
            self.overlay_curves[name].setPen(pg.mkPen(soft, width=1.2))
            self.overlay_marks[name].setSymbolBrush(pg.mkBrush(swatch))


__all__ = ["RANGES", "BaselineChart", "day_seconds"]
