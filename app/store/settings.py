"""The user's app settings: a typed, immutable dataclass, persisted in the store's settings table.

Loaded once at start-up by the composition root and passed down; every change is saved at once.
Unknown or invalid stored values fall back to the defaults field by field, so an old or hand-edited
database never stops the app from starting.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from enum import Enum
from typing import Any, Literal

from app.breathing.pattern import MAX_RATE_BPM, MIN_RATE_BPM, BreathingPattern
from app.breathing.tone_follows import ToneFollows
from app.store.database import Store
from app.store.records import DEMO_SENSOR_ADDRESS, SettingKey
from sensors.found import FoundStrap

Theme = Literal["system", "light", "dark"]
CueStyle = Literal["tones", "chime"]
THEMES: tuple[Theme, ...] = ("system", "light", "dark")
CUE_STYLES: tuple[CueStyle, ...] = ("tones", "chime")
SESSION_MINUTES_CHOICES: tuple[int, ...] = (5, 10, 15, 20, 0)  # 0 = open-ended


@dataclass(frozen=True, slots=True)
class AppSettings:
    """Everything the user chooses once and expects to find again.

    Attributes:
        theme: "system", "light" or "dark".
        sound_on: play cues at phase changes.
        volume: cue volume 0..1.
        cue_style: "tones" (rising on the inhale, falling on the exhale) or "chime" (at each turn).
        tone_follows: a soft background tone under the cues in sessions with a strap, fuller as
            the heart follows the breathing (`ToneFollows`; off by default).
        rate_bpm, inhale_ratio, exhale_ratio, hold_after_inhale_s, hold_after_exhale_s: the default
            breathing pattern.
        ramp_on: start faster and ease down to rate_bpm.
        ramp_start_rate_bpm: the rate the ramp starts at.
        ramp_minutes: how long the ramp lasts.
        session_minutes: session length; 0 means open-ended.
        reminder_on: a daily reminder of the morning check while the app runs (off by default).
        reminder_time: its local time of day, "HH:MM" (24-hour).
    """

    theme: Theme = "system"
    sound_on: bool = True
    volume: float = 0.6
    cue_style: CueStyle = "tones"
    tone_follows: ToneFollows = ToneFollows.OFF
    rate_bpm: float = 6.0
    inhale_ratio: float = 1.0
    exhale_ratio: float = 1.0
    hold_after_inhale_s: float = 0.0
    hold_after_exhale_s: float = 0.0
    ramp_on: bool = False
    ramp_start_rate_bpm: float = 8.0
    ramp_minutes: float = 2.0
    session_minutes: int = 10
    reminder_on: bool = False
    reminder_time: str = "07:30"

    def __post_init__(self) -> None:
        if self.theme not in THEMES:
            raise ValueError(f"theme must be one of {THEMES}, got {self.theme!r}")
        if self.cue_style not in CUE_STYLES:
            raise ValueError(f"cue_style must be one of {CUE_STYLES}, got {self.cue_style!r}")
        if not isinstance(self.tone_follows, ToneFollows):
            raise ValueError(f"tone_follows must be a ToneFollows, got {self.tone_follows!r}")
        if not (isinstance(self.volume, int | float) and 0.0 <= self.volume <= 1.0):
            raise ValueError(f"volume must be between 0 and 1, got {self.volume!r}")
        if not MIN_RATE_BPM <= self.ramp_start_rate_bpm <= MAX_RATE_BPM:
            raise ValueError(f"ramp_start_rate_bpm out of range: {self.ramp_start_rate_bpm!r}")
        if not (math.isfinite(self.ramp_minutes) and 0.0 < self.ramp_minutes <= 60.0):
            raise ValueError(f"ramp_minutes must be in (0, 60], got {self.ramp_minutes!r}")
        if self.session_minutes < 0 or self.session_minutes > 600:
            raise ValueError(f"session_minutes must be 0..600, got {self.session_minutes!r}")
        if not _is_clock_time(self.reminder_time):
            raise ValueError(f"reminder_time must be HH:MM, got {self.reminder_time!r}")
        self.pattern()  # validates the pattern fields with clear messages

    def pattern(self) -> BreathingPattern:
        """The breathing pattern these settings describe (with the ramp if it is on)."""
        return BreathingPattern(
            rate_bpm=self.rate_bpm,
            inhale_ratio=self.inhale_ratio,
            exhale_ratio=self.exhale_ratio,
            hold_after_inhale_s=self.hold_after_inhale_s,
            hold_after_exhale_s=self.hold_after_exhale_s,
            start_rate_bpm=self.ramp_start_rate_bpm if self.ramp_on else None,
            ramp_duration_s=self.ramp_minutes * 60.0 if self.ramp_on else 0.0,
        )

    @property
    def session_length_s(self) -> float | None:
        return None if self.session_minutes == 0 else self.session_minutes * 60.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _is_clock_time(text: object) -> bool:
    """ "HH:MM" on a 24-hour clock."""
    if not (isinstance(text, str) and len(text) == 5 and text[2] == ":"):
        return False
    hours, minutes = text[:2], text[3:]
    return hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60


def settings_from_dict(data: object) -> AppSettings:
    """Build settings from stored JSON data, keeping every valid field and defaulting the rest."""
    settings = AppSettings()
    if not isinstance(data, dict):
        return settings
    defaults = settings.to_dict()
    cleaned: dict[str, Any] = {}
    for field in fields(AppSettings):
        if field.name not in data:
            continue
        value = data[field.name]
        default = defaults[field.name]
        if isinstance(default, Enum):
            try:
                value = type(default)(value)
            except ValueError:
                continue
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                continue
        elif isinstance(default, int | float):
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            value = type(default)(value)
        elif not isinstance(value, type(default)):
            continue
        cleaned[field.name] = value
    try:
        return AppSettings(**cleaned)
    except (ValueError, TypeError):
        pass
    for name, value in cleaned.items():  # keep what can be kept, one field at a time
        try:
            settings = replace(settings, **{name: value})
        except (ValueError, TypeError):
            continue
    return settings


def load_settings(store: Store) -> AppSettings:
    """The saved settings, or the defaults."""
    return settings_from_dict(store.get_setting(SettingKey.APP_SETTINGS))


def save_settings(store: Store, settings: AppSettings) -> None:
    store.set_setting(SettingKey.APP_SETTINGS, settings.to_dict())


def update_settings(settings: AppSettings, **changes: Any) -> AppSettings:
    """A copy with `changes`; raises ValueError (settings unchanged) if the result is invalid."""
    try:
        return replace(settings, **changes)
    except TypeError as exc:
        raise ValueError(str(exc)) from exc


# -- the strap of the last session ----------------------------------------------------------


def load_last_strap(store: Store) -> FoundStrap | None:
    """The strap that last connected, or None (never one, or an unreadable stored value)."""
    value = store.get_setting(SettingKey.LAST_STRAP)
    if not isinstance(value, dict):
        return None
    address = value.get("address")
    if not isinstance(address, str) or not address:
        return None
    name = value.get("name")
    return FoundStrap(name if isinstance(name, str) and name else None, address)


def save_last_strap(store: Store, name: str | None, address: str) -> None:
    """Remember the strap that connected; the demo strap is never remembered."""
    if not address or address == DEMO_SENSOR_ADDRESS:
        return
    store.set_setting(SettingKey.LAST_STRAP, {"address": address, "name": name or address})
