"""WCAG AA contrast of both themes: the colour pairs themselves, the measurement the screen
images rely on, and a system light/dark switch reaching every chart and pacer.

Text needs 4.5:1 against what it is drawn on; the edges of controls and the lines of charts
3:1 (WCAG 2.1, 1.4.3 and 1.4.11). The screens themselves are measured in test_screens.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QRadioButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.store import Store
from app.store.settings import AppSettings, save_settings
from app.ui.app import build_app
from app.ui.charts.assessment import DARK_COLOURS, LIGHT_COLOURS
from app.ui.charts.baseline import OVERLAY_COLOURS, OVERLAY_COLOURS_LIGHT
from app.ui.charts.live_plots import LivePlots
from app.ui.pages.page import page_widget
from app.ui.theme import DARK, LIGHT, ThemeColours, apply_theme, heart_colour
from tests.gui_images.approval import fixed_rendering
from tests.gui_images.contrast import (
    OUTLINE_MIN_RATIO,
    TEXT_MIN_RATIO,
    contrast_ratio,
    low_contrast_text,
    text_contrasts,
    weak_outlines,
)
from tests.stubs import FakeClock, InstantTaskRunner, RecordingCuePlayer, hosted

THEMES = {"light": LIGHT, "dark": DARK}


@pytest.fixture(name="app")
def _app(qapp: QApplication) -> Iterator[QApplication]:
    with fixed_rendering(qapp):
        yield qapp


def text_pairs(c: ThemeColours) -> dict[str, tuple[str, str]]:
    """Every foreground/background pair the theme draws text with."""
    pairs = {}
    for ground in ("window", "base", "alt_base", "nav"):
        for ink in ("text", "muted_text"):
            pairs[f"{ink} on {ground}"] = (getattr(c, ink), getattr(c, ground))
    pairs["link (accent) on window"] = (c.accent, c.window)
    pairs["link (accent) on base"] = (c.accent, c.base)
    pairs["selected (accent_text on accent)"] = (c.accent_text, c.accent)
    pairs["notice bar"] = (c.text, c.bar)
    pairs["pacer words on its circle"] = (c.pacer_text, c.pacer_inner)
    return pairs


@pytest.mark.parametrize("name", THEMES)
def test_every_text_colour_pair_reads_at_4_5(name: str) -> None:
    c = THEMES[name]
    weak = {
        what: round(contrast_ratio(fg, bg), 2)
        for what, (fg, bg) in text_pairs(c).items()
        if contrast_ratio(fg, bg) < TEXT_MIN_RATIO
    }
    assert not weak, f"{name}: {weak}"


@pytest.mark.parametrize("name", THEMES)
def test_control_edges_reach_3_to_1(name: str) -> None:
    c = THEMES[name]
    for ground in (c.window, c.base, c.alt_base):
        assert contrast_ratio(c.outline, ground) >= OUTLINE_MIN_RATIO, (name, ground)


@pytest.mark.parametrize("name", THEMES)
def test_chart_colours_read_on_their_theme(app: QApplication, name: str) -> None:
    c = THEMES[name]
    apply_theme(app, name)  # type: ignore[arg-type]
    palette = app.palette()
    assert contrast_ratio(heart_colour(palette), c.base) >= OUTLINE_MIN_RATIO
    assert contrast_ratio(c.accent, c.base) >= OUTLINE_MIN_RATIO  # the 7-day line
    overlays = OVERLAY_COLOURS if name == "dark" else OVERLAY_COLOURS_LIGHT
    for colour in overlays.values():  # also the check boxes' text
        assert contrast_ratio(colour, c.window) >= TEXT_MIN_RATIO, colour
    chart = DARK_COLOURS if name == "dark" else LIGHT_COLOURS
    for colour in (chart.swing, chart.best, chart.lf):  # also the axis titles
        assert contrast_ratio(colour, c.base) >= TEXT_MIN_RATIO, colour


def test_contrast_ratio_matches_the_wcag_examples() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # AA's limit


def sample(qtbot: QtBot, colour: str) -> tuple[QWidget, QLabel, QCheckBox, QRadioButton]:
    host = QWidget()
    layout = QVBoxLayout(host)
    label = QLabel("Your resting heart rate is within your normal range")
    label.setStyleSheet(f"color: {colour};")
    box = QCheckBox("Sleep")
    radio = QRadioButton("Seated")
    for widget in (label, box, radio):
        layout.addWidget(widget)
    window = hosted(host, (420, 160))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window, label, box, radio


@pytest.mark.parametrize("name", THEMES)
def test_the_screen_measurement_finds_the_real_ratio_and_faint_text(
    qtbot: QtBot, app: QApplication, name: str
) -> None:
    c = THEMES[name]
    apply_theme(app, name)  # type: ignore[arg-type]
    window, label, _box, _radio = sample(qtbot, c.text)
    measured = {m.what: m for m in text_contrasts(window, window.grab().toImage())}
    on_label = next(m for what, m in measured.items() if what.startswith("QLabel"))
    expected = contrast_ratio(c.text, c.window)
    assert on_label.ratio == pytest.approx(expected, rel=0.03)
    assert not low_contrast_text(window, window.grab().toImage())

    faint = QColor(c.window).darker(125) if name == "light" else QColor(c.window).lighter(160)
    label.setStyleSheet(f"color: {faint.name()};")
    problems = low_contrast_text(window, window.grab().toImage())
    assert len(problems) == 1 and problems[0].startswith("QLabel 'Your resting heart rate")


@pytest.mark.parametrize("name", THEMES)
def test_check_boxes_and_radio_buttons_stand_out(
    qtbot: QtBot, app: QApplication, name: str
) -> None:
    apply_theme(app, name)  # type: ignore[arg-type]
    window, _label, box, radio = sample(qtbot, THEMES[name].text)
    assert not weak_outlines(window, window.grab().toImage())
    for checked in (True, False):
        box.setChecked(checked)
        radio.setChecked(checked)
        assert not weak_outlines(window, window.grab().toImage())

    app.setStyle("Fusion")  # Fusion's own edges, as before the themed style: too faint
    app.setStyleSheet(app.styleSheet())
    faint = weak_outlines(window, window.grab().toImage())
    assert any("indicator" in problem for problem in faint)


def chart_backgrounds(root: QWidget) -> list[str]:
    """The background of every pyqtgraph chart, and what the live plots paint behind theirs."""
    views = [view.backgroundBrush().color().name() for view in root.findChildren(pg.GraphicsView)]
    painted = [
        plots.grab().toImage().pixelColor(1, 1).name() for plots in root.findChildren(LivePlots)
    ]
    return views + painted


def test_a_system_switch_recolours_every_page_chart_and_pacer(
    qtbot: QtBot, app: QApplication, store: Store, tmp_path: Path
) -> None:
    """The desktop goes dark and light again while the app runs with the "system" theme."""
    save_settings(store, AppSettings(theme="system", sound_on=False))
    ui = build_app(
        store,
        clock=FakeClock(),
        cue_player=RecordingCuePlayer(),
        tasks=InstantTaskRunner(),
    )
    window = ui.window
    qtbot.addWidget(window)
    window.show()
    hints = app.styleHints()
    pacers = [ui.breathe.pacer, *(p.pacer for p in (ui.live,) if p is not None)]
    assert ui.live is not None
    # The summary is built when a session first ends; build it now, as after one (not shown).
    assert not ui.live.summary_view.isVisible()

    for scheme, colours in ((Qt.ColorScheme.Dark, DARK), (Qt.ColorScheme.Light, LIGHT)):
        hints.colorSchemeChanged.emit(scheme)
        assert app.palette().color(QPalette.ColorRole.Window).name() == colours.window
        backgrounds = chart_backgrounds(window)
        assert len(backgrounds) >= 4  # Home's chart, the live plots, the summary, the assessment
        assert set(backgrounds) == {colours.base}
        assert all(pacer.colours is colours for pacer in pacers)
        for page in window.pages():
            widget = page_widget(page)
            assert widget.palette().color(QPalette.ColorRole.Window).name() == colours.window


def test_a_chosen_theme_ignores_the_system_switch(
    qtbot: QtBot, app: QApplication, store: Store, tmp_path: Path
) -> None:
    save_settings(store, AppSettings(theme="light", sound_on=False))
    ui = build_app(store, cue_player=RecordingCuePlayer(), tasks=InstantTaskRunner())
    qtbot.addWidget(ui.window)
    app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert app.palette().color(QPalette.ColorRole.Window).name() == LIGHT.window
    ui.model.update(theme="system")  # now it follows the desktop, which went dark
    assert app.palette().color(QPalette.ColorRole.Window).name() == DARK.window
