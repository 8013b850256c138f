"""The assessment's chart: heart-rate swing (bars, left axis) and LF power (line, right axis) by
breathing rate, with the recommended rate highlighted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.breathing.resonance import StepResult
from app.ui.theme import ThemedWidget, is_dark

BAR_WIDTH_BPM = 0.3


@dataclass(frozen=True)
class ChartColours:
    """Swing bars, the best rate's bar and the LF line: 4.5:1 or more on the theme's base (the
    axis titles are written in them)."""

    swing: str
    best: str
    lf: str


LIGHT_COLOURS = ChartColours(swing="#3f6fae", best="#2e7d5e", lf="#a2621a")
DARK_COLOURS = ChartColours(swing="#7fa9dd", best="#4fbf91", lf="#e0a050")


def chart_colours(palette: QPalette) -> ChartColours:
    return DARK_COLOURS if is_dark(palette) else LIGHT_COLOURS


class AssessmentChart(ThemedWidget):
    """Swing and LF power by rate. `show_steps` redraws it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # every chart sets the option pyqtgraph reads while building it: no chart may depend
        # on which chart was built before it
        pg.setConfigOptions(antialias=True)
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setMinimumHeight(200)
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "breathing rate (breaths/min)")
        item.showAxis("right")
        item.getAxis("bottom").setTicks([[(r, f"{r:.1f}") for r in (4.5, 5.0, 5.5, 6.0, 6.5)]])
        self.lf_view = pg.ViewBox()
        # a child of the plot item stacked above its view box, so the line is drawn over the bars
        self.lf_view.setParentItem(item)
        self.lf_view.setZValue(item.getViewBox().zValue() + 10)
        item.getAxis("right").linkToView(self.lf_view)
        self.lf_view.setXLink(item)
        item.getViewBox().sigResized.connect(self._sync_views)
        self._colours = LIGHT_COLOURS
        self._best_bpm: float | None = None
        self.bars = pg.BarGraphItem(x=[], height=[], width=BAR_WIDTH_BPM)
        item.addItem(self.bars)
        self.lf_curve = pg.PlotDataItem(symbol="o", symbolPen=None, symbolSize=8)
        self.lf_view.addItem(self.lf_curve)
        item.setXRange(4.2, 6.8, padding=0)
        layout.addWidget(self.plot)
        self.apply_palette()

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
        colours = chart_colours(pal)
        self._colours = colours
        item = self.plot.getPlotItem()
        item.setLabel("left", "heart-rate swing (bpm)", color=colours.swing)
        item.setLabel("right", "slow-wave power (ms²)", color=colours.lf)
        self.lf_curve.setPen(pg.mkPen(colours.lf, width=2))
        self.lf_curve.setSymbolBrush(pg.mkBrush(colours.lf))
        self._colour_bars()

    def _colour_bars(self) -> None:
        rates, _ = self.swing_data()
        colours = self._colours
        brushes = [
            pg.mkBrush(colours.best if rate == self._best_bpm else colours.swing) for rate in rates
        ]
        self.bars.setOpts(brushes=brushes, brush=pg.mkBrush(colours.swing))

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
        self._best_bpm = best_bpm
        self.bars.setOpts(x=x, height=heights, width=BAR_WIDTH_BPM)
        self._colour_bars()
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
