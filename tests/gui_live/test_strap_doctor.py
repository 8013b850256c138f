""" "Check my strap" in pytest-qt: the real doctor over bumble-emulated straps, row by row."""

from __future__ import annotations

import asyncio

from pytestqt.qtbot import QtBot

from app.ui.dialogs.strap_doctor import (
    CHECK_TITLES,
    READY_TEXT,
    STATUS_TEXT,
    StrapDoctorDialog,
    doctor_run,
)
from sensors.bumble_backend import bumble_backend
from sensors.doctor import Check, DoctorLimits, DoctorReport
from sensors.hrs import encode_measurement
from tests.gui_live.conftest import run_scenario, wait_until
from tests.sensors.emulated_strap import STRAP_ADDRESS, EmulatedStrap, local_pair

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
