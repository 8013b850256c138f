"""A heart-rate strap seen in a scan or remembered from an earlier session (no Bluetooth import)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FoundStrap:
    """A heart-rate strap: its advertised name (if any), its address and, from a scan, the
    signal strength `rssi` in dBm."""

    name: str | None
    address: str
    rssi: int | None = None

    @property
    def label(self) -> str:
        """What the strap is called on screen: its name, else its address."""
        return self.name or self.address
