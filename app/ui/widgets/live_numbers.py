"""The live numbers panel: heart rate, RMSSD, coherence and the heart-rate swing per breath.

Numbers that need more data say so ("collecting... 40 s") instead of showing noise.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.hrv.coherence import STEP_S, WINDOW_S, bands_text, coherence_parts
from app.session.live import LiveNumber

COHERENCE_TOOLTIP = (
    "Coherence (0-10): how much of your heart-rate variation sits in one smooth, slow wave.\n"
    "When your heart rate rises and falls evenly with slow breathing, the score goes up.\n"
    f"Bands: {bands_text()}; updated every {STEP_S:g} seconds from the last "
    f"{WINDOW_S:g} seconds.\n"
    "It is a practice guide, not a health measurement: gentle curiosity works better than "
    "trying hard."
)
SWING_TOOLTIP = (
    "Heart-rate swing: how far your heart rate rises and falls within one breath\n"
    "(highest minus lowest), averaged over the last few breaths."
)
RMSSD_TOOLTIP = (
    "HRV: beat-to-beat variation over the last 60 seconds, in milliseconds (RMSSD, the root "
    "mean square of successive differences)."
)
HR_TOOLTIP = "Heart rate as your strap reports it, in beats per minute."
WAITING = "waiting for the strap"


def format_number(number: LiveNumber, decimals: int = 0) -> tuple[str, str]:
    """(big text, small text) for a live number."""
    if number.value is not None and math.isfinite(number.value):
        return f"{number.value:.{decimals}f}", ""
    if number.collecting_s_left is not None:
        return "\u2013", f"collecting\u2026 {math.ceil(number.collecting_s_left - 1e-9):d} s"
    return "\u2013", number.note or ""


class NumberTile(QFrame):
    """One number with its title, unit and a line for the state."""

    def __init__(self, title: str, unit: str, tooltip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("numberTile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setToolTip(tooltip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        self.title = QLabel(title)
        self.title.setProperty("role", "muted")
        row = QHBoxLayout()
        self.value = QLabel("\u2013")
        font = self.value.font()
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 2.0)
        font.setWeight(font.Weight.DemiBold)
        self.value.setFont(font)
        self.unit = QLabel(unit)
        self.unit.setProperty("role", "muted")
        row.addWidget(self.value)
        row.addWidget(self.unit, 0, Qt.AlignmentFlag.AlignBottom)
        row.addStretch(1)
        self.state = QLabel("")
        self.state.setProperty("role", "muted")
        layout.addWidget(self.title)
        layout.addLayout(row)
        layout.addWidget(self.state)
        self._shown: tuple[str, str] = ("", "")

    def show_number(
        self, number: LiveNumber, decimals: int = 0, extra: str = "", big_text: str = ""
    ) -> None:
        big, small = format_number(number, decimals)
        if extra and number.value is not None:
            small = extra
        if big_text and number.value is not None:
            big = big_text
        if (big, small) != self._shown:  # labels repaint only when the text changes
            self.value.setText(big)
            self.state.setText(small)
            self._shown = (big, small)


class LiveNumbersPanel(QWidget):
    """Four tiles in a row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heart_rate = NumberTile("Heart rate", "bpm", HR_TOOLTIP)
        self.rmssd = NumberTile("HRV (60 s)", "ms", RMSSD_TOOLTIP)
        self.coherence = NumberTile("Coherence", "of 10", COHERENCE_TOOLTIP)
        self.swing = NumberTile("Swing per breath", "bpm", SWING_TOOLTIP)
        for tile in (self.heart_rate, self.rmssd, self.coherence, self.swing):
            layout.addWidget(tile)

    def show_numbers(
        self,
        heart_rate: LiveNumber,
        rmssd: LiveNumber,
        coherence: LiveNumber,
        swing: LiveNumber,
        *,
        link_down: bool = False,
    ) -> None:
        """Show the numbers; while the link is down, missing ones wait for the strap."""
        if link_down:
            heart_rate, rmssd, coherence, swing = (
                n if n.value is not None else LiveNumber(None, None, note=WAITING)
                for n in (heart_rate, rmssd, coherence, swing)
            )
        self.heart_rate.show_number(heart_rate)
        self.rmssd.show_number(rmssd)
        number, band = coherence_parts(coherence.value)
        self.coherence.show_number(
            coherence, 1, extra=f"{band} coherence" if band else "", big_text=number
        )
        self.swing.show_number(swing, 1)
