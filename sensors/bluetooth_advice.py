"""Plain words and what to do on this operating system when Bluetooth fails: `adapter_problem`
reads an error from a scan or a connection, `explain_adapter_problem`, `explain_connect_problem`
and `explain_error` give the advice. Shared by the connection doctor (`sensors.doctor`) and the
app's trouble banner (`sensors.trouble`).

Loads no bleak: the errors are read by their type name and text (`describe_bluetooth_error`
looks at bleak's types only once bleak is loaded).
"""

from __future__ import annotations

import sys
from enum import Enum

from sensors.ble_errors import (
    MSG_NO_ADAPTER,
    MSG_PERMISSION,
    MSG_POWERED_OFF,
    describe_bluetooth_error,
)


class HostOS(Enum):
    """The operating system whose advice the findings give."""

    LINUX = "linux"
    MACOS = "macos"
    WINDOWS = "windows"
    OTHER = "other"

    @classmethod
    def current(cls, platform: str = sys.platform) -> HostOS:
        if platform.startswith("linux"):
            return cls.LINUX
        if platform == "darwin":
            return cls.MACOS
        if platform in ("win32", "cygwin"):
            return cls.WINDOWS
        return cls.OTHER


# -- advice per operating system ------------------------------------------------------------
_POWER_ON = {
    HostOS.LINUX: "turn Bluetooth on (system settings, or `rfkill unblock bluetooth` then "
    "`bluetoothctl power on`)",
    HostOS.MACOS: "turn Bluetooth on in System Settings > Bluetooth",
    HostOS.WINDOWS: "turn Bluetooth on in Settings > Bluetooth & devices (and check that "
    "airplane mode is off)",
    HostOS.OTHER: "turn Bluetooth on in the system settings",
}
_PERMIT = {
    HostOS.LINUX: "allow Baseline to use Bluetooth: your user needs access to BlueZ on the "
    "system D-Bus (in a Flatpak or Snap, grant the Bluetooth permission; otherwise check the "
    "`bluetooth` group or polkit rules)",
    HostOS.MACOS: "allow Baseline in System Settings > Privacy & Security > Bluetooth (when "
    "run from a terminal, allow the terminal app); macOS asks only once and otherwise fails "
    "silently",
    HostOS.WINDOWS: "allow apps to use Bluetooth in Settings > Privacy & security > Radios",
    HostOS.OTHER: "allow Baseline to use Bluetooth in the system settings",
}
_NO_ADAPTER = {
    HostOS.LINUX: "no Bluetooth adapter: plug in a Bluetooth LE adapter (`bluetoothctl list` "
    "shows none), or use --ble-transport with a USB dongle",
    HostOS.MACOS: "no Bluetooth hardware was found: check System Information > Bluetooth",
    HostOS.WINDOWS: "no Bluetooth adapter: check Device Manager > Bluetooth for a disabled "
    "adapter or a missing driver, or plug in a Bluetooth LE dongle",
    HostOS.OTHER: MSG_NO_ADAPTER,
}
_NO_SERVICE = {
    HostOS.LINUX: "the Bluetooth service (BlueZ) is not running or not reachable over D-Bus: "
    "start it with `sudo systemctl start bluetooth`",
    HostOS.MACOS: "the system Bluetooth service did not answer: turn Bluetooth off and on",
    HostOS.WINDOWS: "the Bluetooth service did not answer: turn Bluetooth off and on, or "
    "restart the computer",
    HostOS.OTHER: "the system Bluetooth service is not available",
}
# what to do when the strap may be held by another app or phone
HELD_ADVICE = {
    HostOS.LINUX: "another app or phone may hold it: close other fitness apps, turn off "
    "Bluetooth on your phone, and if the strap shows as connected in `bluetoothctl`, "
    "disconnect it there",
    HostOS.MACOS: "another app or phone may hold it: close other fitness apps and turn off "
    "Bluetooth on your phone or watch",
    HostOS.WINDOWS: "another app or phone may hold it: close other fitness apps, turn off "
    "Bluetooth on your phone; if Windows paired the strap, remove it in Settings > Bluetooth "
    "& devices and try again",
    HostOS.OTHER: "another app or phone may hold it: close other apps and turn off Bluetooth "
    "on your phone",
}

