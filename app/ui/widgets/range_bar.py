"""Where one value sits against the person's normal range: a band on a track, and a dot.

Drawn in the palette's colours (the band in the accent, the dot in the text colour), so it
follows the theme. The numbers are said in words next to it; the bar only shows the picture.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

#: The track reaches this share of the range's width beyond the range (and beyond the value).
MARGIN_SHARE = 0.6


def range_positions(value: float, low: float, high: float) -> tuple[float, float, float]:
    """(band start, band end, value) as shares 0-1 of the track's length."""
    if not high > low:
        raise ValueError("the range needs high > low")
    margin = MARGIN_SHARE * (high - low)
    start = min(value, low) - margin
    end = max(value, high) + margin
    span = end - start
    return (low - start) / span, (high - start) / span, (value - start) / span


class RangeBar(QWidget):
    """A small horizontal picture of `value` against [`low`, `high`]."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shares: tuple[float, float, float] | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Your value against your normal range")

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(240, max(18, self.fontMetrics().height()))

    def set_range(self, value: float, low: float | None, high: float | None) -> None:
        """Show the value against the range; hidden while there is no range."""
        if low is None or high is None or not high > low:
            self.shares = None
            self.hide()
            return
        self.shares = range_positions(value, low, high)
        self.show()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        if self.shares is None:
            return
        band_start, band_end, dot = self.shares
        pal = self.palette()
        height = self.height()
        radius = min(7.0, height / 2.0 - 1.0)
        left = radius + 1.0
        length = max(1.0, self.width() - 2.0 * left)
        mid = height / 2.0
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(pal.color(QPalette.ColorRole.PlaceholderText), 2.0))
        painter.drawLine(QPointF(left, mid), QPointF(left + length, mid))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(pal.color(QPalette.ColorRole.Highlight))
        x0 = left + band_start * length
        painter.drawRoundedRect(
            QRectF(x0, mid - radius * 0.6, (band_end - band_start) * length, radius * 1.2), 3, 3
        )
        painter.setBrush(pal.color(QPalette.ColorRole.Text))
        painter.drawEllipse(QPointF(left + dot * length, mid), radius, radius)
        painter.end()
