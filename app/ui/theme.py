"""Light and dark themes: a Fusion palette in soft colours plus a small stylesheet.

Sizes in the stylesheet are in points or em-like padding, never fixed pixel fonts, so the app reads
the same at 1280x800 and on a 4K screen with scaling.

Both themes meet WCAG AA: text reaches 4.5:1 against what it is drawn on (tests/gui/test_contrast
checks the colour pairs, tests/gui_images measures every screen), and the edges of controls 3:1.
Fusion draws the edges of buttons, fields, check boxes and radio buttons a little darker than the
window (about 2:1 in light, barely visible in dark); `ThemedStyle` draws them again in the
theme's `outline` colour.

"system" follows the desktop's colour scheme, at start and whenever it changes
(`QStyleHints.colorSchemeChanged`); the main window re-applies the theme then.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QStyleOptionComboBox,
    QStyleOptionComplex,
    QStyleOptionSpinBox,
    QWidget,
)

from app.store.settings import Theme

THEME_LABELS = {"system": "Follow the system", "light": "Light", "dark": "Dark"}


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
    outline: str  # the edges of controls: 3:1 against window, base and alt_base


LIGHT = ThemeColours(
    window="#f4f6f5",
    base="#ffffff",
    alt_base="#eef2f0",
    text="#23302c",
    muted_text="#5d6b66",
    accent="#33786e",
    accent_text="#ffffff",
    pacer_inner="#bfe3dc",
    pacer_outer="#5fa99c",
    pacer_text="#17302b",
    guide="#c9d6d1",
    nav="#e8eeeb",
    bar="#fff4d9",
    outline="#72807b",
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
    outline="#7b8c86",
)


def resolve_theme(theme: Theme, scheme: Qt.ColorScheme | None = None) -> ThemeColours:
    """The colours for a theme choice; "system" follows the desktop's light/dark preference
    (`scheme`, or the one the platform reports now)."""
    if theme == "dark":
        return DARK
    if theme == "light":
        return LIGHT
    if scheme is None:
        scheme = QGuiApplication.styleHints().colorScheme()
    return DARK if scheme == Qt.ColorScheme.Dark else LIGHT


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
        QPalette.ColorRole.LinkVisited: c.accent,
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


class ThemedWidget(QWidget):
    """A widget that takes its colours from its palette, again at every theme switch.

    A theme (chosen, or the system's light/dark) reaches every widget as a palette change;
    subclasses recolour in `apply_palette()` and call it once when they are built."""

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self.apply_palette()
        super().changeEvent(event)

    def apply_palette(self) -> None:
        """Recolour from `self.palette()` (nothing to do by default)."""


def is_dark(palette: QPalette) -> bool:
    """The palette is a dark one (its base, behind text and plots, is dark)."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def colours_for_palette(palette: QPalette) -> ThemeColours:
    """The theme colours that go with a palette: what a widget uses when the palette changes."""
    return DARK if is_dark(palette) else LIGHT


def heart_colour(palette: QPalette) -> QColor:
    """The heart-rate curve's colour: a soft red that reads on the palette's base."""
    return QColor("#ee8e8a") if is_dark(palette) else QColor("#d0605e")


_OUTLINED = (
    QStyle.PrimitiveElement.PE_IndicatorCheckBox,
    QStyle.PrimitiveElement.PE_IndicatorRadioButton,
    QStyle.PrimitiveElement.PE_PanelButtonCommand,
    QStyle.PrimitiveElement.PE_FrameLineEdit,
)


class ThemedStyle(QProxyStyle):
    """Fusion, with the edges of buttons, input fields, check boxes and radio buttons drawn in
    the theme's outline colour (taken from the widget's palette, so it follows a theme change)."""

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

    @staticmethod
    def _outline_pen(palette: QPalette, state: QStyle.StateFlag) -> QPen:
        colour = QColor(colours_for_palette(palette).outline)
        if (
            state & QStyle.StateFlag.State_HasFocus
            and state & QStyle.StateFlag.State_KeyboardFocusChange
        ):
            colour = palette.color(QPalette.ColorRole.Highlight)
        pen = QPen(colour)
        pen.setWidthF(1.0)
        return pen

    def drawPrimitive(  # noqa: N802 (Qt override)
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element not in _OUTLINED:
            return
        rect = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)
        if element == QStyle.PrimitiveElement.PE_IndicatorCheckBox:
            rect = QRectF(option.rect).adjusted(0.5, 0.5, -1.5, -1.5)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(self._outline_pen(option.palette, option.state))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if element == QStyle.PrimitiveElement.PE_IndicatorRadioButton:
            pen = painter.pen()
            pen.setWidthF(1.4)  # a thin anti-aliased circle would read lighter than its colour
            painter.setPen(pen)
            painter.drawEllipse(rect.adjusted(0.7, 0.7, -0.7, -0.7))
        elif element == QStyle.PrimitiveElement.PE_IndicatorCheckBox:
            painter.drawRect(rect)
        else:
            painter.drawRoundedRect(rect, 2.0, 2.0)
        painter.restore()

    def drawComplexControl(  # noqa: N802 (Qt override)
        self,
        control: QStyle.ComplexControl,
        option: QStyleOptionComplex,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawComplexControl(control, option, painter, widget)
        if control not in (QStyle.ComplexControl.CC_ComboBox, QStyle.ComplexControl.CC_SpinBox):
            return
        if isinstance(option, QStyleOptionComboBox) and not option.frame:
            return
        if isinstance(option, QStyleOptionSpinBox) and not option.frame:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(self._outline_pen(option.palette, option.state))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5), 2.0, 2.0)
        painter.restore()


def apply_theme(
    app: QApplication, theme: Theme, scheme: Qt.ColorScheme | None = None
) -> ThemeColours:
    """Apply the theme to the whole application; returns the colours used. `scheme` is the
    desktop's colour scheme for "system" (default: the one the platform reports)."""
    colours = resolve_theme(theme, scheme)
    if not isinstance(app.style(), ThemedStyle):
        app.setStyle(ThemedStyle())
    app.setPalette(_palette(colours))
    app.setStyleSheet(_stylesheet(colours))
    return colours
