"""The breathing pacer: a soft circle that grows on the inhale and shrinks on the exhale.

The phase in words sits under the circle; the seconds left in the phase are counted down inside it.

A pure view: the Breathe page computes the PacerState from the wall clock and hands it over with
`show_state`. Painting allocates nothing big per frame: the gradient is built once in unit
coordinates (on colour or size changes) and the painter is scaled to the current radius.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QPainter,
    QPaintEvent,
    QPen,
    QRadialGradient,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.breathing import PacerState
from app.ui.theme import LIGHT, ThemeColours, ThemedWidget, colours_for_palette

PHASE_WORDS = {
    "inhale": "Breathe in",
    "hold_in": "Hold",
    "exhale": "Breathe out",
    "hold_out": "Hold",
}
MIN_SIZE = 0.28  # radius at empty lungs, as a share of the largest radius
IDLE_SIZE = 0.35
IDLE_TEXT = "Ready when you are"


def display_radius_share(size: float) -> float:
    """Radius as a share of the largest circle for a lung fill `size` 0..1."""
    return MIN_SIZE + (1.0 - MIN_SIZE) * min(max(size, 0.0), 1.0)


class PacerWidget(ThemedWidget):
    """Draws the pacer. Idle until `show_state` gets a state; `show_paused` dims it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frames_painted = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 240)
        self.setAccessibleName("Breathing pacer")
        self._state: PacerState | None = None
        self._paused = False
        self._idle_text = IDLE_TEXT
        self._word_font = QFont()
        self._count_font = QFont()
        self._colours = LIGHT
        self._gradient = QRadialGradient()
        self._guide_pen = QPen()
        self._text_pen = QPen()
        self._count_pen = QPen()
        self._no_pen = QPen(Qt.PenStyle.NoPen)
        self._unit_rect = QRectF(-1.0, -1.0, 2.0, 2.0)
        self._text_rect = QRectF()
        self._count_rect = QRectF()
        self._centre = QPointF()
        self._max_radius = 1.0
        self.apply_palette()

    # -- state ---------------------------------------------------------------------------
    @property
    def state(self) -> PacerState | None:
        return self._state

    @property
    def phase_text(self) -> str:
        """The words shown in the circle right now."""
        if self._state is None:
            return self._idle_text
        if self._paused:
            return "Paused"
        return PHASE_WORDS[self._state.phase]

    @property
    def countdown_text(self) -> str:
        """Whole seconds left in the phase, as shown under the words."""
        if self._state is None or self._paused:
            return ""
        return str(max(math.ceil(self._state.seconds_left_in_phase - 1e-9), 1))

    def show_state(self, state: PacerState) -> None:
        self._state = state
        self._paused = False
        self.update()

    def show_paused(self) -> None:
        self._paused = True
        self.update()

    def show_idle(self, text: str = IDLE_TEXT) -> None:
        self._state = None
        self._paused = False
        self._idle_text = text
        self.update()

    def radius_share(self) -> float:
        """The circle's current radius as a share of the largest one."""
        if self._state is None:
            return display_radius_share(IDLE_SIZE)
        return display_radius_share(self._state.size)

    # -- look ----------------------------------------------------------------------------
    @property
    def colours(self) -> ThemeColours:
        return self._colours

    def apply_palette(self) -> None:
        """Follow the palette: a theme change (chosen or the system's) recolours the pacer."""
        self.set_colours(colours_for_palette(self.palette()))

    def set_colours(self, colours: ThemeColours) -> None:
        self._colours = colours
        gradient = QRadialGradient(QPointF(0.0, 0.0), 1.0)
        gradient.setColorAt(0.0, QColor(colours.pacer_inner))
        gradient.setColorAt(0.75, QColor(colours.pacer_outer).lighter(110))
        gradient.setColorAt(1.0, QColor(colours.pacer_outer))
        self._gradient = gradient
        self._brush = QBrush(gradient)
        self._guide_pen = QPen(QColor(colours.guide), 2.0, Qt.PenStyle.DashLine)
        self._text_pen = QPen(QColor(colours.text))
        self._count_pen = QPen(QColor(colours.pacer_text))
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        w, h = float(self.width()), float(self.height())
        # Text scales with the pacer, in points, with the user's font size as the floor.
        dpi = max(self.logicalDpiY(), 1)
        base_pt = max(self.font().pointSizeF(), 9.0)
        word_pt = min(max(base_pt * 1.6, min(w, h) * 0.045 * 72.0 / dpi), base_pt * 4.0)
        line_h = word_pt * dpi / 72.0 * 1.9
        circle_h = max(h - line_h, 20.0)
        self._centre = QPointF(w / 2.0, circle_h / 2.0)
        self._max_radius = max(min(w, circle_h) / 2.0 - 10.0, 8.0)
        self._word_font = QFont(self.font())
        self._word_font.setPointSizeF(word_pt)
        self._word_font.setWeight(QFont.Weight.DemiBold)
        self._count_font = QFont(self.font())
        count_pt = min(max(base_pt * 1.2, self._max_radius * 0.14 * 72.0 / dpi), word_pt * 1.3)
        self._count_font.setPointSizeF(count_pt)
        self._text_rect = QRectF(0.0, circle_h, w, line_h)
        count_h = count_pt * dpi / 72.0 * 1.6
        self._count_rect = QRectF(0.0, circle_h / 2.0 - count_h / 2.0, w, count_h)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        self.frames_painted += 1  # `baseline --stats` reports it
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # Guide ring at full lungs.
        painter.setPen(self._guide_pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(self._centre, self._max_radius, self._max_radius)
        # The breathing circle: a unit circle scaled to the current radius.
        radius = self._max_radius * self.radius_share()
        painter.save()
        painter.translate(self._centre)
        painter.scale(radius, radius)
        painter.setPen(self._no_pen)
        painter.setBrush(self._brush)
        if self._paused:
            painter.setOpacity(0.55)
        painter.drawEllipse(self._unit_rect)
        painter.restore()
        # Words and countdown.
        painter.setFont(self._word_font)
        painter.setPen(self._text_pen)
        centred = Qt.AlignmentFlag.AlignCenter
        painter.drawText(self._text_rect, int(centred), self.phase_text)
        if self._state is not None and not self._paused:
            painter.setFont(self._count_font)
            painter.setPen(self._count_pen)
            painter.drawText(self._count_rect, int(centred), self.countdown_text)
        painter.end()
