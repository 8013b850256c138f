"""The demo strap is practice: never the default for a person with a strap, always labelled,
never counted; and a day with both a morning check and a log value shows which one counts."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.recovery.daily_values import daily_values
from app.session.core_metrics import CoreAnalysis
from app.session.sources import BuiltSource, SourceOptions
from app.session.summary import summarize_session
from app.store import Store
from app.store.daily import day_sources, save_day, set_day_source
from app.store.records import SIMULATED_LABEL, BeatRecord, DaySource, LogEntry, SettingKey
from app.ui.app import open_session_detail
from app.ui.dialogs.log_form import LogFormDialog
from app.ui.dialogs.readiness import ReadinessDialog
from app.ui.dialogs.report import session_choices
from app.ui.dialogs.report_content import compose_report
from app.ui.dialogs.session_summary import SessionSummaryView
from app.ui.dialogs.welcome import maybe_show_welcome
from app.ui.pages.history import HistoryPage
from app.ui.pages.home import HomePage
from app.ui.services.strap_answer import StrapAnswer, load_strap_answer
from sensors.simulated import DemoStrap
from tests.gui_home.conftest import (
    FAST_DEMO,
    TODAY,
    HomeWindowFactory,
    readiness_rr,
    store_readiness,
)
from tests.stubs import wait_until


def test_welcome_strap_answer_opens_the_check_with_the_strap_not_the_demo(
    store: Store, make_home: HomeWindowFactory, qtbot: QtBot
) -> None:
    window, page = make_home(store)
    dialog = maybe_show_welcome(window, store, page)
    assert dialog is not None
    dialog.next_button.click()
    assert not any(b.isChecked() for b in dialog.choice_buttons.values())
    assert "without a strap" in dialog.choice_buttons[StrapAnswer.DEMO].text().lower()
    dialog.choice_buttons[StrapAnswer.STRAP].setChecked(True)
    dialog.next_button.click()
    dialog.next_button.click()  # "Do the morning check now" is ticked
    assert load_strap_answer(store) is StrapAnswer.STRAP
    check = page.readiness_dialog
    assert check is not None and check.isVisible()
    assert check.strap_box.currentData() != "demo"
    check.reject()


def test_welcome_remembers_the_answer(store: Store, make_home: HomeWindowFactory) -> None:
    store.set_setting(SettingKey.STRAP_CHOICE, "strap")
    window, page = make_home(store)
    dialog = maybe_show_welcome(window, store, page)
    assert dialog is not None
    assert dialog.choice_buttons[StrapAnswer.STRAP].isChecked()
    dialog.reject()


@pytest.mark.parametrize(
    ("answer", "last_strap", "prefer_demo", "expected"),
    [
        (None, False, False, "ble"),  # not answered: still never the demo by default
        ("strap", False, False, "ble"),  # the main-branch bug: demo although "I have a strap"
        ("strap", True, False, "last"),
        ("none", False, False, "ble"),
        ("demo", False, False, "demo"),  # "let me try without a strap", remembered
        ("demo", True, False, "last"),  # a strap was used since: the strap
        ("strap", True, True, "demo"),  # asked for explicitly (`baseline --demo`)
        ("garbage", False, False, "ble"),
    ],
)
def test_readiness_dialog_preselects_the_demo_only_when_asked_for(
    store: Store,
    qtbot: QtBot,
    answer: str | None,
    last_strap: bool,
    prefer_demo: bool,
    expected: str,
) -> None:
    if answer is not None:
        store.set_setting(SettingKey.STRAP_CHOICE, answer)
    if last_strap:
        store.set_setting(SettingKey.LAST_STRAP, {"address": "AA:BB:CC:DD:EE:FF", "name": "H10"})
    dialog = ReadinessDialog(store, FAST_DEMO, prefer_demo=prefer_demo)
    qtbot.addWidget(dialog)
    assert dialog.strap_box.currentData() == expected
    assert "without a strap" in dialog.strap_box.itemText(dialog.strap_box.findData("demo"))


def _real_strap_factory(
    kind: str, _address: str | None, rate: Callable[[float], float], options: SourceOptions
) -> BuiltSource | None:
    """A strap that is not the demo (it happens to be fed by the demo model at full speed)."""
    strap = DemoStrap(rate, seed=3, clock=options.clock, speed=math.inf)
    return BuiltSource(strap, strap.now_s, "H10", "AA:BB:CC:DD:EE:FF", simulated=kind == "demo")


def test_a_real_check_counts_and_is_remembered_a_demo_check_does_not(
    store: Store, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    page = HomePage(store, FAST_DEMO, today=date.today)
    qtbot.addWidget(page)
    page.show()
    results: dict[str, int] = {}
    for kind in ("demo", "ble"):
        dialog = ReadinessDialog(store, FAST_DEMO, source_factory=_real_strap_factory)
        qtbot.addWidget(dialog)
        dialog.configure(strap=kind, minutes=1)
        assert dialog.strap_box.currentData() == kind
        saved: list[int] = []
        dialog.check_saved.connect(saved.append)

        async def scenario(d: ReadinessDialog = dialog) -> None:
            d.start_button.click()
            await wait_until(lambda: d.state == "result")

        qloop.run_until_complete(scenario())
        assert dialog.outcome is not None, dialog.refusal
        results[kind] = saved[0]
        page.refresh()
        overview = page.overview
        assert overview is not None
        if kind == "demo":
            assert SIMULATED_LABEL in dialog.result_heading.text()
            assert overview.today_rmssd_ms is None
            assert load_strap_answer(store) is None  # trying the demo answers nothing
        else:
            assert dialog.result_heading.text() == "Your morning value"
            assert overview.today_rmssd_ms == pytest.approx(dialog.outcome.rmssd_ms)
            assert "from morning check" in page.today_label.text()
            assert load_strap_answer(store) is StrapAnswer.STRAP
    demo, real = store.session(results["demo"]), store.session(results["ble"])
    assert demo is not None and demo.simulated
    assert real is not None and not real.simulated


def _beats(store: Store, sid: int, n: int = 400) -> None:
    rr = readiness_rr(np.random.default_rng(5), 900.0, 45.0, n)
    t = np.cumsum(rr)
    store.add_beats(sid, [BeatRecord(float(a), float(b)) for a, b in zip(t, rr, strict=True)])


def test_history_summary_detail_and_report_show_demo_as_practice(
    store: Store, qtbot: QtBot
) -> None:
    demo = store.start_session("breathing", sensor_name="Demo strap", sensor_address="demo")
    _beats(store, demo)
    store.finish_session(demo, duration_s=360.0)
    real = store.start_session("breathing", sensor_name="H10", sensor_address="AA:BB")
    _beats(store, real)
    store.finish_session(real, duration_s=360.0)

    history = HistoryPage(store)
    qtbot.addWidget(history)
    history.refresh()
    kinds = {sid: history.row_texts(row)[1] for row, sid in enumerate(history.session_ids())}
    assert kinds[demo] == f"Breathing session ({SIMULATED_LABEL})"
    assert kinds[real] == "Breathing session"

    view = SessionSummaryView()
    qtbot.addWidget(view)
    for sid, practice in ((demo, True), (real, False)):
        record = store.session(sid)
        assert record is not None
        summary = summarize_session(record, store.beats(sid), [], CoreAnalysis())
        view.show_summary(summary)
        assert (SIMULATED_LABEL in view.title.text()) is practice

    dialog = open_session_detail(None, store, demo, CoreAnalysis())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=10_000)
    assert SIMULATED_LABEL in dialog.view.header.text()

    assert [c[0] for c in session_choices(store)] == [real]
    with pytest.raises(ValueError, match="demo strap"):
        compose_report(store, first_day=TODAY, last_day=TODAY, session_id=demo)


def test_home_shows_which_value_counts_today_and_switches_it(
    store: Store, make_home: HomeWindowFactory
) -> None:
    sid = store_readiness(store, TODAY, readiness_rr(np.random.default_rng(1), 950.0, 38.0, 160))
    assert sid > 0
    save_day(store, LogEntry(TODAY.isoformat(), rmssd_ms=61.0))
    _window, page = make_home(store)
    page.refresh()
    overview = page.overview
    assert overview is not None and overview.today_rmssd_from is DaySource.MORNING_CHECK
    check = overview.daily.check_rmssd_ms[TODAY]
    text = page.today_label.text()
    assert "from morning check" in text and "the check counts" in text
    assert f"({check:.0f} ms)" in text and "(61 ms)" in text
    assert page.source_button.isVisible()
    assert page.source_button.text() == "Count my log value instead"

    page.source_button.click()
    overview = page.overview
    assert overview is not None
    assert overview.today_rmssd_ms == 61.0 and overview.today_rmssd_from is DaySource.MANUAL
    assert day_sources(store) == {TODAY.isoformat(): DaySource.MANUAL}
    assert "your log value counts" in page.today_label.text()
    assert page.source_button.text() == "Count the morning check instead"

    page.source_button.click()
    assert page.overview is not None and page.overview.today_rmssd_ms == pytest.approx(check)
    save_day(store, LogEntry(TODAY.isoformat(), sleep=3))  # no manual RMSSD: nothing to choose
    page.refresh()
    assert not page.source_button.isVisible()


def test_log_form_offers_to_count_the_manual_value_on_a_measured_day(
    store: Store, qtbot: QtBot
) -> None:
    measured_day = TODAY - timedelta(days=2)
    store_readiness(store, measured_day, readiness_rr(np.random.default_rng(2), 950.0, 38.0, 160))
    form = LogFormDialog(store, lambda: TODAY, day=measured_day)
    qtbot.addWidget(form)
    assert not form.count_manual_box.isHidden()
    assert "morning check" in form.count_manual_box.text()
    assert not form.count_manual_box.isChecked()
    form.rmssd_edit.setText("61")
    form.count_manual_box.setChecked(True)
    assert form.save()
    assert day_sources(store) == {measured_day.isoformat(): DaySource.MANUAL}
    values = daily_values(store)
    assert values.rmssd_ms[measured_day] == 61.0
    assert values.rmssd_from[measured_day] is DaySource.MANUAL

    again = LogFormDialog(store, lambda: TODAY, day=measured_day)
    qtbot.addWidget(again)
    assert again.count_manual_box.isChecked()
    again.count_manual_box.setChecked(False)
    assert again.save()
    assert day_sources(store) == {}
    assert daily_values(store).rmssd_from[measured_day] is DaySource.MORNING_CHECK

    other = LogFormDialog(store, lambda: TODAY, day=TODAY - timedelta(days=5))
    qtbot.addWidget(other)
    assert other.count_manual_box.isHidden()  # nothing measured that day: nothing to choose


def test_history_says_which_value_counts_on_a_day_with_both(qtbot: QtBot, store: Store) -> None:
    sid = store_readiness(store, TODAY, readiness_rr(np.random.default_rng(2), 950.0, 38.0, 160))
    page = HistoryPage(store)
    qtbot.addWidget(page)
    page.refresh()
    assert page.row_texts(0)[1] == "Morning check"  # no log value that day: nothing to choose
    save_day(store, LogEntry(TODAY.isoformat(), rmssd_ms=61.0))
    page.refresh()
    assert page.session_ids() == [sid]
    assert page.row_texts(0)[1] == "Morning check (counts for this day, over your log value)"
    set_day_source(store, TODAY.isoformat(), DaySource.MANUAL)
    page.refresh()
    assert page.row_texts(0)[1] == "Morning check (not counted: your log value counts for this day)"
