"""The messages users see when Bluetooth cannot be used, and the source contract helpers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDBusError,
    BleakError,
)

from sensors.ble import (
    MSG_NO_ADAPTER,
    MSG_NO_SERVICE,
    MSG_PERMISSION,
    MSG_POWERED_OFF,
    BleStrapSource,
    BluetoothUnavailableError,
    describe_bluetooth_error,
    scan,
)
from sensors.hrs import HeartRateMeasurement
from sensors.source import ConnectionEvent, EventKind, PacketWatcher

R = BleakBluetoothNotAvailableReason


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (BleakBluetoothNotAvailableError("no radio", R.NO_BLUETOOTH), MSG_NO_ADAPTER),
        (BleakBluetoothNotAvailableError("off", R.POWERED_OFF), MSG_POWERED_OFF),
        (BleakBluetoothNotAvailableError("denied", R.DENIED_BY_USER), MSG_PERMISSION),
        (BleakBluetoothNotAvailableError("policy", R.DENIED_BY_SYSTEM), MSG_PERMISSION),
        (FileNotFoundError("no system bus"), MSG_NO_SERVICE),
        (ConnectionRefusedError("bus refused"), MSG_NO_SERVICE),
        (BleakDBusError("org.bluez.Error.NotReady", []), MSG_POWERED_OFF),
        (BleakDBusError("org.bluez.Error.NotAuthorized", []), MSG_PERMISSION),
        (BleakError("No Bluetooth adapters found."), MSG_NO_ADAPTER),
    ],
)
def test_specific_messages(exc: BaseException, message: str) -> None:
    assert describe_bluetooth_error(exc) == message


def test_other_errors_are_not_dressed_up() -> None:
    assert describe_bluetooth_error(BleakError("GATT read failed")) is None
    assert describe_bluetooth_error(ValueError("x")) is None


def test_messages_say_what_to_do() -> None:
    assert "turn it on" in MSG_POWERED_OFF
    assert "macOS" in MSG_PERMISSION and "Privacy" in MSG_PERMISSION


def test_packet_watcher_events() -> None:
    watcher = PacketWatcher(rr_missing_packets=3)
    no_contact = HeartRateMeasurement(0, False)
    with_rr = HeartRateMeasurement(70, True, None, (850.0,))
    without_rr = HeartRateMeasurement(70, True)
    kinds = [
        [e.kind for e in watcher.events(m, float(i))]
        for i, m in enumerate(
            [no_contact, no_contact, with_rr, without_rr, without_rr, without_rr, without_rr]
        )
    ]
    assert kinds == [
        [EventKind.CONTACT_LOST],
        [],
        [EventKind.CONTACT_REGAINED],
        [],
        [],
        [EventKind.RR_UNAVAILABLE],
        [],
    ]
    # RR coming back re-arms the notice
    watcher.events(with_rr, 8.0)
    for i in range(3):
        events = watcher.events(without_rr, 9.0 + i)
    assert [e.kind for e in events] == [EventKind.RR_UNAVAILABLE]


@pytest.mark.skipif(sys.platform != "linux", reason="the BlueZ backend is Linux only")
@pytest.mark.asyncio
async def test_real_bluez_backend_without_a_system_bus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    with pytest.raises(BluetoothUnavailableError) as caught:
        await scan(0.2)
    assert str(caught.value) == MSG_NO_SERVICE
    items = [item async for item in BleStrapSource(find_timeout_s=1.0)]
    assert [(i.kind, i.message) for i in items if isinstance(i, ConnectionEvent)] == [
        (EventKind.SCANNING, None),
        (EventKind.FAILED, MSG_NO_SERVICE),
    ]
