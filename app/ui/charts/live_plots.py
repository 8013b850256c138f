"""Live plots of a session: heart rate over the breathing wave, and the RR tachogram.

Drawn from `LiveSnapshot`s only (never from sensor packets). The lines show the corrected beats
(`app.session.plot_data.corrected_beats`, the analysis core's artifact correction), never raw
artifacts: a missed beat is drawn as the two beats it was, with a ring where it was corrected.
Curves are created once and updated in place with `setData`; only the visible window is drawn.
Scrolling is skipped while the view would move by less than a pixel and no new beat arrived, so
the plots repaint a few times a second at rest and once per beat packet, not at the full timer
rate.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.session.live import LiveSnapshot
from app.session.plot_data import BeatPlot, corrected_beats
from app.session.ring import FloatArray
from app.ui.theme import ThemedWidget, heart_colour

GAP_POOL = 6
HR_MIN_SPAN_BPM = 16.0
ARTIFACT_RING_PX = 11
CORRECTED_TIP = "Rings mark beats the strap missed or added, corrected before drawing."


def broken_at_gaps(
    t_s: FloatArray, values: FloatArray, gap_before: np.typing.NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray]:
    """Insert a NaN before every beat that follows a gap, so the line breaks there."""
    idx = np.nonzero(gap_before)[0]
    idx = idx[idx > 0]
    if idx.size == 0:
        return t_s, values
    t_out = np.insert(t_s.astype(np.float64), idx, np.nan)
    v_out = np.insert(values.astype(np.float64), idx, np.nan)
    return t_out, v_out


class LivePlots(ThemedWidget):
    """Two stacked plots sharing the time axis (session seconds)."""

    def __init__(self, window_s: float = 150.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_s = window_s
        pg.setConfigOptions(antialias=False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)

        self.hr_plot = pg.PlotWidget()
        self.rr_plot = pg.PlotWidget()
        for plot in (self.hr_plot, self.rr_plot):
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.getPlotItem().setClipToView(True)
            plot.setMinimumHeight(110)
            layout.addWidget(plot)
        layout.setStretch(0, 3)
        layout.setStretch(1, 2)
        self.rr_plot.setXLink(self.hr_plot)
        self.hr_plot.setLabel("left", "heart rate", units="bpm")
        self.rr_plot.setLabel("left", "RR", units="ms")
        self.rr_plot.setLabel("bottom", "session time", units="s")
        self.hr_plot.getAxis("bottom").setStyle(showValues=False)
        for plot in (self.hr_plot, self.rr_plot):
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.getAxis("bottom").enableAutoSIPrefix(False)

        # The breathing wave is drawn behind the heart rate, filled down to the plot floor.
        self.wave_curve = pg.PlotDataItem()
        self.wave_curve.setZValue(-10)
        self.hr_curve = pg.PlotDataItem()
        self.hr_markers = pg.ScatterPlotItem(size=4)
        self.reading_curve = pg.PlotDataItem()  # straps without RR: their heart-rate readings
        self.rr_curve = pg.PlotDataItem()
        self.rr_markers = pg.ScatterPlotItem(size=5)
        # A ring at every corrected beat (the beats drawn are corrected, never raw artifacts).
        self.hr_artifacts = pg.ScatterPlotItem(size=ARTIFACT_RING_PX, symbol="o")
        self.rr_artifacts = pg.ScatterPlotItem(size=ARTIFACT_RING_PX, symbol="o")
        self.hr_plot.addItem(self.wave_curve)
        self.hr_plot.addItem(self.hr_curve)
        self.hr_plot.addItem(self.hr_markers)
        self.hr_plot.addItem(self.hr_artifacts)
        self.hr_plot.addItem(self.reading_curve)
        self.rr_plot.addItem(self.rr_curve)
        self.rr_plot.addItem(self.rr_markers)
        self.rr_plot.addItem(self.rr_artifacts)
        self.setToolTip(CORRECTED_TIP)
        self.beats: BeatPlot | None = None
        self._regions: list[tuple[pg.LinearRegionItem, pg.LinearRegionItem]] = []
        for _ in range(GAP_POOL):
            pair = (
                pg.LinearRegionItem(movable=False),
                pg.LinearRegionItem(movable=False),
            )
            for plot, region in zip((self.hr_plot, self.rr_plot), pair, strict=True):
                region.setZValue(-20)
                for line in region.lines:
                    line.setPen(pg.mkPen(None))
                region.hide()
                plot.addItem(region)
            self._regions.append(pair)
        self._last_beats = -1
        self._last_left_px = -1e9
        self._last_spans: tuple[tuple[float, float, str], ...] = ()
        self._y_range: tuple[float, float] = (50.0, 90.0)
        self.repaints = 0
        self.apply_palette()

    # -- colours -------------------------------------------------------------------------
    def apply_palette(self) -> None:
        pal = self.palette()
        background = pal.color(QPalette.ColorRole.Base)
        text = pal.color(QPalette.ColorRole.Text)
        accent = pal.color(QPalette.ColorRole.Highlight)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        wave = QColor(accent)
        wave.setAlpha(46)
        wave_line = QColor(accent)
        wave_line.setAlpha(90)
        self._gap_brush = QColor(muted)
        self._gap_brush.setAlpha(60)
        self._pause_brush = QColor(muted)
        self._pause_brush.setAlpha(28)
        heart = heart_colour(pal)
        for plot in (self.hr_plot, self.rr_plot):
            plot.setBackground(background)
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(muted))
                axis.setTextPen(pg.mkPen(text))
        self.wave_curve.setPen(pg.mkPen(wave_line, width=1))
        self.wave_curve.setBrush(pg.mkBrush(wave))
        self.hr_curve.setPen(pg.mkPen(heart, width=2))
        self.hr_markers.setBrush(pg.mkBrush(heart))
        self.hr_markers.setPen(pg.mkPen(None))
        self.reading_curve.setPen(pg.mkPen(heart, width=2, style=Qt.PenStyle.DashLine))
        self.rr_curve.setPen(pg.mkPen(text, width=1))
        self.rr_markers.setBrush(pg.mkBrush(accent))
        self.rr_markers.setPen(pg.mkPen(None))
        for rings in (self.hr_artifacts, self.rr_artifacts):
            rings.setBrush(pg.mkBrush(None))
            rings.setPen(pg.mkPen(text, width=1.5))
        self._last_spans = ()  # re-colour the regions on the next update

    # -- data ----------------------------------------------------------------------------
    def update_from(self, snap: LiveSnapshot, *, force: bool = False) -> bool:
        """Show `snap`; returns True when anything was redrawn.

        Curves are replaced only when new beats arrived (`force` replaces them anyway).
        """
        # The first window fills from the left; after that the view scrolls with the time.
        right = max(snap.now_s, self.window_s)
        left = right - self.window_s
        width_px = max(1, self.hr_plot.getPlotItem().vb.width())
        left_px = left / self.window_s * width_px
        new_data = force or snap.beats_total != self._last_beats
        spans = tuple((a, b, "gap") for a, b in snap.gap_spans) + tuple(
            (a, b, "pause") for a, b in snap.pause_spans
        )
        moved = abs(left_px - self._last_left_px) >= 1.0
        if not (new_data or moved or spans != self._last_spans):
            return False
        if new_data:
            self._set_beats(snap)
            self._last_beats = snap.beats_total
        lo, hi = self._y_range
        if snap.wave.size:
            self.wave_curve.setData(snap.wave_t_s, lo + (hi - lo) * 0.8 * snap.wave)
            self.wave_curve.setFillLevel(lo)
        else:
            self.wave_curve.setData([], [])
        if spans != self._last_spans:
            self._set_spans(spans)
            self._last_spans = spans
        self.hr_plot.setXRange(left, right, padding=0)
        self._last_left_px = left_px
        self.repaints += 1
        return True

    def _set_beats(self, snap: LiveSnapshot) -> None:
        if snap.rr_ms.size:
            beats = corrected_beats(snap.beat_t_s, snap.rr_ms, snap.gap_before)
            self.beats = beats
            hr_bpm = beats.hr_bpm
            t, hr = broken_at_gaps(beats.t_s, hr_bpm, beats.gap_before)
            _, rr = broken_at_gaps(beats.t_s, beats.rr_ms, beats.gap_before)
            self.hr_curve.setData(t, hr, connect="finite")
            self.hr_markers.setData(beats.t_s, hr_bpm)
            self.rr_curve.setData(t, rr, connect="finite")
            self.rr_markers.setData(beats.t_s, beats.rr_ms)
            self.hr_artifacts.setData(beats.marked_t_s, beats.marked_hr_bpm)
            self.rr_artifacts.setData(beats.marked_t_s, beats.marked_rr_ms)
            self.reading_curve.setData([], [])
            values = hr_bpm
            rr_values = beats.rr_ms
        else:
            self.beats = None
            for item in (
                self.hr_curve,
                self.rr_curve,
                self.hr_markers,
                self.rr_markers,
                self.hr_artifacts,
                self.rr_artifacts,
            ):
                item.setData([], [])
            self.reading_curve.setData(snap.reading_t_s, snap.reading_bpm)
            values = snap.reading_bpm
            rr_values = snap.rr_ms
        if values.size:
            lo = float(np.percentile(values, 1)) - 3.0
            hi = float(np.percentile(values, 99)) + 3.0
            if hi - lo < HR_MIN_SPAN_BPM:
                mid = 0.5 * (hi + lo)
                lo, hi = mid - HR_MIN_SPAN_BPM / 2, mid + HR_MIN_SPAN_BPM / 2
            self._y_range = (lo, hi)
            self.hr_plot.setYRange(lo, hi, padding=0)
        if rr_values.size:
            lo = float(np.percentile(rr_values, 1)) - 20.0
            hi = float(np.percentile(rr_values, 99)) + 20.0
            self.rr_plot.setYRange(lo, max(hi, lo + 100.0), padding=0)

    def _set_spans(self, spans: tuple[tuple[float, float, str], ...]) -> None:
        shown = spans[-GAP_POOL:]
        for i, pair in enumerate(self._regions):
            if i < len(shown):
                a, b, kind = shown[i]
                brush = self._gap_brush if kind == "gap" else self._pause_brush
                for region in pair:
                    region.setRegion((a, max(b, a + 0.2)))
                    region.setBrush(pg.mkBrush(brush))
                    region.show()
            else:
                for region in pair:
                    region.hide()
