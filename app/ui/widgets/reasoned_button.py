"""A button that, when it cannot act, is disabled and says why right beside it.

A control that silently does nothing leaves a person guessing; this one is either enabled or
disabled with a plain reason next to it (and as its tooltip). Pages call `set_reason(None)` when
the button can act and `set_reason("...")` when it cannot.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget


class ReasonedButton(QWidget):
    """A push button with a muted reason label beside it, shown only while it is disabled."""

    def __init__(self, text: str, tooltip: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tooltip = tooltip
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.button = QPushButton(text)
        self.button.setToolTip(tooltip)
        self.reason_label = QLabel("")
        self.reason_label.setProperty("role", "muted")
        self.reason_label.setWordWrap(True)
        # The reason wraps to the room it is given and never widens the window.
        self.reason_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.reason_label.setAccessibleName(f"Why {text} is not available")
        self.reason_label.hide()
        # its own width, at the left: without the reason beside it, it would stretch across
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.reason_label, 1)
        self.reason: str | None = None

    def set_reason(self, reason: str | None) -> None:
        """None: the button can act. A sentence: it is disabled and the sentence says why."""
        self.reason = reason or None
        self.button.setEnabled(self.reason is None)
        self.reason_label.setText(self.reason or "")
        self.reason_label.setVisible(self.reason is not None)
        self.button.setToolTip(self.reason or self._tooltip)
