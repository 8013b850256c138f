"""Live plots of a session: heart rate over the breathing wave, and the RR tachogram.

Drawn from `LiveSnapshot`s only (never from sensor packets). The lines show the corrected beats
(`app.session.plot_data.corrected_beats`, the analysis core's artifact correction), never raw
artifacts: a missed beat is drawn as the two beats it was, with a ring where it was corrected.

Painted with QPainter, without pyqtgraph (whose import alone is some 30 MB of a live session):
the lines, dots and the wave are polygons in data coordinates, built once when the data change
(`update_from`), and a paint draws them through one transform for the current view, clipped to
the plot (a scroll rebuilds only the breathing wave, which grows with the time). Scrolling is
skipped while the view would move by less than a pixel and no new beat arrived, so the plots
repaint about once a second at rest and once per beat packet.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np
from PySide6.QtCore import QByteArray, QDataStream, QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
    QTransform,
)
from PySide6.QtWidgets import QWidget

from app.session.live import LiveSnapshot
from app.session.plot_data import BeatPlot, corrected_beats
from app.session.ring import FloatArray
from app.ui.theme import ThemedWidget, heart_colour

GAP_POOL = 6
HR_MIN_SPAN_BPM = 16.0
ARTIFACT_RING_PX = 11
CORRECTED_TIP = "Rings mark beats the strap missed or added, corrected before drawing."

PLOT_MIN_HEIGHT_PX = 110
PLOT_SPACING_PX = 4
HR_STRETCH, RR_STRETCH = 3, 2
HR_DOT_PX = 4
RR_DOT_PX = 5
RING_PEN_PX = 1.5
TICK_PX = 5
# Ticks are at least this far apart: about one tick label's height (y) or width (x) apart.
Y_TICK_SPACING_PX = 20
X_TICK_SPACING_PX = 70
WAVE_HEIGHT_SHARE = 0.8  # the wave fills the lower 80% of the heart-rate range
HR_AXIS_LABEL = "heart rate (bpm)"
RR_AXIS_LABEL = "RR (ms)"
TIME_AXIS_LABEL = "session time (s)"

_EMPTY: FloatArray = np.zeros(0, dtype=np.float64)
_EMPTY.setflags(write=False)


class SpanKind(Enum):
    """What a shaded span marks: the link was down, or the session was paused."""

    GAP = "gap"
    PAUSE = "pause"


@dataclass(frozen=True)
class Span:
    """A shaded stretch of session time, drawn over both plots."""

    start_s: float
    end_s: float
    kind: SpanKind


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


def nice_ticks(lo: float, hi: float, length_px: float, spacing_px: float) -> FloatArray:
    """Tick values in [lo, hi] at a 1, 2 or 5 x 10^n step, at least `spacing_px` apart."""
    span = hi - lo
    if not (math.isfinite(span) and span > 0.0 and length_px > 0.0):
        return _EMPTY
    raw = span / max(1.0, length_px / spacing_px)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1.0, 2.0, 5.0, 10.0) if m * magnitude >= raw * 0.999)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return np.arange(first, last + 1, dtype=np.float64) * step


def tick_text(value: float, ticks: FloatArray) -> str:
    """A tick's label, with as many decimals as the step between ticks needs."""
    step = float(ticks[1] - ticks[0]) if ticks.size > 1 else 1.0
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    return f"{value:.{decimals}f}"


def polygon(x: FloatArray, y: FloatArray) -> QPolygonF:
    """A QPolygonF of the points (x, y), built in one copy (QDataStream's own layout)."""
    packed = np.empty(1, dtype=[("n", ">u4"), ("xy", ">f8", (x.size, 2))])
    packed["n"] = x.size
    packed["xy"][0, :, 0] = x
    packed["xy"][0, :, 1] = y
    out = QPolygonF()
    stream = QDataStream(QByteArray(packed.tobytes()))
    stream >> out
    return out


