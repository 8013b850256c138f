"""A theme change, chosen or the system's, recolours every chart and page, not only one pacer.

The theme is applied to the application (palette and style sheet); each themed widget follows
the palette change itself, so nothing has to be told about it one by one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.store import Store
from app.ui.charts.assessment import AssessmentChart
from app.ui.charts.live_plots import LivePlots
from app.ui.dialogs.session_detail import SessionDetailView
from app.ui.dialogs.session_summary import SessionSummaryView
from app.ui.theme import DARK, LIGHT, apply_theme
from app.ui.widgets.pacer import PacerWidget
from tests.gui.conftest import WindowFactory


@pytest.fixture
def app() -> Iterator[QApplication]:
    instance = QApplication.instance()
    assert isinstance(instance, QApplication)
    palette, sheet, style = instance.palette(), instance.styleSheet(), instance.style().name()
    yield instance
    instance.setStyle(style)
    instance.setPalette(palette)
    instance.setStyleSheet(sheet)


def _background(plot: object) -> QColor:
    if isinstance(plot, LivePlots):
        # What it paints behind both plots: a corner of the heart-rate and of the RR plot.
        image = plot.grab().toImage()
        top, bottom = image.pixelColor(1, 1), image.pixelColor(1, image.height() - 2)
        assert top == bottom, (top.name(), bottom.name())
        return top
    return plot.backgroundBrush().color()  # type: ignore[attr-defined, no-any-return]


def test_charts_views_and_pacers_follow_a_palette_change(qtbot: QtBot, app: QApplication) -> None:
    apply_theme(app, "light")
    live = LivePlots()
    summary = SessionSummaryView()
    detail = SessionDetailView()
    assessment = AssessmentChart()
    pacer = PacerWidget()
    for widget in (live, summary, detail, assessment, pacer):
        qtbot.addWidget(widget)
        widget.show()  # on screen, as in the app
    plots = (live, summary.hr_plot, detail.hr_plot, detail.rr_plot)
    assert all(_background(p) == QColor(LIGHT.base) for p in plots)
    assert _background(assessment.plot) == QColor(LIGHT.base)
    assert pacer.colours is LIGHT

    apply_theme(app, "dark")

    assert [_background(p).name() for p in plots] == [DARK.base] * len(plots)
    assert _background(assessment.plot) == QColor(DARK.base)
    assert pacer.colours is DARK
    assert summary.hr_curve.opts["pen"].color() == QColor("#ee8e8a")

    apply_theme(app, "light")
    assert all(_background(p) == QColor(LIGHT.base) for p in plots)
    assert pacer.colours is LIGHT


def test_the_window_pages_follow_without_being_told(
    make_window: WindowFactory, store: Store, app: QApplication
) -> None:
    ui = make_window(store)
    window = ui.window
    apply_theme(app, "light")
    pacer = ui.breathe.pacer
    assert pacer.colours is LIGHT
    apply_theme(app, "dark")  # as the system's switch does: only the application changes
    assert pacer.colours is DARK
    assert window.palette().color(window.backgroundRole()) == QColor(DARK.window)


def test_choosing_a_theme_in_the_menu_recolours_widgets_nobody_wired(
    qtbot: QtBot, make_window: WindowFactory, store: Store, app: QApplication
) -> None:
    ui = make_window(store)
    window = ui.window
    window.theme_actions["light"].trigger()
    plots = LivePlots()
    pacer = PacerWidget()
    for widget in (plots, pacer):
        qtbot.addWidget(widget)
        widget.show()
    assert pacer.colours is LIGHT and ui.breathe.pacer.colours is LIGHT

    window.theme_actions["dark"].trigger()

    assert pacer.colours is DARK and ui.breathe.pacer.colours is DARK
    assert _background(plots).name() == DARK.base
    window.theme_actions["light"].trigger()
    assert pacer.colours is LIGHT
