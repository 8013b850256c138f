"""Help > How is this computed?: the accuracy page in a read-only window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from app.store import Store
from app.ui.dialogs.accuracy import ACCURACY_PAGE, MISSING_TEXT, AccuracyDialog
from tests.gui.conftest import WindowFactory

ROOT = Path(__file__).resolve().parents[2]


def test_help_menu_opens_the_accuracy_page(
    store: Store, make_window: WindowFactory, qtbot: QtBot
) -> None:
    ui = make_window(store)
    window = ui.window
    help_menu = next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "&Help")
    assert window.how_computed_action in help_menu.actions()
    window.how_computed_action.trigger()
    qtbot.waitUntil(lambda: bool(window.findChildren(AccuracyDialog)))
    dialog = window.findChildren(AccuracyDialog)[0]
    assert dialog.isVisible()
    text = dialog.browser.toPlainText()
    assert "How Baseline computes its numbers" in text
    assert "Artifact correction" in text
    assert "rest_60min_pyhrv_long.txt" in text  # the generated tables are there
    assert "|---" not in text  # rendered as tables, not shown as markdown source
    assert dialog.browser.isReadOnly()
    dialog.close()


def test_the_app_shows_the_current_accuracy_page() -> None:
    shipped = ACCURACY_PAGE.read_text(encoding="utf-8")
    assert ACCURACY_PAGE == ROOT / "resources" / "docs" / "ACCURACY.md"
    assert shipped == (ROOT / "docs" / "ACCURACY.md").read_text(encoding="utf-8")


def test_a_missing_page_is_explained(tmp_path: Path, qtbot: QtBot) -> None:
    dialog = AccuracyDialog(tmp_path / "nowhere.md")
    qtbot.addWidget(dialog)
    assert "not part of this installation" in dialog.browser.toPlainText()
    assert "not part of this installation" in MISSING_TEXT