def finite_runs(x: FloatArray, y: FloatArray) -> list[QPolygonF]:
    """One polygon per run of finite points: a NaN breaks the line (pyqtgraph's "finite")."""
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return []
    edges = np.diff(np.concatenate(([0], finite.view(np.int8), [0])))
    starts = np.nonzero(edges == 1)[0]
    ends = np.nonzero(edges == -1)[0]
    return [polygon(x[a:b], y[a:b]) for a, b in zip(starts, ends, strict=True)]


def _frozen(values: FloatArray) -> FloatArray:
    out = np.array(values, dtype=np.float64, copy=True)
    out.setflags(write=False)
    return out


class _Series:
    """One drawn series in data coordinates, and its polygons (built when the data change)."""

    def __init__(self) -> None:
        self.t_s: FloatArray = _EMPTY
        self.values: FloatArray = _EMPTY
        self.runs: tuple[QPolygonF, ...] = ()

    def set(self, t_s: FloatArray, values: FloatArray) -> None:
        """Replace the points; a NaN breaks the line (each finite run is one polygon)."""
        self.t_s, self.values = _frozen(t_s), _frozen(values)
        self.runs = tuple(finite_runs(self.t_s, self.values))

    def within(self, left_s: float, right_s: float) -> tuple[FloatArray, FloatArray]:
        """The points a view of [left_s, right_s] shows (the line's neighbours just outside
        included, as the line reaches the edges through them)."""
        t = self.t_s
        if t.size == 0:
            return t, self.values
        rising = np.maximum.accumulate(np.where(np.isnan(t), -np.inf, t))
        first = max(0, int(np.searchsorted(rising, left_s, side="left")) - 1)
        last = int(np.searchsorted(rising, right_s, side="right")) + 1
        return t[first:last], self.values[first:last]


