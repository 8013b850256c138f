""" "Check my strap" in pytest-qt: the real doctor over bumble-emulated straps, row by row."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.session.controller import ConnectionState, ConnectionStatus
from app.session.core_metrics import CoreAnalysis
from app.session.sources import SourceOptions
from app.store import Store, open_store
from app.store.settings import AppSettings, load_settings, save_settings
from app.ui.app import connect_strap_doctor
from app.ui.dialogs.strap_doctor import (
    CHECK_TITLES,
    READY_TEXT,
    STATUS_TEXT,
    StrapDoctorDialog,
    doctor_run,
)
from app.ui.pages.live_session import (
    STRAP_CHECK_AFTER_DROPS,
    LiveSessionPage,
    offers_strap_check,
)
from app.ui.pages.settings import SettingsPage
from app.ui.services.settings_model import SettingsModel
from app.ui.services.sound import CuePlayer
from sensors.ble import BleBackend, scan
from sensors.bumble_backend import bumble_backend
from sensors.doctor import Check, DoctorLimits, DoctorReport
from sensors.found import FoundStrap
from sensors.hrs import encode_measurement
from tests.stubs import STRAP_ADDRESS, EmulatedStrap, hosted, local_pair, run_scenario, wait_until

BLE_FAST = {
    "scan_window_s": 1.0,
    "backoff_initial_s": 0.05,
    "backoff_max_s": 0.2,
    "choose_window_s": 0.05,
    "connect_timeout_s": 3.0,
    "find_timeout_s": 10.0,
}
LIMITS = DoctorLimits(scan_s=2.0, listen_s=1.0, connect_timeout_s=3.0, choose_s=0.05)


def statuses(dialog: StrapDoctorDialog) -> list[str]:
    return [dialog.status_labels[c].text() for c in Check]


def test_panel_shows_each_finding_then_a_good_and_a_heart_rate_only_strap(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        _link, make_device = local_pair()
        central = make_device("central", "F0:F0:F0:F0:F0:F0")
        await central.power_on()
        strap = EmulatedStrap(make_device("strap", STRAP_ADDRESS), name="Panel HRM")
        await strap.start()
        dialog = StrapDoctorDialog(doctor_run(bumble_backend(central), limits=LIMITS))
        qtbot.addWidget(dialog)
        reports: list[DoctorReport] = []
        dialog.report_ready.connect(reports.append)
        dialog.show()
        try:
            good = [encode_measurement(64, contact=True, rr_units=(960,))] * 4
            dialog.start()
            assert dialog.is_running() and not dialog.again_button.isEnabled()
            await strap.wait_subscribed(10.0)
            # found and connecting: the first rows are filled in while it listens
            assert dialog.status_labels[Check.ADAPTER].text() == STATUS_TEXT[True]
            assert "Panel HRM" in dialog.detail_labels[Check.STRAP_FOUND].text()
            for payload in good:
                await strap.notify(payload)
            await wait_until(lambda: len(reports) == 1, 20, "the first report")
            assert statuses(dialog) == [STATUS_TEXT[True]] * len(Check)
            assert dialog.summary.text() == READY_TEXT
            assert "battery 77 %" in dialog.detail_labels[Check.BATTERY].text()
            assert dialog.again_button.isEnabled() and not dialog.is_running()

            # the same strap now sends heart rate only: "Check again" says so
            dialog.again_button.click()
            await strap.wait_subscribed(10.0)
            for _ in range(4):
                await strap.notify(encode_measurement(64, contact=True))
            await wait_until(lambda: len(reports) == 2, 20, "the second report")
            assert dialog.status_labels[Check.BEAT_INTERVALS].text() == STATUS_TEXT[False]
            assert dialog.status_labels[Check.HEART_RATE].text() == STATUS_TEXT[True]
            summary = dialog.summary.text()
            assert summary.startswith(CHECK_TITLES[Check.BEAT_INTERVALS])
            assert "no beat intervals" in summary
        finally:
            dialog.stop()  # (closing the last window here would quit the application's loop)
            await strap.close()

    run_scenario(qloop, scenario())


def test_panel_without_a_strap_and_closing_while_checking(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    async def scenario() -> None:
        _link, make_device = local_pair()
        central = make_device("central", "F0:F0:F0:F0:F0:F0")
        await central.power_on()
        run = doctor_run(bumble_backend(central), limits=LIMITS)
        dialog = StrapDoctorDialog(run)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.start()
        await wait_until(lambda: dialog.report is not None, 20, "the report")
        assert dialog.status_labels[Check.STRAP_FOUND].text() == STATUS_TEXT[False]
        assert dialog.status_labels[Check.BATTERY].text() == STATUS_TEXT[None]
        assert "no heart-rate strap" in dialog.summary.text()

        closing = StrapDoctorDialog(run)
        qtbot.addWidget(closing)
        closing.show()
        closing.start()
        await asyncio.sleep(0)
        closing.reject()  # cancels the run: nothing keeps scanning behind a closed window
        await wait_until(lambda: not closing.is_running(), 10, "the run to stop")
        assert central.is_scanning is False or await _stops_scanning(central)

    run_scenario(qloop, scenario())


async def _stops_scanning(central: object) -> bool:
    await wait_until(lambda: not getattr(central, "is_scanning"), 5, "scanning to stop")  # noqa: B009
    return True


# -- where the panel opens from: Settings, the source picker, the session banner -------------
def test_offers_strap_check_when_unreachable_or_dropping() -> None:
    assert offers_strap_check(ConnectionState(status=ConnectionStatus.FAILED), 0)
    assert not offers_strap_check(ConnectionState(status=ConnectionStatus.CONNECTED), 5)
    assert not offers_strap_check(
        ConnectionState(status=ConnectionStatus.RECONNECTING, attempt=1), 1
    )
    assert offers_strap_check(ConnectionState(status=ConnectionStatus.RECONNECTING, attempt=1), 3)
    assert offers_strap_check(ConnectionState(status=ConnectionStatus.RECONNECTING, attempt=3), 0)


async def _scan(backend: BleBackend) -> list[FoundStrap]:
    return [FoundStrap(s.name or s.address, s.address, s.rssi) for s in await scan(0.5, backend)]


async def _stop(page: LiveSessionPage) -> None:
    """Stop the session and let its Bluetooth source finish (disconnect included)."""
    page.stop(reflect=False)
    task = page.source_task
    if task is not None:
        await asyncio.wait({task}, timeout=10.0)
        assert task.done()
    page.shutdown()


def _page(store: Store, backend: BleBackend, **kwargs: float) -> LiveSessionPage:
    settings = AppSettings(session_minutes=0, sound_on=False)
    save_settings(store, settings)
    fast = {**BLE_FAST, **kwargs}
    return LiveSessionPage(
        store,
        SettingsModel(store, settings),
        CoreAnalysis(),
        SourceOptions(ble_backend=backend, ble_kwargs=tuple(fast.items())),
        scan=lambda: _scan(backend),
        initial_source="none",
    )


def test_banner_offers_the_check_when_the_strap_cannot_be_reached(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, db_path: Path
) -> None:
    store = open_store(db_path)

    async def scenario() -> None:
        _link, make_device = local_pair()
        central = make_device("central", "F0:F0:F0:F0:F0:F0")
        await central.power_on()
        page = _page(store, bumble_backend(central), find_timeout_s=1.0)
        host = hosted(page)
        qtbot.addWidget(host)
        host.show()
        asked: list[bool] = []
        page.check_strap_requested.connect(lambda: asked.append(True))
        page.picker.scan_button.setChecked(True)
        page.picker.set_found([FoundStrap("Gone HRM", "AA:BB:CC:DD:EE:01", -60)])
        page.start()
        await wait_until(lambda: page.banner_check_button.isVisible(), 15, "the check offer")
        assert page.banner_label.text().startswith("No heart-rate strap was found.")
        page.banner_check_button.click()
        assert asked == [True]
        await _stop(page)

    try:
        run_scenario(qloop, scenario())
    finally:
        store.close()


def test_banner_offers_the_check_after_repeated_drops(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, db_path: Path
) -> None:
    store = open_store(db_path)

    async def scenario() -> None:
        _link, make_device = local_pair()
        central = make_device("central", "F0:F0:F0:F0:F0:F0")
        await central.power_on()
        strap = EmulatedStrap(make_device("strap", STRAP_ADDRESS))
        await strap.start()
        page = _page(store, bumble_backend(central))
        host = hosted(page)
        qtbot.addWidget(host)
        host.show()
        page.picker.scan_button.setChecked(True)
        page.picker.set_found([FoundStrap(strap.name, STRAP_ADDRESS, -50)])
        page.start()
        session = page.session
        assert session is not None
        try:
            for drop in range(1, STRAP_CHECK_AFTER_DROPS + 1):
                await strap.wait_subscribed(15)
                # connected, as the page shows it (links drop minutes apart in real life)
                await wait_until(lambda: page.connection_label.text().startswith("\u25cf"), 10)
                await strap.drop_link()
                await wait_until(lambda: page.banner.isVisible(), 10, "the reconnecting banner")
                offered = page.banner_check_button.isVisible()
                assert offered is (drop >= STRAP_CHECK_AFTER_DROPS), drop
            await strap.wait_subscribed(15)
            await wait_until(lambda: not page.banner.isVisible(), 10, "the banner to go")
            assert session.running
        finally:
            await _stop(page)
            await strap.close()

    try:
        run_scenario(qloop, scenario())
    finally:
        store.close()


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform has no raise()
def test_settings_and_picker_buttons_open_one_panel(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, db_path: Path, tmp_path: Path
) -> None:
    store = open_store(db_path)

    async def scenario() -> None:
        _link, make_device = local_pair()
        central = make_device("central", "F0:F0:F0:F0:F0:F0")
        await central.power_on()
        backend = bumble_backend(central)
        model = SettingsModel(store, load_settings(store))
        window = QWidget()
        qtbot.addWidget(window)
        settings = SettingsPage(model, CuePlayer(), parent=window)
        page = _page(store, backend)
        assert not settings.check_strap_button.isEnabled()
        launcher = connect_strap_doctor(window, settings, [page.picker], [page], backend, LIMITS)
        assert settings.check_strap_button.isEnabled()
        assert not page.picker.check_strap_button.isHidden()
        window.show()
        settings.check_strap_button.click()
        dialog = launcher.dialog
        assert dialog is not None and dialog.isVisible() and dialog.is_running()
        page.picker.check_strap_button.click()
        assert launcher.dialog is dialog  # one panel at a time
        await wait_until(lambda: dialog.report is not None, 20, "the report")
        assert dialog.status_labels[Check.STRAP_FOUND].text() == STATUS_TEXT[False]
        dialog.reject()
        await wait_until(lambda: launcher.dialog is None, 5, "the panel to close")
        page.check_strap_requested.emit()
        again = launcher.dialog
        assert again is not None and again is not dialog and again.is_running()
        again.reject()  # closing while checking stops the run
        await wait_until(lambda: launcher.dialog is None, 5, "the second panel to close")
        window.close()

    try:
        run_scenario(qloop, scenario())
    finally:
        store.close()
