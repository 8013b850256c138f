"""Help > How is this computed?: the accuracy page (docs/ACCURACY.md) in a read-only window.

The page ships in `resources/docs/` (a copy that `tests/bench/accuracy.py` writes beside
docs/ACCURACY.md), which the desktop bundle carries next to the code like the icons.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

#: Where the page is, from a source checkout and from a bundle alike (app/ui/dialogs -> the root).
ACCURACY_PAGE = Path(__file__).resolve().parents[3] / "resources" / "docs" / "ACCURACY.md"
MISSING_TEXT = (
    "# How Baseline computes its numbers\n\n"
    "The page that explains the numbers is not part of this installation. It is in the "
    "project's documentation as docs/ACCURACY.md."
)


class MarkdownPageDialog(QDialog):
    """A read-only, scrollable window with one Markdown page (`missing` when it is not there).

    Links are not followed by the browser: a subclass connects `browser.anchorClicked`."""

    def __init__(
        self, title: str, page: Path, missing: str, width_px: int, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.browser = QTextBrowser()
        self.browser.setReadOnly(True)
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(False)
        try:
            text = page.read_text(encoding="utf-8")
        except OSError:
            text = missing
        self.browser.setMarkdown(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(width_px, 640)


class AccuracyDialog(MarkdownPageDialog):
    """A read-only, scrollable view of the accuracy page."""

    def __init__(self, page: Path = ACCURACY_PAGE, parent: QWidget | None = None) -> None:
        super().__init__("How is this computed?", page, MISSING_TEXT, 820, parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
