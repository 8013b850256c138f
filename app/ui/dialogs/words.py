"""Help > Words and scales: what each number means, one scale per idea (resources/docs/SCALES.md).

The "What is this?" links on the screens open this page. Its link to the accuracy page opens
Help > How is this computed? (`app.ui.dialogs.accuracy`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QWidget

from app.ui.dialogs.accuracy import ACCURACY_PAGE, MarkdownPageDialog

#: Where the page is, from a source checkout and from a bundle alike (app/ui/dialogs -> the root).
WORDS_PAGE = Path(__file__).resolve().parents[3] / "resources" / "docs" / "SCALES.md"
WORDS_TITLE = "Words and scales"
MISSING_WORDS = (
    "# Words and scales in Baseline\n\n"
    "The page that explains the words and scales is not part of this installation. It is in "
    "the project's sources as resources/docs/SCALES.md."
)


class WordsDialog(MarkdownPageDialog):
    """A read-only, scrollable view of the words-and-scales page.

    Signals:
        accuracy_requested(): the page's link to "How is this computed?" was followed.
    """

    accuracy_requested = Signal()

    def __init__(self, page: Path = WORDS_PAGE, parent: QWidget | None = None) -> None:
        super().__init__(WORDS_TITLE, page, MISSING_WORDS, 760, parent)
        self.browser.anchorClicked.connect(self._follow)

    def _follow(self, url: QUrl) -> None:
        if url.fileName() == ACCURACY_PAGE.name:
            self.accuracy_requested.emit()
