"""How bleak reaches the radio (`BleBackend`), without loading bleak.

The app builds and passes these around before any Bluetooth is used (a session on the demo strap
or none never uses it), so bleak's types appear here only in annotations; `sensors.ble` loads
bleak when it scans or connects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bleak.backends.client import BaseBleakClient
    from bleak.backends.scanner import BaseBleakScanner


@dataclass(frozen=True)
class BleBackend:
    """How bleak reaches the radio: default backends of the OS, or custom ones with kwargs."""

    scanner: type[BaseBleakScanner] | None = None
    client: type[BaseBleakClient] | None = None
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    label: str = "system Bluetooth"


SYSTEM_BACKEND = BleBackend()
