"""Bluetooth problems in plain words: the messages, `BluetoothUnavailableError`, and
`describe_bluetooth_error`, which reads an error from bleak or the operating system.

Loads no bleak: a bleak error can only exist once `sensors.ble` has loaded bleak, so bleak's
exception types are looked at only then.
"""

from __future__ import annotations

import sys

MSG_NO_ADAPTER = (
    "no Bluetooth adapter found: plug in or enable a Bluetooth LE adapter "
    "(or use --ble-transport with a USB dongle)"
)
MSG_NO_SERVICE = (
    "the system Bluetooth service is not available (BlueZ over D-Bus is not running, "
    "or there is no adapter): start the bluetooth service or use --ble-transport"
)
MSG_POWERED_OFF = "Bluetooth is turned off: turn it on in the system settings"
MSG_PERMISSION = (
    "Baseline is not allowed to use Bluetooth: on macOS open System Settings > Privacy & "
    "Security > Bluetooth and allow Baseline (or the terminal you run it from)"
)
MSG_NOT_FOUND = (
    "no heart-rate strap found: wear the strap (most sleep until they touch moist skin), "
    "keep it close, and make sure no phone or other app is connected to it"
)
MSG_ADDRESS_NOT_FOUND = (
    "heart-rate strap {address} not found: wear the strap (most sleep until they touch moist "
    "skin), keep it close, and make sure no phone or other app is connected to it"
)
MSG_BUSY = (
    "found {name} but could not connect: it is probably connected to another app or phone; "
    "close that app (or turn off Bluetooth on the phone) and try again"
)
MSG_NO_HR_SERVICE = "{name} does not offer heart-rate measurements"


class BluetoothUnavailableError(Exception):
    """Bluetooth cannot be used at all; the message tells the user what to do."""


def describe_bluetooth_error(exc: BaseException) -> str | None:
    """A message for the user when `exc` means Bluetooth cannot be used; None otherwise."""
    if isinstance(exc, FileNotFoundError | ConnectionRefusedError | PermissionError):
        return MSG_PERMISSION if isinstance(exc, PermissionError) else MSG_NO_SERVICE
    if "bleak.exc" not in sys.modules:  # bleak was never loaded: `exc` is none of its errors
        return None
    return _describe_bleak_error(exc)


def _describe_bleak_error(exc: BaseException) -> str | None:
    from bleak.exc import (
        BleakBluetoothNotAvailableError,
        BleakBluetoothNotAvailableReason,
        BleakDBusError,
        BleakError,
    )

    if isinstance(exc, BleakBluetoothNotAvailableError):
        reason = exc.reason
        if reason in (
            BleakBluetoothNotAvailableReason.NO_BLUETOOTH,
            BleakBluetoothNotAvailableReason.NO_BLE_CENTRAL_ROLE,
        ):
            return MSG_NO_ADAPTER
        if reason is BleakBluetoothNotAvailableReason.POWERED_OFF:
            return MSG_POWERED_OFF
        if reason in (
            BleakBluetoothNotAvailableReason.DENIED_BY_USER,
            BleakBluetoothNotAvailableReason.DENIED_BY_SYSTEM,
            BleakBluetoothNotAvailableReason.DENIED_BY_UNKNOWN,
        ):
            return MSG_PERMISSION
        return f"Bluetooth is not available: {exc.args[0] if exc.args else exc}"
    if isinstance(exc, BleakDBusError):
        name = exc.dbus_error
        if name.endswith(("NotReady", "NotPowered")):
            return MSG_POWERED_OFF
        if name.endswith(("NotAuthorized", "AccessDenied", "NotPermitted")):
            return MSG_PERMISSION
        if name.endswith(("ServiceUnknown", "UnknownObject")):
            return MSG_NO_ADAPTER
        return None
    if isinstance(exc, BleakError):
        text = str(exc).lower()
        if "no bluetooth adapter" in text or "adapter not found" in text:
            return MSG_NO_ADAPTER
        if "powered off" in text or "turned off" in text:
            return MSG_POWERED_OFF
        if "unauthorized" in text or "not authorized" in text or "permission" in text:
            return MSG_PERMISSION
    return None