class LivePlots(ThemedWidget):
    """Two stacked plots sharing the time axis (session seconds).

    Attributes:
        window_s: seconds of session time the view shows.
        repaints: how many updates changed anything (each asked for a paint).
        beats: the corrected beats drawn last (None before any, or for readings only).
    """

    def __init__(self, window_s: float = 150.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_s = window_s
        self.setMinimumHeight(2 * PLOT_MIN_HEIGHT_PX + PLOT_SPACING_PX)
        self.setToolTip(CORRECTED_TIP)
        self.beats: BeatPlot | None = None
        self._hr = _Series()
        self._hr_dots = _Series()
        self._hr_rings = _Series()
        self._readings = _Series()
        self._rr = _Series()
        self._rr_dots = _Series()
        self._rr_rings = _Series()
        self._wave = _Series()
        self._wave_fill: QPolygonF | None = None
        self._spans: tuple[Span, ...] = ()
        self._view_s: tuple[float, float] = (0.0, window_s)
        self._hr_range: tuple[float, float] = (50.0, 90.0)
        self._rr_range: tuple[float, float] = (600.0, 1100.0)
        self._last_beats = -1
        self._last_left_px = -1e9
        self._last_spans: tuple[Span, ...] = ()
        self.repaints = 0
        self.apply_palette()

    # -- colours -------------------------------------------------------------------------
    def apply_palette(self) -> None:
        pal = self.palette()
        self._background = pal.color(QPalette.ColorRole.Base)
        self._text = pal.color(QPalette.ColorRole.Text)
        accent = pal.color(QPalette.ColorRole.Highlight)
        self._axis = pal.color(QPalette.ColorRole.PlaceholderText)
        self._wave_brush = QColor(accent)
        self._wave_brush.setAlpha(46)
        self._wave_line = QColor(accent)
        self._wave_line.setAlpha(90)
        self._gap_brush = QColor(self._axis)
        self._gap_brush.setAlpha(60)
        self._pause_brush = QColor(self._axis)
        self._pause_brush.setAlpha(28)
        self._heart = heart_colour(pal)
        self._rr_dot = QColor(accent)
        self.update()

    def background_colour(self) -> QColor:
        """The colour behind both plots (the palette's base)."""
        return QColor(self._background)

    # -- what is drawn (read-only) ---------------------------------------------------------
    def view_s(self) -> tuple[float, float]:
        """The session seconds at the left and right edges of the plots."""
        return self._view_s

    def hr_range(self) -> tuple[float, float]:
        """The heart-rate plot's y range (bpm), bottom to top."""
        return self._hr_range

    def rr_range(self) -> tuple[float, float]:
        """The RR plot's y range (ms), bottom to top."""
        return self._rr_range

    def hr_series(self) -> tuple[FloatArray, FloatArray]:
        """What the heart-rate line draws in the view: (t_s, bpm), NaN where it breaks."""
        return self._hr.within(*self._view_s)

    def rr_series(self) -> tuple[FloatArray, FloatArray]:
        """What the RR line draws in the view: (t_s, rr_ms), NaN where it breaks."""
        return self._rr.within(*self._view_s)

    def hr_line_data(self) -> tuple[FloatArray, FloatArray]:
        """The whole heart-rate line set from the last snapshot (also outside the view)."""
        return self._hr.t_s, self._hr.values

    def rr_line_data(self) -> tuple[FloatArray, FloatArray]:
        """The whole RR line set from the last snapshot (also outside the view)."""
        return self._rr.t_s, self._rr.values

    def hr_dots(self) -> tuple[FloatArray, FloatArray]:
        """The dots at each beat on the heart-rate plot: (t_s, bpm)."""
        return self._hr_dots.t_s, self._hr_dots.values

    def rr_dots(self) -> tuple[FloatArray, FloatArray]:
        """The dots at each beat on the RR plot: (t_s, rr_ms)."""
        return self._rr_dots.t_s, self._rr_dots.values

    def hr_rings(self) -> tuple[FloatArray, FloatArray]:
        """The rings at corrected beats on the heart-rate plot: (t_s, bpm)."""
        return self._hr_rings.t_s, self._hr_rings.values

    def rr_rings(self) -> tuple[FloatArray, FloatArray]:
        """The rings at corrected beats on the RR plot: (t_s, rr_ms)."""
        return self._rr_rings.t_s, self._rr_rings.values

    def readings(self) -> tuple[FloatArray, FloatArray]:
        """The dashed heart-rate readings line (straps without RR): (t_s, bpm)."""
        return self._readings.t_s, self._readings.values

    def wave(self) -> tuple[FloatArray, FloatArray]:
        """The breathing wave the view shows on the heart-rate plot: (t_s, bpm scale)."""
        return self._wave.within(*self._view_s)

    def spans(self) -> tuple[Span, ...]:
        """The shaded gap and pause spans drawn (at most the last `GAP_POOL`)."""
        return self._spans

    # -- data ----------------------------------------------------------------------------
    def update_from(self, snap: LiveSnapshot, *, force: bool = False) -> bool:
        """Show `snap`; returns True when anything was redrawn.

        Curves are replaced only when new beats arrived (`force` replaces them anyway).
        """
        # The first window fills from the left; after that the view scrolls with the time.
        right = max(snap.now_s, self.window_s)
        left = right - self.window_s
        width_px = max(1.0, self._plot_rects()[0].width())
        left_px = left / self.window_s * width_px
        new_data = force or snap.beats_total != self._last_beats
        spans = tuple(Span(a, b, SpanKind.GAP) for a, b in snap.gap_spans) + tuple(
            Span(a, b, SpanKind.PAUSE) for a, b in snap.pause_spans
        )
        moved = abs(left_px - self._last_left_px) >= 1.0
        if not (new_data or moved or spans != self._last_spans):
            return False
        if new_data:
            self._set_beats(snap)
            self._last_beats = snap.beats_total
        self._set_wave(snap)
        if spans != self._last_spans:
            self._spans = spans[-GAP_POOL:]
            self._last_spans = spans
        self._view_s = (left, right)
        if new_data:  # new y ranges can change the axes' width, and so the plots'
            left_px = left / self.window_s * max(1.0, self._plot_rects()[0].width())
        self._last_left_px = left_px
        self.repaints += 1
        self.update()
        return True

    def _set_wave(self, snap: LiveSnapshot) -> None:
        lo, hi = self._hr_range
        if snap.wave.size:
            self._wave.set(snap.wave_t_s, lo + (hi - lo) * WAVE_HEIGHT_SHARE * snap.wave)
            t, v = self._wave.t_s, self._wave.values
            ok = np.isfinite(t) & np.isfinite(v)
            if ok.any():
                t_ok = t[ok]
                fill_t = np.concatenate(([t_ok[0]], t_ok, [t_ok[-1]]))
                fill_v = np.concatenate(([lo], v[ok], [lo]))
                self._wave_fill = polygon(fill_t, fill_v)
            else:
                self._wave_fill = None
        else:
            self._wave.set(_EMPTY, _EMPTY)
            self._wave_fill = None

    def _set_beats(self, snap: LiveSnapshot) -> None:
        if snap.rr_ms.size:
            beats = corrected_beats(snap.beat_t_s, snap.rr_ms, snap.gap_before)
            self.beats = beats
            hr_bpm = beats.hr_bpm
            t, hr = broken_at_gaps(beats.t_s, hr_bpm, beats.gap_before)
            _, rr = broken_at_gaps(beats.t_s, beats.rr_ms, beats.gap_before)
            self._hr.set(t, hr)
            self._hr_dots.set(beats.t_s, hr_bpm)
            self._rr.set(t, rr)
            self._rr_dots.set(beats.t_s, beats.rr_ms)
            self._hr_rings.set(beats.marked_t_s, beats.marked_hr_bpm)
            self._rr_rings.set(beats.marked_t_s, beats.marked_rr_ms)
            self._readings.set(_EMPTY, _EMPTY)
            values = hr_bpm
            rr_values = beats.rr_ms
        else:
            self.beats = None
            for series in (
                self._hr,
                self._rr,
                self._hr_dots,
                self._rr_dots,
                self._hr_rings,
                self._rr_rings,
            ):
                series.set(_EMPTY, _EMPTY)
            self._readings.set(snap.reading_t_s, snap.reading_bpm)
            values = snap.reading_bpm
            rr_values = snap.rr_ms
        if values.size:
            lo = float(np.percentile(values, 1)) - 3.0
            hi = float(np.percentile(values, 99)) + 3.0
            if hi - lo < HR_MIN_SPAN_BPM:
                mid = 0.5 * (hi + lo)
                lo, hi = mid - HR_MIN_SPAN_BPM / 2, mid + HR_MIN_SPAN_BPM / 2
            self._hr_range = (lo, hi)
        if rr_values.size:
            lo = float(np.percentile(rr_values, 1)) - 20.0
            hi = float(np.percentile(rr_values, 99)) + 20.0
            self._rr_range = (lo, max(hi, lo + 100.0))

    # -- layout --------------------------------------------------------------------------
    def _cells(self) -> tuple[QRectF, QRectF]:
        """The two plots' areas (axes included), 3:2 in height, `PLOT_SPACING_PX` apart."""
        w, h = float(self.width()), float(self.height())
        usable = max(0.0, h - PLOT_SPACING_PX)
        hr_h = round(usable * HR_STRETCH / (HR_STRETCH + RR_STRETCH))
        hr_cell = QRectF(0.0, 0.0, w, hr_h)
        rr_cell = QRectF(0.0, hr_h + PLOT_SPACING_PX, w, max(0.0, usable - hr_h))
        return hr_cell, rr_cell

    def _left_axis_px(self, fm: QFontMetrics) -> float:
        widest = 0
        for (lo, hi), rect in zip((self._hr_range, self._rr_range), self._cells(), strict=True):
            ticks = nice_ticks(lo, hi, rect.height(), Y_TICK_SPACING_PX)
            for value in ticks:
                widest = max(widest, fm.horizontalAdvance(tick_text(float(value), ticks)))
        return fm.height() + 4 + widest + 3 + TICK_PX

    def _plot_rects(self) -> tuple[QRectF, QRectF]:
        """The two plots' data areas, inside their axes."""
        fm = QFontMetrics(self.font())
        hr_cell, rr_cell = self._cells()
        left = self._left_axis_px(fm)
        right_pad = 5.0
        top_pad = fm.height() / 2 + 1
        hr = QRectF(
            left,
            hr_cell.top() + top_pad,
            max(1.0, hr_cell.width() - left - right_pad),
            max(1.0, hr_cell.height() - top_pad - 3),
        )
        bottom_axis = TICK_PX + 1 + fm.height() + 2 + fm.height() + 3
        rr = QRectF(
            left,
            rr_cell.top() + top_pad,
            hr.width(),
            max(1.0, rr_cell.height() - top_pad - bottom_axis),
        )
        return hr, rr

    # -- paint ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        fm = QFontMetrics(self.font())
        hr_cell, rr_cell = self._cells()
        hr_rect, rr_rect = self._plot_rects()
        for cell in (hr_cell, rr_cell):
            painter.fillRect(cell, self._background)
        for rect in (hr_rect, rr_rect):
            for span in self._spans:
                brush = self._gap_brush if span.kind is SpanKind.GAP else self._pause_brush
                x0 = self._x_px(span.start_s, rect)
                x1 = self._x_px(max(span.end_s, span.start_s + 0.2), rect)
                x0, x1 = max(x0, rect.left()), min(x1, rect.right())
                if x1 > x0:
                    painter.fillRect(QRectF(x0, rect.top(), x1 - x0, rect.height()), brush)

        hr_to_px = self._to_px(hr_rect, self._hr_range)
        painter.save()
        painter.setClipRect(hr_rect)
        painter.setTransform(hr_to_px)
        if self._wave_fill is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._wave_brush)
            painter.drawPolygon(self._wave_fill)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        self._lines(painter, self._wave.runs, _pen(self._wave_line, 1.0))
        self._lines(painter, self._hr.runs, _pen(self._heart, 2.0))
        self._dots(painter, self._hr_dots.runs, self._heart, HR_DOT_PX)
        self._lines(painter, self._readings.runs, _pen(self._heart, 2.0, dashed=True))
        painter.restore()
        self._rings(painter, self._hr_rings, hr_to_px, hr_rect)

        rr_to_px = self._to_px(rr_rect, self._rr_range)
        painter.save()
        painter.setClipRect(rr_rect)
        painter.setTransform(rr_to_px)
        self._lines(painter, self._rr.runs, _pen(self._text, 1.0))
        self._dots(painter, self._rr_dots.runs, self._rr_dot, RR_DOT_PX)
        painter.restore()
        self._rings(painter, self._rr_rings, rr_to_px, rr_rect)

        self._axes(painter, fm, hr_rect, rr_rect)

    def _x_px(self, t_s: float, rect: QRectF) -> float:
        left_s, right_s = self._view_s
        return rect.left() + (t_s - left_s) / (right_s - left_s) * rect.width()

    def _to_px(self, rect: QRectF, y_range: tuple[float, float]) -> QTransform:
        """Data (session seconds, value) to the widget's pixels for the current view."""
        left_s, right_s = self._view_s
        lo, hi = y_range
        sx = rect.width() / (right_s - left_s)
        sy = -rect.height() / (hi - lo)
        return QTransform(sx, 0.0, 0.0, sy, rect.left() - left_s * sx, rect.bottom() - lo * sy)

    @staticmethod
    def _lines(painter: QPainter, runs: tuple[QPolygonF, ...], pen: QPen) -> None:
        if not runs:
            return
        painter.setPen(pen)
        for run in runs:
            painter.drawPolyline(run)

    @staticmethod
    def _dots(painter: QPainter, runs: tuple[QPolygonF, ...], colour: QColor, size_px: int) -> None:
        if not runs:
            return
        pen = QPen(colour, size_px)
        pen.setCosmetic(True)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        for run in runs:
            painter.drawPoints(run)

    def _rings(self, painter: QPainter, rings: _Series, to_px: QTransform, rect: QRectF) -> None:
        if rings.t_s.size == 0:
            return
        painter.save()
        painter.setClipRect(rect.adjusted(-ARTIFACT_RING_PX, 0, ARTIFACT_RING_PX, 0))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(self._text, RING_PEN_PX))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        radius = (ARTIFACT_RING_PX - RING_PEN_PX) / 2
        for t, v in zip(rings.t_s, rings.values, strict=True):
            centre = to_px.map(QPointF(float(t), float(v)))
            painter.drawEllipse(centre, radius, radius)
        painter.restore()

    def _axes(self, painter: QPainter, fm: QFontMetrics, hr_rect: QRectF, rr_rect: QRectF) -> None:
        """Both left axes, the time axis under each plot (values and label under the RR plot):
        the lines in one call, the texts drawn at points (no text layout)."""
        lines: list[QLineF] = []
        texts: list[tuple[QPointF, str]] = []
        ascent = fm.ascent()
        half_text = (fm.ascent() - fm.descent()) / 2
        for rect, (lo, hi) in ((hr_rect, self._hr_range), (rr_rect, self._rr_range)):
            x = math.floor(rect.left()) - 0.5
            lines.append(QLineF(x, rect.top(), x, rect.bottom()))
            lines.append(
                QLineF(rect.left(), rect.bottom() + 0.5, rect.right(), rect.bottom() + 0.5)
            )
            ticks = nice_ticks(lo, hi, rect.height(), Y_TICK_SPACING_PX)
            for value in ticks:
                y = round(rect.bottom() - (float(value) - lo) / (hi - lo) * rect.height()) + 0.5
                lines.append(QLineF(x - TICK_PX, y, x, y))
                text = tick_text(float(value), ticks)
                text_x = x - TICK_PX - 3 - fm.horizontalAdvance(text)
                texts.append((QPointF(text_x, y + half_text), text))
        left_s, right_s = self._view_s
        y = rr_rect.bottom() + 0.5
        ticks = nice_ticks(left_s, right_s, rr_rect.width(), X_TICK_SPACING_PX)
        for value in ticks:
            x = round(self._x_px(float(value), rr_rect)) + 0.5
            lines.append(QLineF(x, y, x, y + TICK_PX))
            text = tick_text(float(value), ticks)
            half = fm.horizontalAdvance(text) / 2
            if x - half < rr_rect.left() - 2 or x + half > self.width():
                continue  # a label cut at the edge is left out
            texts.append((QPointF(x - half, y + TICK_PX + 1 + ascent), text))
        label_w = fm.horizontalAdvance(TIME_AXIS_LABEL)
        label_y = y + TICK_PX + 1 + fm.height() + 2 + ascent
        texts.append((QPointF(rr_rect.center().x() - label_w / 2, label_y), TIME_AXIS_LABEL))
        axis_pen = QPen(self._axis, 0)  # cosmetic, one pixel
        painter.setPen(axis_pen)
        painter.drawLines(lines)
        painter.setPen(self._text)
        for at, text in texts:
            painter.drawText(at, text)
        for rect, label in ((hr_rect, HR_AXIS_LABEL), (rr_rect, RR_AXIS_LABEL)):
            painter.save()
            painter.translate(2.0 + ascent, rect.center().y() + fm.horizontalAdvance(label) / 2)
            painter.rotate(-90.0)
            painter.drawText(QPointF(0.0, 0.0), label)
            painter.restore()


def _pen(colour: QColor, width_px: float, *, dashed: bool = False) -> QPen:
    """A pen whose width is in pixels whatever the data transform."""
    pen = QPen(colour, width_px)
    pen.setCosmetic(True)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen
