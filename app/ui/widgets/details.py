"""A "Details" button that shows or hides a block of technical text below a plain message.

The plain words stay on screen; the exact terms (lnRMSSD, BlueZ, D-Bus, command-line options)
are one click away. The text wraps, so a long detail never widens its window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

SHOW_TEXT = "Details \u25b8"
HIDE_TEXT = "Details \u25be"


class DetailsToggle(QWidget):
    """A flat "Details" button and the text it shows; hidden entirely while there is no text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.button = QPushButton(SHOW_TEXT)
        self.button.setCheckable(True)
        self.button.setFlat(True)
        self.button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.button.setAccessibleName("Details")
        self.button.toggled.connect(self._toggled)
        self.text_label = QLabel("")
        self.text_label.setWordWrap(True)
        self.text_label.setProperty("role", "muted")
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Wrapped text may grow in height, never in width beyond what the layout gives it.
        self.text_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.text_label.hide()
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.text_label)
        self.set_text("")

    def set_text(self, text: str) -> None:
        """Set the detail text (plain text); collapses the block again."""
        self.text_label.setText(text)
        self.button.setChecked(False)
        self._toggled(False)
        self.setVisible(bool(text))

    def text(self) -> str:
        return self.text_label.text()

    @property
    def expanded(self) -> bool:
        return self.button.isChecked()

    def _toggled(self, on: bool) -> None:
        self.text_label.setVisible(on)
        self.button.setText(HIDE_TEXT if on else SHOW_TEXT)