# Texts bleak raises, lower-cased fragments -> what they mean. Adapter-level first.
_ADAPTER_TEXTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        (
            "unauthorized",
            "not authorized",
            "notauthorized",
            "notpermitted",
            "dbus.error.accessdenied",
        ),
        "permit",
    ),
    (
        (
            "powered off",
            "turned off",
            "no powered",
            "notready",
            "notpowered",
            "not ready for use",
            "radio is off",
        ),
        "power",
    ),
    (
        (
            "serviceunknown",
            "org.bluez was not provided",
            "no such file or directory",
            "connection refused",
        ),
        "service",
    ),
    (("no bluetooth adapter", "adapter not found", "no powered bluetooth adapter"), "adapter"),
)
_CONNECT_TEXTS: tuple[tuple[tuple[str, ...], str], ...] = (
    # macOS: the pairing was removed on the strap's side
    (("code=14", "peer removed pairing"), "forget"),
    # Windows: the stack could not reach or was refused; macOS/Linux: the link timed out
    (
        (
            "unreachable",
            "code=6",
            "timed out",
            "timeout",
            "le-connection-abort-by-local",
            "connection abort",
            "operation was canceled",
            "code=7",
            "disconnected from us",
            "was not found",
            "device not found",
            "rejected",
            "accessdenied",
            "access denied",
            "could not connect",
            "service discovery failed",
            "link was lost",
        ),
        "held",
    ),
    # BlueZ: another program is connecting to it right now
    (("inprogress", "already in progress"), "busy"),
)


def adapter_problem(exc: BaseException) -> str | None:
    """What `exc` says about the Bluetooth adapter: "permit", "power", "adapter" or "service";
    None when it is no adapter-level problem."""
    known = describe_bluetooth_error(exc)
    text = f"{type(exc).__name__} {getattr(exc, 'dbus_error', '')} {exc}".lower()
    kind: str | None = None
    for fragments, meaning in _ADAPTER_TEXTS:
        if kind is None and any(f in text for f in fragments):
            kind = meaning
    if kind is None and known is not None:
        kind = {MSG_POWERED_OFF: "power", MSG_PERMISSION: "permit", MSG_NO_ADAPTER: "adapter"}.get(
            known, "service"
        )
    if kind is None and isinstance(exc, PermissionError):
        kind = "permit"
    return kind


def explain_adapter_problem(exc: BaseException, host_os: HostOS) -> str | None:
    """Plain words and what to do when `exc` means Bluetooth cannot be used; None otherwise."""
    kind = adapter_problem(exc)
    if kind == "permit":
        return f"Bluetooth is not permitted: {_PERMIT[host_os]}"
    if kind == "power":
        return f"Bluetooth is off: {_POWER_ON[host_os]}"
    if kind == "adapter":
        return _NO_ADAPTER[host_os]
    if kind == "service":
        return _NO_SERVICE[host_os]
    return None


def explain_connect_problem(exc: BaseException, name: str, host_os: HostOS) -> str:
    """Plain words and what to do when connecting to the strap `name` failed with `exc`."""
    text = f"{type(exc).__name__} {exc}".lower()
    shown = str(exc) or type(exc).__name__
    for fragments, meaning in _CONNECT_TEXTS:
        if any(f in text for f in fragments):
            if meaning == "forget":
                return (
                    f"{name} refused the connection because an old pairing is stored: remove it "
                    "in System Settings > Bluetooth (Forget This Device) and try again "
                    f"({shown})"
                )
            if meaning == "busy":
                return (
                    f"another program is connecting to {name} right now (the system settings "
                    f"or another Baseline): close it and try again ({shown})"
                )
            break
    if isinstance(exc, TimeoutError):
        return f"{name} did not accept a connection in time: {HELD_ADVICE[host_os]}"
    return f"{name} did not accept a connection: {HELD_ADVICE[host_os]} ({shown})"


def explain_error(exc: BaseException, host_os: HostOS | None = None) -> str:
    """The doctor's advice for any Bluetooth error (adapter first, then connection)."""
    system = host_os or HostOS.current()
    return explain_adapter_problem(exc, system) or explain_connect_problem(exc, "the strap", system)
