"""The source picker: the last strap when there is one, never the demo strap by surprise."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.ui.widgets.source_picker import SourceChoice, SourcePicker
from sensors.found import FoundStrap


def test_last_strap_is_offered_and_preferred(qtbot: QtBot) -> None:
    picker = SourcePicker(FoundStrap("Polar H10 1234", "AA:BB"), None, initial="last")
    qtbot.addWidget(picker)
    assert picker.choice() == SourceChoice("last", "Polar H10 1234", "AA:BB")
    assert "Polar H10 1234" in picker.last_button.text()
    assert not picker.scan_button.isEnabled()  # no scan function: no Bluetooth here


def test_without_a_remembered_strap_the_pacer_alone_is_chosen(qtbot: QtBot) -> None:
    picker = SourcePicker(None, None, initial="last")
    qtbot.addWidget(picker)
    assert picker.choice().kind == "none"
    assert not picker.last_button.isEnabled()


def test_scan_list_choice(qtbot: QtBot) -> None:
    picker = SourcePicker(None, None, initial="none")
    qtbot.addWidget(picker)
    picker.scan_button.setEnabled(True)
    picker.scan_button.setChecked(True)
    assert picker.choice() == SourceChoice("ble") and not picker.is_complete()
    picker.set_found([FoundStrap("Strap A", "11:22", -60), FoundStrap("Strap B", "33:44", -70)])
    assert picker.choice() == SourceChoice("ble", "Strap A", "11:22") and picker.is_complete()
    picker.scan_list.setCurrentRow(1)
    assert picker.choice().address == "33:44"
    assert "-70 dBm" in picker.scan_list.item(1).text()
