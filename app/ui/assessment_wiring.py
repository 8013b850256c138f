"""Plugs the resonance-rate assessment page into the main window (called by `app.ui.main`)."""

from __future__ import annotations

from app.session.sources import SourceOptions
from app.store import Store
from app.ui.live_wiring import strap_scanner
from app.ui.pages.assessment import AssessmentPage
from app.ui.services.settings_model import SettingsModel
from app.ui.services.sound import CuePlayer
from app.ui.widgets.close_watcher import call_on_close
from app.ui.window import MainWindow

PAGE_NAME = "Assessment"
SHORTCUT = "Ctrl+5"


def install_assessment(
    window: MainWindow,
    store: Store,
    model: SettingsModel,
    cue_player: CuePlayer | None = None,
    *,
    demo: bool = False,
    source_options: SourceOptions | None = None,
) -> AssessmentPage:
    """Add the "Assessment" page (after the live session page when there is one)."""
    options = source_options or SourceOptions()
    page = AssessmentPage(
        store,
        model,
        options,
        scan=strap_scanner(options.ble_backend),
        prefer_demo=demo,
        cue_player=cue_player,
    )
    names = window.page_names()
    after = next((n for n in ("Live session", "Breathe") if n in names), None)
    position = names.index(after) + 1 if after is not None else -1
    window.add_page(PAGE_NAME, page, SHORTCUT, position=position)
    page.session_saved.connect(lambda _id: window.history_page.refresh())
    page.message.connect(window.notify)
    call_on_close(window, page.shutdown)
    return page
