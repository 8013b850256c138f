"""Home in plain words: HRV in ms with a legend and values on hover, the sentence under the
chart, one empty state with the next step, and "What is this?" one click away."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from app.recovery.overview import load_overview
from app.store import Store
from app.store.daily import save_day
from app.store.records import LogEntry
from app.ui.app import AppUi, OptionalPage, build_app
from app.ui.charts.baseline import LEGEND_BAND, LEGEND_DOTS, LEGEND_LINE, VALUES_HINT, day_seconds
from app.ui.dialogs.accuracy import AccuracyDialog
from app.ui.dialogs.words import WordsDialog
from app.ui.pages.breathe import BreathePage
from app.ui.services.sound import CuePlayer
from tests.gui_home.conftest import FAST_DEMO, TODAY


@pytest.fixture
def make_ui(qtbot: QtBot, tmp_path: Path) -> Iterator[type[AppUi] | object]:
    def build(store: Store) -> AppUi:
        ui = build_app(
            store,
            cue_player=CuePlayer(),
            source_options=FAST_DEMO,
            today=lambda: TODAY,
            pages=frozenset({OptionalPage.HOME}),
        )
        qtbot.addWidget(ui.window)
        ui.window.resize(1200, 780)
        ui.window.show()
        qtbot.waitExposed(ui.window)
        return ui

    yield build


def log_days(store: Store, values_ms: list[float]) -> None:
    """One logged RMSSD per day, ending today."""
    for i, value in enumerate(values_ms):
        day = TODAY - timedelta(days=len(values_ms) - 1 - i)
        save_day(store, LogEntry(day.isoformat(), rmssd_ms=value, resting_hr_bpm=60.0 + i % 3))


def visible_texts(widget: object) -> list[str]:
    return [
        label.text()
        for label in widget.findChildren(QLabel)  # type: ignore[attr-defined]
        if label.isVisible() and label.text()
    ]


def test_empty_home_says_once_what_to_do_next(store: Store, make_ui: object, qtbot: QtBot) -> None:
    ui = make_ui(store)  # type: ignore[operator]
    page = ui.home
    assert page.is_empty
    assert page.empty_state.isVisible() and not page.columns.isVisible()
    texts = visible_texts(page)
    assert sum("Nothing is recorded yet" in t for t in texts) == 1
    assert not any("no data" in t.lower() or "no sessions yet" in t.lower() for t in texts)
    assert set(page.empty_buttons) == {"Morning check", "Breathe", "Import"}
    assert all(b.isVisible() and b.isEnabled() for b in page.empty_buttons.values())

    # Breathe shows the Breathe page.
    page.empty_buttons["Breathe"].click()
    assert isinstance(ui.window.current_page(), BreathePage)
    ui.window.show_page(page)

    # Import asks for files (the file chooser is the edge faked here).
    asked: list[bool] = []

    def no_files(_parent: object) -> list[Path]:
        asked.append(True)
        return []

    ui.data_actions.ask_open_files = no_files
    page.empty_buttons["Import"].click()
    assert asked == [True]

    # Morning check opens the check.
    page.empty_buttons["Morning check"].click()
    assert page.readiness_dialog is not None and page.readiness_dialog.isVisible()
    page.readiness_dialog.reject()

    # A first logged value ends the empty state.
    save_day(store, LogEntry(TODAY.isoformat(), rmssd_ms=44.0))
    page.refresh()
    assert not page.is_empty and page.columns.isVisible()
    assert page.chart.isVisible()


def test_legend_names_the_layers_and_the_range(store: Store, make_ui: object) -> None:
    log_days(store, [40.0 + (i % 5) for i in range(30)])
    page = make_ui(store).home  # type: ignore[operator]
    chart = page.chart
    labels = [label.text for _sample, label in chart.legend.items]
    assert labels == [LEGEND_DOTS, LEGEND_LINE, LEGEND_BAND]
    assert LEGEND_BAND == "Your normal range"
    assert chart.legend.isVisible() and chart.band_sample.isVisible()
    assert chart.hrv.band.isVisible()


def test_values_on_hover(store: Store, make_ui: object, qtbot: QtBot) -> None:
    values = [40.0 + (i % 5) for i in range(30)]
    log_days(store, values)
    page = make_ui(store).home  # type: ignore[operator]
    chart = page.chart
    assert chart.values_label.text() == VALUES_HINT
    ln = load_overview(store, TODAY).ln_rmssd
    day_x = float(day_seconds(ln.dates)[-3])
    # A real mouse move over the HRV plot, at that day.
    vb = chart.hrv_plot.vb
    qtbot.waitUntil(lambda: vb.sceneBoundingRect().width() > 50)
    (y0, y1) = vb.viewRange()[1]
    scene_pos = vb.mapViewToScene(QPointF(day_x, (y0 + y1) / 2))
    view_pos = chart.graphics.mapFromScene(scene_pos)
    viewport = chart.graphics.viewport()
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(view_pos),
        QPointF(viewport.mapToGlobal(QPoint(view_pos.x(), view_pos.y()))),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, move)
    qtbot.waitUntil(lambda: chart.values_label.text() != VALUES_HINT)
    text = chart.values_label.text()
    day = TODAY - timedelta(days=2)
    assert text.startswith(f"{day:%a %d %b %Y}: ")
    assert f"HRV {values[-3]:.0f} ms" in text
    low, high = math.exp(ln.normal_low[-3]), math.exp(ln.normal_high[-3])
    assert f"normal range {low:.0f}\u2013{high:.0f} ms" in text
    assert f"7-day average {math.exp(ln.baseline_7d[-3]):.0f} ms" in text
    assert "resting heart rate" in text
    assert "lnRMSSD" not in text  # a detail
    hrv_marker, hr_marker, _cv_marker = chart.day_markers  # the CV plot is a hidden detail
    assert all(m.isVisible() and m.value() == pytest.approx(day_x) for m in (hrv_marker, hr_marker))
    chart.details_box.setChecked(True)
    detailed = chart.values_text(day_x)
    assert f"lnRMSSD {math.log(values[-3]):.2f}" in detailed and "CV " in detailed
    # Outside the data: nothing to say.
    assert chart.values_text(day_x + 400 * 86_400.0) == ""


def test_the_change_sentence_sits_under_the_chart(store: Store, make_ui: object) -> None:
    rng = np.random.default_rng(5)
    log_days(store, list(40.0 + rng.normal(0, 3, 50)))
    page = make_ui(store).home  # type: ignore[operator]
    view = load_overview(store, TODAY)
    assert page.change_label.text() == view.hrv_change.text
    assert "your normal range" in page.change_label.text()
    chart_bottom = page.chart.mapTo(page, page.chart.rect().bottomLeft()).y()
    sentence_top = page.change_label.mapTo(page, page.change_label.rect().topLeft()).y()
    assert sentence_top >= chart_bottom


def test_what_is_this_opens_words_and_scales(store: Store, make_ui: object, qtbot: QtBot) -> None:
    log_days(store, [42.0])
    ui = make_ui(store)  # type: ignore[operator]
    page = ui.home
    assert page.help_link.isVisible()
    page.help_link.linkActivated.emit("help")
    qtbot.waitUntil(lambda: bool(ui.window.findChildren(WordsDialog)))
    dialog = ui.window.findChildren(WordsDialog)[0]
    text = dialog.browser.toPlainText()
    for words in ("HRV (ms)", "RMSSD", "lnRMSSD", "Your normal range", "Coherence (0-10)"):
        assert words in text
    assert "Stress, sleep and mood (1-5)" in text
    # The exact terms and their accuracy are one more click away.
    dialog.browser.anchorClicked.emit(dialog.browser.document().baseUrl().resolved("ACCURACY.md"))
    qtbot.waitUntil(lambda: bool(ui.window.findChildren(AccuracyDialog)))
    dialog.close()


def test_help_menu_has_words_and_scales(store: Store, make_ui: object, qtbot: QtBot) -> None:
    ui = make_ui(store)  # type: ignore[operator]
    assert ui.window.words_action.text() == "&Words and scales"
    ui.window.words_action.trigger()
    qtbot.waitUntil(lambda: bool(ui.window.findChildren(WordsDialog)))


def test_today_card_and_last_session_speak_in_ms(store: Store, make_ui: object) -> None:
    save_day(store, LogEntry(TODAY.isoformat(), rmssd_ms=47.0))
    start = datetime(2026, 3, 19, 8, 0, tzinfo=UTC)
    sid = store.start_session("breathing", start, rate_bpm=6.0)
    store.finish_session(sid, ended_at=start + timedelta(seconds=750), duration_s=750.0)
    page = make_ui(store).home  # type: ignore[operator]
    assert "HRV 47 ms" in page.today_label.text()
    assert "lnRMSSD" not in page.today_label.text()
    assert "Breathing session, 12 min 30 s," in page.session_label.text()


def test_hrv_in_ms_is_the_headline_on_every_screen(store: Store, qtbot: QtBot) -> None:
    """The live tile, the summary's before/after table and the log form say HRV; the exact term
    is in the tooltip or the details."""
    from PySide6.QtWidgets import QFormLayout

    from app.ui.dialogs.log_form import LogFormDialog
    from app.ui.dialogs.session_summary import SessionSummaryView
    from app.ui.widgets.live_numbers import LiveNumbersPanel

    panel = LiveNumbersPanel()
    qtbot.addWidget(panel)
    assert panel.rmssd.title.text() == "HRV (60 s)"
    assert "RMSSD" in panel.rmssd.toolTip()
    summary = SessionSummaryView()
    qtbot.addWidget(summary)
    labels = [label.text() for label in summary.findChildren(QLabel)]
    assert "HRV (ms)" in labels and "RMSSD" not in labels
    form = LogFormDialog(store, lambda: TODAY)
    qtbot.addWidget(form)
    layout = next(lay for lay in form.findChildren(QFormLayout))
    field_label = layout.labelForField(form.rmssd_edit)
    assert isinstance(field_label, QLabel) and field_label.text() == "HRV (ms)"
    assert "RMSSD" in form.rmssd_edit.toolTip()
