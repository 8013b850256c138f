"""Controls that cannot act are disabled with the reason beside them: Start never silently
does nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.session.core_metrics import CoreAnalysis
from app.session.sources import SourceOptions
from app.store import Store
from app.store.settings import AppSettings, save_settings
from app.ui.app import build_app
from app.ui.pages.live_session import LiveSessionPage
from app.ui.services.settings_model import SettingsModel
from app.ui.widgets.reasoned_button import ReasonedButton
from sensors.found import FoundStrap
from tests.stubs import (
    FakeClock,
    InstantTaskRunner,
    RecordingCuePlayer,
    ScriptedScan,
    hosted,
    run_scenario,
    wait_until,
)


def test_a_reasoned_button_shows_its_reason_only_while_disabled(qtbot: QtBot) -> None:
    guard = ReasonedButton("Start", "Start now")
    host = hosted(guard, (500, 80))
    qtbot.addWidget(host)
    host.show()
    guard.set_reason("Choose a strap first.")
    assert not guard.button.isEnabled()
    assert guard.reason_label.isVisible() and guard.reason_label.text() == "Choose a strap first."
    assert guard.button.toolTip() == "Choose a strap first."
    guard.set_reason(None)
    assert guard.button.isEnabled()
    assert not guard.reason_label.isVisible()
    assert guard.button.toolTip() == "Start now"


HOSTS: list[QWidget] = []  # the windows must outlive the helper that builds them


@pytest.fixture(autouse=True)
def _release_hosts() -> Iterator[None]:
    yield
    for host in HOSTS:
        host.close()
        host.deleteLater()
    HOSTS.clear()


def _page(qtbot: QtBot, store: Store, scan: ScriptedScan) -> LiveSessionPage:
    settings = AppSettings(session_minutes=5, sound_on=False)
    save_settings(store, settings)
    page = LiveSessionPage(
        store,
        SettingsModel(store, settings),
        CoreAnalysis(),
        SourceOptions(demo_speed=1.0, demo_seed=1),
        scan=scan,
        initial_source="none",
        tasks=InstantTaskRunner(),
    )
    host = hosted(page, (1000, 700))
    qtbot.addWidget(host)
    host.show()
    HOSTS.append(host)
    return page


def test_start_without_a_chosen_strap_is_disabled_with_the_reason_beside_it(
    qtbot: QtBot, store: Store, qloop: asyncio.AbstractEventLoop
) -> None:
    scan = ScriptedScan()
    page = _page(qtbot, store, scan)
    guard = page.start_guard
    assert page.start_button.isEnabled()  # no strap: the pacer alone can start
    assert not guard.reason_label.isVisible()

    async def scenario() -> None:
        page.picker.scan_button.setChecked(True)  # "a strap nearby": scanning starts
        assert not page.start_button.isEnabled()
        assert guard.reason_label.isVisible()
        assert "Looking for straps nearby" in guard.reason_label.text()
        scan.release.set()  # the scan ends with nothing found
        await wait_until(lambda: "No strap chosen yet" in guard.reason_label.text())
        assert not page.start_button.isEnabled()
        assert page.start_button.toolTip() == guard.reason_label.text()
        # Space (start or pause) on the disabled choice does not start anything either.
        page.start_or_toggle()
        assert page.session is None and page.stack.currentWidget() is page.setup_view
        # A strap turns up in the list: Start can act, the reason goes.
        page.picker.set_found([FoundStrap("Polar H10 1234", "AA:BB", -60)])
        assert page.start_button.isEnabled()
        assert not guard.reason_label.isVisible()
        page.picker.scan_list.setCurrentRow(-1)  # the selection cleared
        assert not page.start_button.isEnabled()
        assert guard.reason_label.text() == "Choose your strap in the list first."
        page.picker.demo_button.setChecked(True)
        assert page.start_button.isEnabled() and not guard.reason_label.isVisible()

    run_scenario(qloop, scenario())


def test_the_reason_wraps_and_does_not_widen_the_page(
    qtbot: QtBot, store: Store, qloop: asyncio.AbstractEventLoop
) -> None:
    scan = ScriptedScan()
    page = _page(qtbot, store, scan)
    before = page.minimumSizeHint().width()

    async def scenario() -> None:
        page.picker.scan_button.setChecked(True)
        scan.release.set()
        await wait_until(
            lambda: not page.start_button.isEnabled() and page.picker._scan_task is None
        )

    run_scenario(qloop, scenario())
    assert page.start_guard.reason_label.wordWrap()
    assert page.minimumSizeHint().width() <= before


def test_breathe_controls_say_why_they_cannot_act(qtbot: QtBot, store: Store) -> None:
    clock = FakeClock()
    ui = build_app(store, clock=clock, cue_player=RecordingCuePlayer(), pages=frozenset())
    qtbot.addWidget(ui.window)
    ui.window.show()
    page = ui.breathe
    idle = "No session is running: press Start first."
    assert not page.pause_button.isEnabled() and page.pause_button.toolTip() == idle
    assert not page.stop_button.isEnabled() and page.stop_button.toolTip() == idle
    assert page.start_button.isEnabled()
    page.start_button.click()
    assert not page.start_button.isEnabled()
    assert page.start_button.toolTip() == "A session is running: pause or stop it first."
    assert page.pause_button.isEnabled() and page.stop_button.isEnabled()
    assert not page.editor.isEnabled()
    assert "once this session ends" in page.editor.toolTip()
    clock.advance(40.0)  # long enough to be kept
    page.stop(reflect=False)
    assert page.start_button.isEnabled() and page.start_button.toolTip().startswith("Start")
    assert page.pause_button.toolTip() == idle
