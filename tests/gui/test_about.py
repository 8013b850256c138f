"""The About box: name, version, the wellness-not-medical note, and the licences."""

from __future__ import annotations

from app import __version__
from app.store import Store
from tests.gui.conftest import WindowFactory


def test_about_names_version_note_and_licences(store: Store, make_window: WindowFactory) -> None:
    ui = make_window(store)
    window = ui.window
    box = window.show_about()
    text = box.text()
    assert f"Baseline</b> {__version__}" in text
    assert "not a medical device" in text
    for licence in ("MIT", "LGPLv3", "ODC-By", "BSD-3-Clause"):
        assert licence in text
    box.close()
