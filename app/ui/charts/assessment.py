"""The assessment's chart: heart-rate swing (bars, left axis) and LF power (line, right axis) by
breathing rate, with the recommended rate highlighted."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.breathing.resonance import StepResult

SWING_COLOUR = "#5b8cc9"
BEST_COLOUR = "#3aa37a"
LF_COLOUR = "#d08a2e"
BAR_WIDTH_BPM = 0.3


class AssessmentChart(QWidget):
    """Swing and LF power by rate. `show_steps` redraws it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setMinimumHeight(200)
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "breathing rate (breaths/min)")
        item.setLabel("left", "heart-rate swing (bpm)", color=SWING_COLOUR)
        item.showAxis("right")
        item.setLabel("right", "LF power (ms²)", color=LF_COLOUR)
        item.getAxis("bottom").setTicks([[(r, f"{r:.1f}") for r in (4.5, 5.0, 5.5, 6.0, 6.5)]])
        self.lf_view = pg.ViewBox()
        # a child of the plot item stacked above its view box, so the line is drawn over the bars
        self.lf_view.setParentItem(item)
        self.lf_view.setZValue(item.getViewBox().zValue() + 10)
        item.getAxis("right").linkToView(self.lf_view)
        self.lf_view.setXLink(item)
        item.getViewBox().sigResized.connect(self._sync_views)
        self.bars = pg.BarGraphItem(x=[], height=[], width=BAR_WIDTH_BPM, brush=SWING_COLOUR)
        item.addItem(self.bars)
        self.lf_curve = pg.PlotDataItem(
            pen=pg.mkPen(LF_COLOUR, width=2),
            symbol="o",
            symbolBrush=LF_COLOUR,
            symbolPen=None,
            symbolSize=8,
        )
        self.lf_view.addItem(self.lf_curve)
        item.setXRange(4.2, 6.8, padding=0)
        layout.addWidget(self.plot)
        self.apply_palette()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()
        super().changeEvent(event)

    def apply_palette(self) -> None:
        """Follow the theme: the window's base colour behind, muted axes."""
        pal = self.palette()
        self.plot.setBackground(pal.color(QPalette.ColorRole.Base))
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        text = pal.color(QPalette.ColorRole.Text)
        for name in ("left", "bottom", "right"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(muted))
            axis.setTextPen(pg.mkPen(text))

    def _sync_views(self) -> None:
        item = self.plot.getPlotItem()
        self.lf_view.setGeometry(item.getViewBox().geometry())
        self.lf_view.linkedViewChanged(item.getViewBox(), self.lf_view.XAxis)

    def show_steps(self, steps: Sequence[StepResult], best_bpm: float | None) -> None:
        """Draw the steps that have the measures; the best rate's bar stands out."""
        swing = [(s.rate_bpm, s.swing_bpm) for s in steps if s.swing_bpm is not None]
        lf = sorted((s.rate_bpm, s.lf_power_ms2) for s in steps if s.lf_power_ms2 is not None)
        x = np.array([r for r, _ in swing], dtype=np.float64)
        heights = np.array([v for _, v in swing], dtype=np.float64)
        brushes = [
            pg.mkBrush(BEST_COLOUR if rate == best_bpm else SWING_COLOUR) for rate, _ in swing
        ]
        self.bars.setOpts(x=x, height=heights, width=BAR_WIDTH_BPM, brushes=brushes)
        self.lf_curve.setData(
            np.array([r for r, _ in lf], dtype=np.float64),
            np.array([v for _, v in lf], dtype=np.float64),
        )
        top = float(heights.max()) if heights.size else 1.0
        self.plot.getPlotItem().setYRange(0.0, top * 1.15, padding=0)
        lf_top = max((v for _, v in lf), default=1.0)
        self.lf_view.setYRange(0.0, lf_top * 1.15, padding=0)
        self._sync_views()

    def swing_data(self) -> tuple[list[float], list[float]]:
        """The bars' rates and heights (for tests)."""
        opts = self.bars.opts
        return [float(v) for v in opts["x"]], [float(v) for v in opts["height"]]

    def lf_data(self) -> tuple[list[float], list[float]]:
        x, y = self.lf_curve.getData()
        if x is None or y is None:
            return [], []
        return [float(v) for v in x], [float(v) for v in y]
