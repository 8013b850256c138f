"""The strap of the last session: one typed place to read and write it."""

from __future__ import annotations

from pathlib import Path

from app.store import open_store
from app.store.records import SettingKey
from app.store.settings import load_last_strap, save_last_strap
from sensors.found import FoundStrap


def test_the_last_strap_round_trips_and_the_demo_is_never_remembered(db_path: Path) -> None:
    store = open_store(db_path)
    assert load_last_strap(store) is None
    save_last_strap(store, "demo strap", "demo")
    assert load_last_strap(store) is None
    save_last_strap(store, "Polar H10 1234", "AA:BB:CC")
    assert load_last_strap(store) == FoundStrap("Polar H10 1234", "AA:BB:CC")
    save_last_strap(store, None, "11:22")
    got = load_last_strap(store)
    assert got is not None and got.label == "11:22" and got.address == "11:22"
    store.close()


def test_unreadable_stored_values_read_as_no_strap(db_path: Path) -> None:
    store = open_store(db_path)
    for bad in ("AA:BB", ["AA:BB"], {"name": "x"}, {"address": 5}, {"address": ""}):
        store.set_setting(SettingKey.LAST_STRAP, bad)
        assert load_last_strap(store) is None, bad
    store.set_setting(SettingKey.LAST_STRAP, {"address": "AA:BB", "name": 7})
    assert load_last_strap(store) == FoundStrap(None, "AA:BB")
    store.close()
