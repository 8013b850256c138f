"""No Bluetooth: plain words and what to do, the technical detail behind "Details", and the
message wraps instead of widening the window. The Bluetooth stack is the faked edge: a scanner
backend that fails as it does on a machine without BlueZ; everything above it is real."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from bleak.backends.scanner import BaseBleakScanner
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.session.controller import ConnectionState, ConnectionStatus
from app.session.core_metrics import CoreAnalysis
from app.session.sources import SourceOptions
from app.store import Store
from app.store.settings import AppSettings, save_last_strap, save_settings
from app.ui.app import strap_scanner
from app.ui.pages.live_session import LiveSessionPage, banner_details, banner_text
from app.ui.services.settings_model import SettingsModel
from app.ui.widgets.source_picker import SourcePicker
from sensors.ble import MSG_NO_SERVICE, MSG_POWERED_OFF, BleBackend
from sensors.source import ConnectionEvent, EventKind
from tests.gui_screens.helpers import make_dialog
from tests.stubs import (
    FakeClock,
    InstantTaskRunner,
    ScriptedSource,
    hosted,
    run_scenario,
    wait_until,
)

TECHNICAL = ("BlueZ", "D-Bus", "--ble-transport")
HOSTS: list[QWidget] = []


@pytest.fixture(autouse=True)
def _release_hosts() -> Iterator[None]:
    yield
    for host in HOSTS:
        host.close()
        host.deleteLater()
    HOSTS.clear()


class NoBlueZScanner(BaseBleakScanner):
    """Starts as a scanner does on Linux when the system bus has no Bluetooth service."""

    def __init__(self, detection_callback: Any, service_uuids: Any, *args: Any, **kw: Any) -> None:
        super().__init__(detection_callback, service_uuids)

    async def start(self) -> None:
        raise FileNotFoundError(2, "No such file or directory")

    async def stop(self) -> None:
        return None


NO_BLUEZ = BleBackend(scanner=NoBlueZScanner, label="a machine without BlueZ")


def _plain(text: str) -> bool:
    return not any(word.lower() in text.lower() for word in TECHNICAL)


def test_scanning_without_bluetooth_says_what_to_do_and_keeps_the_width(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    picker = SourcePicker(None, strap_scanner(NO_BLUEZ, seconds=0.1), initial="none")
    host = hosted(picker, (560, 420))
    qtbot.addWidget(host)
    HOSTS.append(host)
    host.show()
    width_before = host.width()
    hint_before = picker.minimumSizeHint().width()

    async def scenario() -> None:
        picker.scan_button.setChecked(True)
        await wait_until(lambda: picker.trouble is not None)

    run_scenario(qloop, scenario())
    QApplication.processEvents()
    text = picker.trouble_label.text()
    assert picker.trouble_box.isVisible()
    assert text.startswith("Bluetooth is not available on this computer right now.")
    assert "system settings" in text
    assert _plain(text), text
    assert picker.scan_status.text() == "Bluetooth problem"
    # The technical words are one click away, not on the face of it.
    details = picker.trouble_details
    assert details.isVisible() and not details.text_label.isVisible()
    assert all(word in details.text() for word in ("BlueZ", "D-Bus", "--ble-transport"))
    details.button.click()
    assert details.text_label.isVisible()
    QApplication.processEvents()
    # Wrapped: neither the window nor what the picker asks for grew wider.
    assert host.width() == width_before
    assert picker.minimumSizeHint().width() <= hint_before
    assert picker.trouble_label.width() <= host.width()
    assert "Bluetooth cannot be used right now" in (picker.missing_reason() or "")


def test_the_live_page_shows_the_failure_in_plain_words_with_details(
    qtbot: QtBot, store: Store, qloop: asyncio.AbstractEventLoop
) -> None:
    settings = AppSettings(session_minutes=5, sound_on=False)
    save_settings(store, settings)
    save_last_strap(store, "Polar H10", "AA:BB:CC:DD:EE:FF")  # the strap used last time
    page = LiveSessionPage(
        store,
        SettingsModel(store, settings),
        CoreAnalysis(),
        SourceOptions(ble_backend=NO_BLUEZ),
        initial_source="last",
        tasks=InstantTaskRunner(),
    )
    host = hosted(page, (1000, 700))
    qtbot.addWidget(host)
    HOSTS.append(host)
    host.show()
    assert page.picker.choice().kind == "last"

    async def scenario() -> None:
        page.start_button.click()
        await wait_until(lambda: page.banner.isVisible(), 20.0)
        assert page.banner_check_button.isVisible()
        assert not page.banner_details.text_label.isVisible()
        page.banner_details.button.click()
        assert page.banner_details.text_label.isVisible()
        page.stop(reflect=False)

    run_scenario(qloop, scenario())
    text = page.banner_label.text()
    assert text.startswith("Bluetooth is not available on this computer right now.")
    assert text.endswith("The pacer keeps going.")
    assert _plain(text), text
    assert "BlueZ" in page.banner_details.text()


def test_banner_words_for_a_failed_state() -> None:
    failed = ConnectionState(status=ConnectionStatus.FAILED, message=MSG_NO_SERVICE)
    text = banner_text(failed)
    assert text is not None and _plain(text)
    assert "BlueZ" in banner_details(failed)
    plain = ConnectionState(status=ConnectionStatus.FAILED, message="The strap sent nothing")
    assert banner_text(plain) == "The strap sent nothing The pacer keeps going."
    assert banner_details(plain) == ""
    assert banner_details(ConnectionState(status=ConnectionStatus.CONNECTED)) == ""


def test_the_morning_check_says_bluetooth_trouble_in_plain_words(
    store: Store, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    clock = FakeClock(1000.0)
    strap = ScriptedSource()
    dialog = make_dialog(qtbot, store, strap, clock)

    async def scenario() -> None:
        dialog.start_button.click()
        strap.put(ConnectionEvent(EventKind.FAILED, clock.advance(1.0), message=MSG_POWERED_OFF))
        await wait_until(lambda: dialog.state == "result")

    run_scenario(qloop, scenario())
    assert dialog.result_heading.text() == "No value this time"
    text = dialog.result_label.text()
    assert text.startswith("Bluetooth is turned off. Turn it on")
    assert _plain(text), text
    assert f"Reported: {MSG_POWERED_OFF}" in dialog.details.text()
