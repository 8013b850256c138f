"""Immutable rows read from and written to the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

#: The sensor address the demo strap reports; a session with it holds simulated beats.
DEMO_SENSOR_ADDRESS = "demo"
#: What a simulated session is called wherever it is shown.
SIMULATED_LABEL = "Simulated \u2013 not your data"


class DaySource(StrEnum):
    """Where a day's resting value comes from (`trend --json` field `source`)."""

    MORNING_CHECK = "morning_check"
    MANUAL = "manual"


class SessionKind(StrEnum):
    """What a stored session is."""

    READINESS = "readiness"
    BREATHING = "breathing"
    RECORDING = "recording"
    ASSESSMENT = "assessment"

    @property
    def label(self) -> str:
        """What the kind is called wherever a session is shown."""
        return _KIND_LABELS[self]


_KIND_LABELS = {
    SessionKind.READINESS: "Morning check",
    SessionKind.BREATHING: "Breathing session",
    SessionKind.RECORDING: "Recording",
    SessionKind.ASSESSMENT: "Assessment",
}


class SettingKey(StrEnum):
    """The rows of the settings table: every key is spelled here and nowhere else."""

    APP_SETTINGS = "app_settings"  # AppSettings as a JSON object
    LAST_STRAP = "last_strap"  # {"address": ..., "name": ...} of the strap that last connected
    STRAP_CHOICE = "strap_choice"  # the welcome's answer: a strap, the demo, or none
    WELCOME_DONE = "welcome_done"  # true once the first-start welcome was answered
    WINDOW_GEOMETRY = "window_geometry"  # the main window's saved geometry (base64)
    WINDOW_STATE = "window_state"  # the main window's saved state (base64)


class SessionStatus(StrEnum):
    """Where a stored session stands."""

    ACTIVE = "active"
    COMPLETE = "complete"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One stored session (a breathing session, a readiness check, a recording, an assessment)."""

    id: int
    kind: SessionKind
    started_at: datetime
    ended_at: datetime | None
    status: SessionStatus
    sensor_name: str | None = None
    sensor_address: str | None = None
    rate_bpm: float | None = None
    pattern_json: str | None = None
    duration_s: float | None = None
    stress_before: int | None = None
    stress_after: int | None = None
    note: str | None = None
    source_hash: str | None = None
    simulated: bool = False


@dataclass(frozen=True, slots=True)
class BeatRecord:
    """One beat: its time from the session start and the RR interval that ends at it."""

    t_ms: float
    rr_ms: float
    artifact: bool = False
    gap_before: bool = False


@dataclass(frozen=True, slots=True)
class HeartRateRecord:
    """One heart-rate reading as the sensor reported it."""

    t_ms: float
    bpm: int
    contact: bool | None


@dataclass(frozen=True, slots=True)
class MarkRecord:
    """A mark in a session's timeline: pause, resume, a link gap, a tagged stressor."""

    t_ms: float
    kind: str
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One day of the manual log. Scales are 1-5."""

    date: str
    rmssd_ms: float | None = None
    resting_hr_bpm: float | None = None
    sleep: int | None = None
    stress: int | None = None
    mood: int | None = None
    note: str | None = None
