"""What the doctor says for errors bleak raises on Linux, macOS and Windows.

The texts are those bleak's backends raise (bleak 3.x sources) and those users reported in
bleak's issue tracker (e.g. "Could not get GATT services: Unreachable" on Windows, CoreBluetooth
"CBErrorDomain Code=6/14" on macOS, BlueZ "le-connection-abort-by-local")."""

from __future__ import annotations

import pytest
from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDBusError,
    BleakError,
)

from sensors.doctor import (
    HostOS,
    explain_adapter_problem,
    explain_connect_problem,
    explain_error,
)

Reason = BleakBluetoothNotAvailableReason


@pytest.mark.parametrize(
    ("platform", "expected"),
    [("linux", HostOS.LINUX), ("darwin", HostOS.MACOS), ("win32", HostOS.WINDOWS),
     ("freebsd14", HostOS.OTHER)],
)  # fmt: skip
def test_host_os(platform: str, expected: HostOS) -> None:
    assert HostOS.current(platform) is expected


@pytest.mark.parametrize(
    ("exc", "host_os", "fragments"),
    [
        # macOS (CoreBluetooth central manager states)
        (
            BleakBluetoothNotAvailableError(
                "Bluetooth access is denied by the user for the current application. Check "
                "macOS privacy settings.",
                Reason.DENIED_BY_USER,
            ),
            HostOS.MACOS,
            ("not permitted", "Privacy & Security > Bluetooth", "terminal"),
        ),
        (
            BleakBluetoothNotAvailableError("Bluetooth device is turned off", Reason.POWERED_OFF),
            HostOS.MACOS,
            ("Bluetooth is off", "System Settings > Bluetooth"),
        ),
        (BleakError("Bluetooth device is unauthorized"), HostOS.MACOS, ("not permitted",)),
        (
            BleakBluetoothNotAvailableError("Bluetooth is unsupported", Reason.NO_BLUETOOTH),
            HostOS.MACOS,
            ("no Bluetooth hardware",),
        ),
        # Windows (WinRT)
        (
            BleakBluetoothNotAvailableError("No Bluetooth adapter found", Reason.NO_BLUETOOTH),
            HostOS.WINDOWS,
            ("no Bluetooth adapter", "Device Manager"),
        ),
        (
            OSError("[WinError -2147020577] The device is not ready for use"),
            HostOS.WINDOWS,
            ("Bluetooth is off", "Settings > Bluetooth & devices", "airplane mode"),
        ),
        (
            BleakBluetoothNotAvailableError("Bluetooth access is denied", Reason.DENIED_BY_SYSTEM),
            HostOS.WINDOWS,
            ("not permitted", "Radios"),
        ),
        # Linux (BlueZ over D-Bus)
        (
            BleakBluetoothNotAvailableError(
                "No powered Bluetooth adapters found. Turn on Bluetooth and try again.",
                Reason.POWERED_OFF,
            ),
            HostOS.LINUX,
            ("Bluetooth is off", "rfkill unblock bluetooth", "bluetoothctl power on"),
        ),
        (
            BleakBluetoothNotAvailableError("No Bluetooth adapters found.", Reason.NO_BLUETOOTH),
            HostOS.LINUX,
            ("no Bluetooth adapter", "bluetoothctl list"),
        ),
        (
            BleakDBusError("org.freedesktop.DBus.Error.AccessDenied", ["Rejected send message"]),
            HostOS.LINUX,
            ("not permitted", "D-Bus", "Flatpak"),
        ),
        (
            BleakDBusError("org.bluez.Error.NotReady", ["Resource Not Ready"]),
            HostOS.LINUX,
            ("Bluetooth is off",),
        ),
        (
            BleakDBusError(
                "org.freedesktop.DBus.Error.ServiceUnknown",
                ["The name org.bluez was not provided by any .service files"],
            ),
            HostOS.LINUX,
            ("BlueZ", "systemctl start bluetooth"),
        ),
        (
            FileNotFoundError(2, "No such file or directory"),
            HostOS.LINUX,
            ("BlueZ", "systemctl start bluetooth"),
        ),
    ],
)
def test_adapter_problems(exc: BaseException, host_os: HostOS, fragments: tuple[str, ...]) -> None:
    detail = explain_adapter_problem(exc, host_os)
    assert detail is not None
    for fragment in fragments:
        assert fragment in detail, detail
    assert explain_error(exc, host_os) == detail


@pytest.mark.parametrize(
    ("exc", "host_os", "fragments"),
    [
        # Windows: the strap is held by a phone, asleep, or out of range
        (
            BleakError("Could not get GATT services: Unreachable"),
            HostOS.WINDOWS,
            ("another app or phone may hold it", "remove it in Settings", "Unreachable"),
        ),
        (
            BleakError("Could not get GATT services: AccessDenied"),
            HostOS.WINDOWS,
            ("another app or phone may hold it",),
        ),
        (
            OSError("[WinError -2147023673] The operation was canceled by the user"),
            HostOS.WINDOWS,
            ("another app or phone may hold it",),
        ),
        (TimeoutError(), HostOS.WINDOWS, ("did not accept a connection in time",)),
        # macOS
        (
            BleakError(
                'Failed to connect to peripheral: Error Domain=CBErrorDomain Code=14 "Peer '
                'removed pairing information"'
            ),
            HostOS.MACOS,
            ("old pairing", "Forget This Device"),
        ),
        (
            BleakError(
                'Error Domain=CBErrorDomain Code=6 "The connection has timed out unexpectedly."'
            ),
            HostOS.MACOS,
            ("another app or phone may hold it", "watch"),
        ),
        (
            BleakError("Device with address 3A1B4C5D-0000-4000-8000-00AABBCCDDEE was not found"),
            HostOS.MACOS,
            ("another app or phone may hold it",),
        ),
        # Linux
        (
            BleakDBusError("org.bluez.Error.Failed", ["le-connection-abort-by-local"]),
            HostOS.LINUX,
            ("another app or phone may hold it", "bluetoothctl"),
        ),
        (
            BleakDBusError("org.bluez.Error.InProgress", ["Operation already in progress"]),
            HostOS.LINUX,
            ("another program is connecting",),
        ),
    ],
)
def test_connect_problems(exc: BaseException, host_os: HostOS, fragments: tuple[str, ...]) -> None:
    detail = explain_connect_problem(exc, "Polar H10 A1B2C3D4", host_os)
    assert "Polar H10 A1B2C3D4" in detail
    for fragment in fragments:
        assert fragment in detail, detail
    assert explain_adapter_problem(exc, host_os) is None  # not mistaken for an adapter problem


def test_unknown_error_is_shown_not_hidden() -> None:
    detail = explain_connect_problem(BleakError("something odd 0x3e"), "Strap", HostOS.LINUX)
    assert "something odd 0x3e" in detail and "did not accept a connection" in detail
    assert explain_adapter_problem(BleakError("something odd 0x3e"), HostOS.LINUX) is None
