"""Bluetooth trouble in plain words with what to do on each system; the stack's names and
command-line options only in the details."""

from __future__ import annotations

import pytest
from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDBusError,
    BleakError,
)

from sensors.ble import (
    MSG_ADDRESS_NOT_FOUND,
    MSG_BUSY,
    MSG_NO_ADAPTER,
    MSG_NO_SERVICE,
    MSG_NOT_FOUND,
    MSG_PERMISSION,
    MSG_POWERED_OFF,
    BluetoothUnavailableError,
)
from sensors.doctor import HostOS
from sensors.trouble import TroubleKind, trouble_from_error, trouble_from_message

TECHNICAL = ("bluez", "d-bus", "dbus", "--ble-transport", "corebluetooth", "winrt", "rfkill")
SYSTEMS = (HostOS.LINUX, HostOS.MACOS, HostOS.WINDOWS, HostOS.OTHER)


def _plain(text: str) -> bool:
    lowered = text.lower()
    return not any(word in lowered for word in TECHNICAL)


def _wrapped(cause: BaseException, message: str) -> BluetoothUnavailableError:
    """What `sensors.ble.scan` raises: the user message, caused by the stack's error."""
    try:
        raise BluetoothUnavailableError(message) from cause
    except BluetoothUnavailableError as exc:
        return exc


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (BleakDBusError("org.bluez.Error.NotReady", []), TroubleKind.OFF),
        (BleakDBusError("org.freedesktop.DBus.Error.AccessDenied", []), TroubleKind.NOT_PERMITTED),
        (
            BleakDBusError("org.freedesktop.DBus.Error.ServiceUnknown", ["org.bluez"]),
            TroubleKind.NO_SERVICE,
        ),
        (BleakError("No Bluetooth adapters found."), TroubleKind.NO_ADAPTER),
        (
            BleakBluetoothNotAvailableError("off", BleakBluetoothNotAvailableReason.POWERED_OFF),
            TroubleKind.OFF,
        ),
        (
            BleakBluetoothNotAvailableError("no", BleakBluetoothNotAvailableReason.NO_BLUETOOTH),
            TroubleKind.NO_ADAPTER,
        ),
        (
            BleakBluetoothNotAvailableError(
                "denied", BleakBluetoothNotAvailableReason.DENIED_BY_USER
            ),
            TroubleKind.NOT_PERMITTED,
        ),
        (FileNotFoundError(2, "No such file or directory"), TroubleKind.NO_SERVICE),
        (PermissionError(13, "Permission denied"), TroubleKind.NOT_PERMITTED),
        (BleakError("something nobody expected"), TroubleKind.OTHER),
    ],
)
@pytest.mark.parametrize("host_os", SYSTEMS)
def test_errors_read_as_plain_words_with_the_detail_apart(
    error: BaseException, kind: TroubleKind, host_os: HostOS
) -> None:
    trouble = trouble_from_error(error, host_os)
    assert trouble.kind is kind
    assert _plain(trouble.summary) and _plain(trouble.what_to_do), trouble.text
    assert trouble.text == f"{trouble.summary} {trouble.what_to_do}"
    assert type(error).__name__ in trouble.details  # the original error, for whoever helps


def test_the_wrapped_scan_error_is_read_from_its_cause() -> None:
    """No D-Bus socket at all (no BlueZ): the scan's message names BlueZ and --ble-transport;
    the plain words do not, the details do."""
    error = _wrapped(FileNotFoundError(2, "No such file or directory"), MSG_NO_SERVICE)
    assert "BlueZ" in str(error) and "--ble-transport" in str(error)
    trouble = trouble_from_error(error, HostOS.LINUX)
    assert trouble.kind is TroubleKind.NO_SERVICE
    assert _plain(trouble.text)
    assert "system settings" in trouble.what_to_do
    assert "BlueZ" in trouble.details and "--ble-transport" in trouble.details
    assert "systemctl start bluetooth" in trouble.details
    assert "FileNotFoundError" in trouble.details


def test_what_to_do_is_for_this_system() -> None:
    error = BleakDBusError("org.bluez.Error.NotReady", [])
    linux = trouble_from_error(error, HostOS.LINUX)
    mac = trouble_from_error(error, HostOS.MACOS)
    windows = trouble_from_error(error, HostOS.WINDOWS)
    assert linux.summary == mac.summary == windows.summary == "Bluetooth is turned off."
    assert "System Settings > Bluetooth" in mac.what_to_do
    assert "Settings > Bluetooth & devices" in windows.what_to_do
    assert "airplane mode" in windows.what_to_do
    assert "top bar" in linux.what_to_do
    assert "rfkill unblock bluetooth" in linux.details
    denied = BleakBluetoothNotAvailableError("", BleakBluetoothNotAvailableReason.DENIED_BY_USER)
    assert "Privacy & Security > Bluetooth" in trouble_from_error(denied, HostOS.MACOS).what_to_do
    assert "Radios" in trouble_from_error(denied, HostOS.WINDOWS).what_to_do
    assert "Flatpak" in trouble_from_error(PermissionError(), HostOS.LINUX).what_to_do


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        (MSG_POWERED_OFF, TroubleKind.OFF),
        (MSG_NO_ADAPTER, TroubleKind.NO_ADAPTER),
        (MSG_NO_SERVICE, TroubleKind.NO_SERVICE),
        (MSG_PERMISSION, TroubleKind.NOT_PERMITTED),
        (MSG_NOT_FOUND, TroubleKind.NOT_FOUND),
        (MSG_ADDRESS_NOT_FOUND.format(address="AA:BB:CC:DD:EE:FF"), TroubleKind.NOT_FOUND),
        (MSG_BUSY.format(name="Polar H10 1234"), TroubleKind.BUSY),
        ("Bluetooth error: [org.bluez.Error.Failed] Operation failed", TroubleKind.OTHER),
    ],
)
def test_failed_messages_of_a_source(message: str, kind: TroubleKind) -> None:
    trouble = trouble_from_message(message, HostOS.LINUX)
    assert trouble is not None and trouble.kind is kind
    assert _plain(trouble.text), trouble.text
    assert message.removeprefix("Bluetooth error: ") in trouble.details


def test_a_message_in_plain_words_is_left_as_it_is() -> None:
    assert trouble_from_message("Bluetooth is off", HostOS.LINUX) is None
    assert trouble_from_message("Polar H10 does not offer heart-rate measurements") is None


def test_busy_on_windows_mentions_a_stored_pairing() -> None:
    trouble = trouble_from_message(MSG_BUSY.format(name="H10"), HostOS.WINDOWS)
    assert trouble is not None and "paired" in trouble.what_to_do
