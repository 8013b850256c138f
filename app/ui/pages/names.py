"""Each page's navigation entry: its name, theme icon and shortcut, known without building the
page or importing its module (the window shows the navigation before any page is built)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageEntry:
    """A page's navigation entry."""

    title: str
    icon_name: str
    shortcut: str


HOME = PageEntry("Home", "go-home", "Ctrl+0")
BREATHE = PageEntry("Breathe", "media-playback-start", "Ctrl+1")
HISTORY = PageEntry("History", "document-open-recent", "Ctrl+2")
SETTINGS = PageEntry("Settings", "preferences-system", "Ctrl+3")
LIVE = PageEntry("Live session", "media-record", "Ctrl+4")
ASSESSMENT = PageEntry("Assessment", "view-statistics", "Ctrl+5")

# The Today menu's entries (they open Home's log form and morning check).
LOG_SHORTCUT = "Ctrl+L"
CHECK_SHORTCUT = "Ctrl+M"
