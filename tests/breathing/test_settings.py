"""The typed app settings: defaults, validation, persistence through the store, robust loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.breathing import BreathingPattern
from app.store import open_store
from app.store.records import SettingKey
from app.store.settings import (
    AppSettings,
    load_settings,
    save_settings,
    settings_from_dict,
    update_settings,
)


def test_defaults_and_pattern() -> None:
    settings = AppSettings()
    assert settings.pattern() == BreathingPattern(rate_bpm=6.0)
    assert settings.session_length_s == 600.0
    ramped = update_settings(settings, ramp_on=True, ramp_start_rate_bpm=8.5, ramp_minutes=3.0)
    assert ramped.pattern().start_rate_bpm == 8.5
    assert ramped.pattern().ramp_duration_s == 180.0
    assert update_settings(settings, session_minutes=0).session_length_s is None


def test_invalid_updates_raise() -> None:
    settings = AppSettings()
    with pytest.raises(ValueError):
        update_settings(settings, rate_bpm=11.0)
    with pytest.raises(ValueError):
        update_settings(settings, theme="neon")
    with pytest.raises(ValueError):
        update_settings(settings, volume=1.5)
    with pytest.raises(ValueError):
        update_settings(settings, colour="blue")


def test_round_trip_through_store(db_path: Path) -> None:
    store = open_store(db_path)
    assert load_settings(store) == AppSettings()
    chosen = AppSettings(
        theme="dark",
        sound_on=False,
        volume=0.25,
        cue_style="chime",
        rate_bpm=5.5,
        exhale_ratio=2.0,
        hold_after_inhale_s=1.0,
        ramp_on=True,
        ramp_start_rate_bpm=7.0,
        ramp_minutes=1.5,
        session_minutes=0,
    )
    save_settings(store, chosen)
    store.close()
    assert load_settings(open_store(db_path)) == chosen


def test_bad_stored_values_fall_back_per_field(db_path: Path) -> None:
    store = open_store(db_path)
    store.set_setting(
        SettingKey.APP_SETTINGS,
        {
            "theme": "neon",
            "volume": "loud",
            "rate_bpm": 4.5,
            "sound_on": 1,
            "unknown": 3,
            "session_minutes": 20,
        },
    )
    loaded = load_settings(store)
    assert loaded == AppSettings(rate_bpm=4.5, session_minutes=20)
    assert settings_from_dict(["not", "a", "dict"]) == AppSettings()
