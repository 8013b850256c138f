"""Light and dark themes: a Fusion palette in soft colours plus a small stylesheet.

Sizes in the stylesheet are in points or em-like padding, never fixed pixel fonts, so the app reads
the same at 1280x800 and on a 4K screen with scaling.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from app.store.settings import Theme


@dataclass(frozen=True, slots=True)
class ThemeColours:
    """The few colours the themes are made of (hex strings)."""

    window: str
    base: str
    alt_base: str
    text: str
    muted_text: str
    accent: str
    accent_text: str
    pacer_inner: str
    pacer_outer: str
    pacer_text: str
    guide: str
    nav: str
    bar: str


LIGHT = ThemeColours(
    window="#f4f6f5",
    base="#ffffff",
    alt_base="#eef2f0",
    text="#23302c",
    muted_text="#5d6b66",
    accent="#3f8f83",
    accent_text="#ffffff",
    pacer_inner="#bfe3dc",
    pacer_outer="#5fa99c",
    pacer_text="#17302b",
    guide="#c9d6d1",
    nav="#e8eeeb",
    bar="#fff4d9",
)
DARK = ThemeColours(
    window="#1c2326",
    base="#232c30",
    alt_base="#283236",
    text="#e3ebe8",
    muted_text="#9fb0aa",
    accent="#6cc0b2",
    accent_text="#10201c",
    pacer_inner="#7fc9bc",
    pacer_outer="#2f6f67",
    pacer_text="#0f211d",
    guide="#3b4a4f",
    nav="#182024",
    bar="#3a3423",
)


def resolve_theme(theme: Theme) -> ThemeColours:
    """The colours for a theme choice; "system" follows the desktop's light/dark preference."""
    if theme == "dark":
        return DARK
    if theme == "light":
        return LIGHT
    hints = QGuiApplication.styleHints()
    return DARK if hints.colorScheme() == Qt.ColorScheme.Dark else LIGHT


def _palette(c: ThemeColours) -> QPalette:
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: c.window,
        QPalette.ColorRole.WindowText: c.text,
        QPalette.ColorRole.Base: c.base,
        QPalette.ColorRole.AlternateBase: c.alt_base,
        QPalette.ColorRole.Text: c.text,
        QPalette.ColorRole.Button: c.alt_base,
        QPalette.ColorRole.ButtonText: c.text,
        QPalette.ColorRole.Highlight: c.accent,
        QPalette.ColorRole.HighlightedText: c.accent_text,
        QPalette.ColorRole.ToolTipBase: c.base,
        QPalette.ColorRole.ToolTipText: c.text,
        QPalette.ColorRole.PlaceholderText: c.muted_text,
        QPalette.ColorRole.Link: c.accent,
        QPalette.ColorRole.Mid: c.guide,
    }
    for role, hex_colour in roles.items():
        pal.setColor(role, QColor(hex_colour))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(c.muted_text))
    return pal


def _stylesheet(c: ThemeColours) -> str:
    return f"""
QListWidget#nav {{
    background: {c.nav};
    border: none;
    padding-top: 0.6em;
    font-size: 12pt;
    outline: none;
}}
QListWidget#nav::item {{ padding: 0.55em 1.1em; border-radius: 6px; margin: 2px 6px; }}
QListWidget#nav::item:selected {{ background: {c.accent}; color: {c.accent_text}; }}
QLabel[role="heading"] {{ font-size: 15pt; font-weight: 600; }}
QLabel[role="muted"] {{ color: {c.muted_text}; }}
QLabel[role="clock"] {{ font-size: 13pt; }}
QFrame#undoBar, QFrame#noticeBar {{
    background: {c.bar};
    border-radius: 6px;
}}
QPushButton {{ padding: 0.35em 1.1em; }}
QPushButton[role="session"] {{ padding: 0.5em 1.8em; font-size: 11pt; }}
QPushButton[role="primary"] {{
    padding: 0.5em 1.8em;
    font-size: 11pt;
    background: {c.accent};
    color: {c.accent_text};
    border: none;
    border-radius: 6px;
    font-weight: 600;
}}
QPushButton[role="primary"]:disabled {{ background: {c.guide}; color: {c.muted_text}; }}
QGroupBox {{ font-weight: 600; }}
"""


def is_dark(palette: QPalette) -> bool:
    """The palette is a dark one (its base, behind text and plots, is dark)."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def colours_for_palette(palette: QPalette) -> ThemeColours:
    """The theme colours that go with a palette: what a widget uses when the palette changes."""
    return DARK if is_dark(palette) else LIGHT


def heart_colour(palette: QPalette) -> QColor:
    """The heart-rate curve's colour: a soft red that reads on the palette's base."""
    return QColor("#ee8e8a") if is_dark(palette) else QColor("#d0605e")


def apply_theme(app: QApplication, theme: Theme) -> ThemeColours:
    """Apply the theme to the whole application; returns the colours used."""
    colours = resolve_theme(theme)
    app.setStyle("Fusion")
    app.setPalette(_palette(colours))
    app.setStyleSheet(_stylesheet(colours))
    return colours
