"""What the connection doctor (`sensors.doctor`) reports: the checks in order, one `Finding`
per check, the `DoctorReport` of a run, and the `DoctorLimits` it runs under.

Loads no bleak, so the app can build its "Check my strap" dialog before any Bluetooth is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sensors.found import FoundStrap


class Check(StrEnum):
    """The checks, in the order they run (the values are the JSON `check` names)."""

    ADAPTER = "adapter"
    STRAP_FOUND = "strap-found"
    CONNECT = "connect"
    HEART_RATE = "heart-rate"
    BEAT_INTERVALS = "beat-intervals"
    CONTACT = "contact"
    BATTERY = "battery"


@dataclass(frozen=True, slots=True)
class Finding:
    """One check's outcome: `ok` is True, False, or None when the check was not reached."""

    check: Check
    ok: bool | None
    detail: str

    def to_json_dict(self) -> dict[str, str | bool | None]:
        return {"check": self.check.value, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class DoctorReport:
    """All seven findings, in check order, and the strap that was examined (if any)."""

    findings: tuple[Finding, ...]
    strap: FoundStrap | None

    def finding(self, check: Check) -> Finding:
        return next(f for f in self.findings if f.check is check)

    @property
    def healthy(self) -> bool:
        """A strap with beat intervals was found and measured, and no check failed."""
        return self.finding(Check.BEAT_INTERVALS).ok is True and all(
            f.ok is not False for f in self.findings
        )

    @property
    def exit_code(self) -> int:
        return 0 if self.healthy else 1

    @property
    def first_problem(self) -> Finding | None:
        return next((f for f in self.findings if f.ok is False), None)


@dataclass(frozen=True, slots=True)
class DoctorLimits:
    """How long each step may take, in seconds."""

    scan_s: float = 10.0
    listen_s: float = 10.0
    connect_timeout_s: float = 12.0
    connect_attempts: int = 2
    choose_s: float = 1.0  # after the first strap shows up, listen this long for stronger ones
    adapter_timeout_s: float = 10.0
