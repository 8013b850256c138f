"""The breathing pacer: a soft circle that grows on the inhale and shrinks on the exhale.

The phase in words sits under the circle; the seconds left in the phase are counted down inside it.

A pure view: a page computes the PacerState from the clock and hands it over with `show_state`,
as often as it likes. Painting is most of what a breathing session costs, so:

- the widget asks Qt to repaint only when something visible changed since it last asked: the
  circle's edge by a quarter pixel or more, the countdown's number, the words; and then only the
  box around the circle (and the words' line when they changed);
- what never moves is drawn once into pixmaps: the background with the dashed guide ring, and the
  circle's gradient (pale in the middle, the deep colour from 70% of the radius out) as the
  opaque square that fits inside the circle;
- a frame copies the background, fills one antialiased circle in the deep colour (a flat fill:
  a gradient fill of the same circle costs four times as much), and copies the square over it,
  scaled to the circle.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QRadialGradient,
    QRegion,
    QResizeEvent,
    QStaticText,
    QTransform,
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
MIN_MOVE_PX = 0.5  # a smaller change of radius waits for a later frame
# The circle's gradient, from its middle (0) to its edge (1): pale in the middle, the deep colour
# from GLOW_END on. The middle is drawn from an opaque pixmap of the square inside the circle
# (half-side 1/sqrt(2) > GLOW_END), so the gradient must have ended before the square's edge.
GLOW_END = 0.7


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
        self._fill = QBrush()
        self._guide_pen = QPen()
        self._text_pen = QPen()
        self._count_pen = QPen()
        self._text_rect = QRectF()
        self._count_rect = QRectF()
        self._centre = QPointF()
        self._max_radius = 1.0
        self._backdrop: QPixmap | None = None  # background and guide ring, made when needed
        self._glow: QPixmap | None = None  # the pale middle of the circle, made when needed
        # What was last asked for: the circle's edge (radius in pixels), words, countdown.
        self._asked: tuple[float, str, str] | None = None
        self._texts: dict[tuple[str, str], QStaticText] = {}
        # The widget paints every pixel itself, so Qt need not paint the parent's background
        # under it first.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
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
        whole = self._state is None or self._paused
        self._state = state
        self._paused = False
        if whole:
            self._update_all()
        else:
            self._update_changed()

    def show_paused(self) -> None:
        self._paused = True
        self._update_all()

    def show_idle(self, text: str = IDLE_TEXT) -> None:
        self._state = None
        self._paused = False
        self._idle_text = text
        self._update_all()

    def radius_share(self) -> float:
        """The circle's current radius as a share of the largest one."""
        if self._state is None:
            return display_radius_share(IDLE_SIZE)
        return display_radius_share(self._state.size)

    def _radius_px(self) -> float:
        return self._max_radius * self.radius_share()

    # -- asking Qt for repaints ------------------------------------------------------------
    def _update_all(self) -> None:
        self._asked = (self._radius_px(), self.phase_text, self.countdown_text)
        self.update()

    def _update_changed(self) -> None:
        """Ask Qt to repaint what differs from the last state asked for (often nothing)."""
        asked = self._asked
        radius, words, count = self._radius_px(), self.phase_text, self.countdown_text
        if asked is None:
            self._update_all()
            return
        asked_radius, asked_words, asked_count = asked
        moved = abs(radius - asked_radius) >= MIN_MOVE_PX
        if not moved and (words, count) == (asked_words, asked_count):
            return
        # The box around the circle (antialiased edge included) holds the countdown too.
        reach = max(radius, asked_radius, self._count_rect.height()) + 2.0
        box = QRectF(self._centre.x() - reach, self._centre.y() - reach, 2 * reach, 2 * reach)
        region = QRegion(box.toAlignedRect())
        if words != asked_words:
            region += self._text_rect.toAlignedRect()
        self._asked = (radius, words, count)
        self.update(region)

    # -- look ----------------------------------------------------------------------------
    @property
    def colours(self) -> ThemeColours:
        return self._colours

    def apply_palette(self) -> None:
        """Follow the palette: a theme change (chosen or the system's) recolours the pacer."""
        self.set_colours(colours_for_palette(self.palette()))

    def set_colours(self, colours: ThemeColours) -> None:
        self._colours = colours
        self._guide_pen = QPen(QColor(colours.guide), 2.0, Qt.PenStyle.DashLine)
        self._text_pen = QPen(QColor(colours.text))
        self._count_pen = QPen(QColor(colours.pacer_text))
        self._fill = QBrush(QColor(colours.pacer_outer))
        self._backdrop = None
        self._glow = None
        self._update_all()

    def _glow_pixmap(self) -> QPixmap:
        """The middle of the largest circle: the square inside it, opaque, with the gradient
        from the pale inner colour to the deep one. Each frame scales it to the circle (to the
        nearest pixel, no blending: a soft gradient scaled so shows no steps, and costs a
        fraction of drawing the gradient)."""
        ratio = self.devicePixelRatioF()
        if self._glow is not None and self._glow.devicePixelRatioF() == ratio:
            return self._glow
        radius = self._max_radius
        side = math.ceil(math.sqrt(2.0) * radius * ratio)
        pixmap = QPixmap(side, side)
        pixmap.setDevicePixelRatio(ratio)
        centre = QPointF(side / ratio / 2.0, side / ratio / 2.0)
        deep = QColor(self._colours.pacer_outer)
        gradient = QRadialGradient(centre, radius * GLOW_END)
        gradient.setColorAt(0.0, QColor(self._colours.pacer_inner))
        gradient.setColorAt(1.0, deep)
        painter = QPainter(pixmap)
        painter.fillRect(QRectF(0.0, 0.0, side / ratio, side / ratio), QBrush(gradient))
        painter.end()
        self._glow = pixmap
        return pixmap

    def _backdrop_pixmap(self) -> QPixmap:
        """The background and the dashed guide ring at full lungs, drawn once per size/theme."""
        ratio = self.devicePixelRatioF()
        if self._backdrop is not None and self._backdrop.devicePixelRatioF() == ratio:
            return self._backdrop
        pixmap = QPixmap(round(self.width() * ratio), round(self.height() * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(self.palette().color(QPalette.ColorRole.Window))
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._guide_pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(self._centre, self._max_radius, self._max_radius)
        painter.end()
        self._backdrop = pixmap
        return pixmap

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
        count_h = max(count_pt * dpi / 72.0 * 1.6, QFontMetricsF(self._count_font).height())
        self._count_rect = QRectF(0.0, circle_h / 2.0 - count_h / 2.0, w, count_h)
        self._backdrop = None
        self._glow = None
        self._update_all()  # Qt repaints all of a resized widget

    # -- painting ------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        self.frames_painted += 1  # `baseline --stats` reports it
        rect = QRectF(event.rect())
        painter = QPainter(self)
        painter.drawPixmap(rect, self._backdrop_pixmap(), self._device_rect(rect))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._paused:
            painter.setOpacity(0.55)
        radius = self._radius_px()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._fill)
        painter.drawEllipse(self._centre, radius, radius)
        glow = self._glow_pixmap()
        half = max(radius / math.sqrt(2.0) - 1.5, 0.0)  # corners clear of the antialiased edge
        square = QRectF(self._centre.x() - half, self._centre.y() - half, 2 * half, 2 * half)
        painter.drawPixmap(square, glow, QRectF(glow.rect()))
        painter.setOpacity(1.0)
        if rect.intersects(self._text_rect):
            painter.setPen(self._text_pen)
            self._draw_text(painter, self._text_rect, self._word_font, self.phase_text)
        if self._state is not None and not self._paused:
            painter.setPen(self._count_pen)
            self._draw_text(painter, self._count_rect, self._count_font, self.countdown_text)
        painter.end()

    def _draw_text(self, painter: QPainter, rect: QRectF, font: QFont, text: str) -> None:
        """`text` centred in `rect`, laid out once per text and font (a frame reuses it)."""
        key = (text, font.key())
        static = self._texts.get(key)
        if static is None:
            if len(self._texts) > 64:  # countdowns and words: a handful in use at a time
                self._texts.clear()
            static = QStaticText(text)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(QTransform(), font)
            self._texts[key] = static
        size = static.size()
        painter.setFont(font)
        painter.drawStaticText(
            QPointF(
                rect.x() + (rect.width() - size.width()) / 2.0,
                rect.y() + (rect.height() - size.height()) / 2.0,
            ),
            static,
        )

    def _device_rect(self, rect: QRectF) -> QRectF:
        """`rect` in the pixmaps' device pixels."""
        ratio = self.devicePixelRatioF()
        return QRectF(
            rect.x() * ratio, rect.y() * ratio, rect.width() * ratio, rect.height() * ratio
        )
