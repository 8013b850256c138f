"""`baseline --start live|breathe|morning-check`: open the app on that screen and start it.

The same entries are the desktop file's actions (and the Windows and macOS shortcuts). The live
session and the morning check start with the source their setup offers first: with `--demo` the
demo strap, else the strap used last; when nothing can start without a choice (no strap known),
the screen is shown with a note saying what to choose.

No Qt is imported at module level: the command line reads `StartScreen` for its choices.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.ui.app import AppUi


class StartScreen(StrEnum):
    LIVE = "live"
    BREATHE = "breathe"
    MORNING_CHECK = "morning-check"


def open_start_screen(ui: AppUi, screen: StartScreen) -> bool:
    """Show `screen` and start it; False (with a note in the status bar) when it could not
    start by itself."""
    window = ui.window
    if screen is StartScreen.BREATHE:
        window.show_page(ui.breathe)
        ui.breathe.start()
        return ui.breathe.is_active
    if screen is StartScreen.LIVE:
        live = ui.live
        if live is None:
            return False
        window.show_page(live)
        live.start()
        if not live.is_active:
            window.notify("Choose a strap (or the demo strap), then Start.")
        return live.is_active
    home = ui.home
    if home is None:
        return False
    window.show_page(home)
    dialog = home.open_morning_check()
    dialog.start()
    return dialog.state in ("connecting", "measuring")
