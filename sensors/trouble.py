"""Bluetooth trouble for a person, not a lab: plain words, what to do on this system, and the
technical detail kept apart (for a "Details" button).

`trouble_from_error` reads an exception from a scan or a connection (following its cause, as
`scan` wraps the bleak error in `BluetoothUnavailableError`); `trouble_from_message` reads the
message of a source's FAILED event. Both give a `BluetoothTrouble` whose `summary` and
`what_to_do` never name the Bluetooth stack (BlueZ, D-Bus, CoreBluetooth, WinRT) or a
command-line option; those, and the original error text, are in `details`. Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sensors.ble_errors import (
    MSG_ADDRESS_NOT_FOUND,
    MSG_BUSY,
    MSG_NO_ADAPTER,
    MSG_NO_SERVICE,
    MSG_NOT_FOUND,
    MSG_PERMISSION,
    MSG_POWERED_OFF,
)
from sensors.bluetooth_advice import HostOS, adapter_problem


class TroubleKind(StrEnum):
    """What went wrong, as far as the error tells."""

    OFF = "off"
    NO_ADAPTER = "no_adapter"
    NOT_PERMITTED = "not_permitted"
    NO_SERVICE = "no_service"
    NOT_FOUND = "not_found"
    BUSY = "busy"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class BluetoothTrouble:
    """Plain words (`summary`, `what_to_do`) and the technical detail (`details`)."""

    kind: TroubleKind
    summary: str
    what_to_do: str
    details: str

    @property
    def text(self) -> str:
        """The plain message: what happened and what to do."""
        return f"{self.summary} {self.what_to_do}".strip()


_SUMMARY = {
    TroubleKind.OFF: "Bluetooth is turned off.",
    TroubleKind.NO_ADAPTER: "This computer has no Bluetooth that Baseline can use.",
    TroubleKind.NOT_PERMITTED: "Baseline is not allowed to use Bluetooth.",
    TroubleKind.NO_SERVICE: "Bluetooth is not available on this computer right now.",
    TroubleKind.NOT_FOUND: "No heart-rate strap was found.",
    TroubleKind.BUSY: "The strap was found but did not accept a connection.",
    TroubleKind.OTHER: "Bluetooth did not work just now.",
}

_STRAP_FOUND_HINT = (
    "Put the strap on (most wake up only when their pads touch moist skin), keep it close to "
    "the computer, and make sure no phone or other app is connected to it."
)
_BUSY_HINT = (
    "It is probably connected to another app or a phone: close that app, or turn off "
    "Bluetooth on the phone, and try again."
)
_OTHER_HINT = (
    'Turn Bluetooth off and on again and try once more; "Check my strap" looks at each step '
    "and says what it finds."
)

_WHAT_TO_DO: dict[TroubleKind, dict[HostOS, str]] = {
    TroubleKind.OFF: {
        HostOS.LINUX: "Turn it on in the system settings (the Bluetooth panel, or the Bluetooth "
        "icon in the top bar), then try again.",
        HostOS.MACOS: "Turn it on in System Settings > Bluetooth, then try again.",
        HostOS.WINDOWS: "Turn it on in Settings > Bluetooth & devices (and check that airplane "
        "mode is off), then try again.",
        HostOS.OTHER: "Turn it on in the system settings, then try again.",
    },
    TroubleKind.NO_ADAPTER: {
        HostOS.LINUX: "If this computer has Bluetooth, check in the system settings that it is "
        "switched on; otherwise plug in a Bluetooth USB adapter (Bluetooth 4.0 or newer).",
        HostOS.MACOS: "Check System Information > Bluetooth; if no Bluetooth hardware is "
        "listed, a Bluetooth USB adapter is needed.",
        HostOS.WINDOWS: "Check Device Manager > Bluetooth for an adapter that is switched off "
        "or lacks a driver, or plug in a Bluetooth USB adapter (Bluetooth 4.0 or newer).",
        HostOS.OTHER: "Plug in a Bluetooth USB adapter (Bluetooth 4.0 or newer), or switch on "
        "the one this computer has.",
    },
    TroubleKind.NOT_PERMITTED: {
        HostOS.LINUX: "If you installed Baseline from a software centre (Flatpak or Snap), allow "
        "it to use Bluetooth in its permissions there; otherwise ask whoever looks after this "
        "computer to let your account use Bluetooth.",
        HostOS.MACOS: "Open System Settings > Privacy & Security > Bluetooth and allow Baseline "
        "(or the terminal you start it from), then start Baseline again.",
        HostOS.WINDOWS: "Open Settings > Privacy & security > Radios and let apps control "
        "radios, then try again.",
        HostOS.OTHER: "Allow Baseline to use Bluetooth in the system settings.",
    },
    TroubleKind.NO_SERVICE: {
        HostOS.LINUX: "Check in the system settings that Bluetooth is switched on. If this "
        "computer has no Bluetooth, plug in a Bluetooth USB adapter; if it has, restart it.",
        HostOS.MACOS: "Turn Bluetooth off and on again in System Settings > Bluetooth.",
        HostOS.WINDOWS: "Turn Bluetooth off and on again in Settings > Bluetooth & devices, or "
        "restart the computer.",
        HostOS.OTHER: "Turn Bluetooth off and on again, or restart the computer.",
    },
}

_DETAILS: dict[TroubleKind, dict[HostOS, str]] = {
    TroubleKind.OFF: {
        HostOS.LINUX: "BlueZ reports the adapter as powered off or blocked. From a terminal: "
        "`rfkill unblock bluetooth`, then `bluetoothctl power on`.",
    },
    TroubleKind.NO_ADAPTER: {
        HostOS.LINUX: "BlueZ lists no controller (`bluetoothctl list` shows none). The "
        "command-line tools can also use a USB dongle directly, without BlueZ: "
        "`baseline record --ble-transport usb:0`.",
    },
    TroubleKind.NOT_PERMITTED: {
        HostOS.LINUX: "Access to BlueZ on the system D-Bus was refused: membership of the "
        "`bluetooth` group or a polkit rule decides who may use it; a Flatpak needs the "
        "Bluetooth permission (`--allow=bluetooth`).",
        HostOS.MACOS: "CoreBluetooth refused access: macOS asks only once and otherwise fails "
        "without a prompt.",
    },
    TroubleKind.NO_SERVICE: {
        HostOS.LINUX: "BlueZ is not running or not reachable over the system D-Bus. Start it "
        "with `sudo systemctl start bluetooth`. The command-line tools can also use a USB "
        "dongle directly, without BlueZ: `baseline record --ble-transport usb:0`.",
    },
}


def _make(kind: TroubleKind, host_os: HostOS, raw: str) -> BluetoothTrouble:
    if kind is TroubleKind.NOT_FOUND:
        what = _STRAP_FOUND_HINT
    elif kind is TroubleKind.BUSY:
        what = _BUSY_HINT
        if host_os is HostOS.WINDOWS:
            what += (
                " If Windows paired the strap, remove it in Settings > Bluetooth & devices first."
            )
    elif kind is TroubleKind.OTHER:
        what = _OTHER_HINT
    else:
        what = _WHAT_TO_DO[kind][host_os]
    parts = [_DETAILS.get(kind, {}).get(host_os, ""), raw]
    return BluetoothTrouble(kind, _SUMMARY[kind], what, "\n".join(p for p in parts if p))


_ADAPTER_KINDS = {
    "power": TroubleKind.OFF,
    "adapter": TroubleKind.NO_ADAPTER,
    "permit": TroubleKind.NOT_PERMITTED,
    "service": TroubleKind.NO_SERVICE,
}


def _raw(exc: BaseException) -> str:
    text = str(exc)
    dbus = getattr(exc, "dbus_error", None)
    name = type(exc).__name__
    shown = f"{name}: {text}" if text else name
    return "Error: " + (f"{shown} ({dbus})" if dbus and dbus not in text else shown)


def trouble_from_error(exc: BaseException, host_os: HostOS | None = None) -> BluetoothTrouble:
    """The trouble an exception from a scan or a connection stands for."""
    system = host_os or HostOS.current()
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    for error in reversed(chain):  # the original error says most
        kind = adapter_problem(error)
        if kind is not None:
            return _make(_ADAPTER_KINDS[kind], system, _raw(error))
    for error in chain:  # a message the Bluetooth layer wrote for the user
        from_message = _kind_of_message(str(error))
        if from_message is not TroubleKind.OTHER:
            return _make(from_message, system, _raw(chain[-1]))
    return _make(TroubleKind.OTHER, system, _raw(chain[-1]))


def _kind_of_message(message: str) -> TroubleKind:
    exact = {
        MSG_POWERED_OFF: TroubleKind.OFF,
        MSG_NO_ADAPTER: TroubleKind.NO_ADAPTER,
        MSG_PERMISSION: TroubleKind.NOT_PERMITTED,
        MSG_NO_SERVICE: TroubleKind.NO_SERVICE,
        MSG_NOT_FOUND: TroubleKind.NOT_FOUND,
    }
    if message in exact:
        return exact[message]
    not_found_start = MSG_ADDRESS_NOT_FOUND.split("{", 1)[0]
    not_found_end = MSG_ADDRESS_NOT_FOUND.split("}", 1)[1]
    if message.startswith(not_found_start) and message.endswith(not_found_end):
        return TroubleKind.NOT_FOUND
    busy_start = MSG_BUSY.split("{", 1)[0]
    busy_end = MSG_BUSY.split("}", 1)[1]
    if message.startswith(busy_start) and message.endswith(busy_end):
        return TroubleKind.BUSY
    return TroubleKind.OTHER


#: The prefix the BLE source puts before an error it has no words for.
RAW_ERROR_PREFIX = "Bluetooth error: "


def trouble_from_message(message: str, host_os: HostOS | None = None) -> BluetoothTrouble | None:
    """The trouble a source's FAILED message stands for; None when the message is already plain
    words of its own (then it is shown as it is)."""
    system = host_os or HostOS.current()
    kind = _kind_of_message(message)
    if kind is not TroubleKind.OTHER:
        return _make(kind, system, f"Reported: {message}")
    if message.startswith(RAW_ERROR_PREFIX):
        return _make(TroubleKind.OTHER, system, f"Error: {message[len(RAW_ERROR_PREFIX) :]}")
    return None
