"""Approved images of the main screens, light and dark.

The window is built like the app builds it, on a database with fixed content (fixed dates), a
fixed "today", a hand-moved clock, one font and one window size; each screen is rendered and
compared with tests/approved/<screen>-<theme>.png (see approval.py; re-approve with
`BASELINE_APPROVE=1 .venv/bin/pytest tests/gui_images tests/gui_io/test_report.py`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.breathing import pacer_state
from app.session.sources import SourceOptions
from app.store import Store
from app.store.records import BeatRecord, LogEntry
from app.store.settings import AppSettings, save_settings
from app.ui.app import AppUi, build_app
from app.ui.window import MainWindow
from tests.gui_home.conftest import TODAY, readiness_rr, store_readiness
from tests.gui_images.approval import assert_matches_approved, fixed_rendering
from tests.stubs import FakeClock, InstantTaskRunner, RecordingCuePlayer

WINDOW_SIZE = (1200, 780)
THEMES = ("light", "dark")
OPTIONS = SourceOptions(demo_speed=math.inf, demo_seed=7)


@pytest.fixture(name="fixed_rendering")
def _fixed_rendering(qapp: QApplication) -> Iterator[None]:
    with fixed_rendering(qapp):
        yield


def fill(store: Store) -> None:
    """Six weeks before TODAY: morning checks, log entries and breathing sessions, fixed dates."""
    rng = np.random.default_rng(5)
    for i in range(42):
        day = TODAY - timedelta(days=41 - i)
        if i % 9 == 8:
            continue  # a day without a value
        if i % 3 == 0:
            store_readiness(store, day, readiness_rr(rng, 920.0 + i, 36.0 + (i % 7), 150))
        else:
            store.upsert_log(
                LogEntry(day.isoformat(), rmssd_ms=34.0 + (i * 5) % 15, resting_hr_bpm=57 + i % 5)
            )
    for i, minutes in enumerate((10, 5, 15)):
        started = datetime(TODAY.year, TODAY.month, TODAY.day, 18, 30, tzinfo=UTC) - timedelta(
            days=2 * i
        )
        sid = store.start_session("breathing", started, rate_bpm=6.0)
        rr_ms = readiness_rr(rng, 880.0, 45.0, int(minutes * 60 * 1000 / 880.0))
        t_ms = np.cumsum(rr_ms)
        store.add_beats(
            sid, [BeatRecord(float(t), float(r)) for t, r in zip(t_ms, rr_ms, strict=True)]
        )
        store.finish_session(
            sid, ended_at=started + timedelta(minutes=minutes), duration_s=minutes * 60.0
        )


def build(qtbot: QtBot, store: Store, clock: FakeClock, tmp_path: Path, theme: str) -> AppUi:
    save_settings(store, AppSettings(theme=theme, sound_on=False))  # type: ignore[arg-type]
    ui = build_app(
        store,
        clock=clock,
        cue_player=RecordingCuePlayer(tmp_path / "sounds"),
        source_options=OPTIONS,
        today=lambda: TODAY,
        tasks=InstantTaskRunner(),
    )
    window = ui.window
    qtbot.addWidget(window)
    window.resize(*WINDOW_SIZE)
    window.show()
    qtbot.waitExposed(window)
    return ui


def shot(qtbot: QtBot, window: MainWindow, page: str, name: str) -> None:
    window.show_page(page)
    assert window.current_page_name() == page
    shown = window.stack.currentWidget()
    assert shown is not None
    qtbot.waitUntil(shown.isVisible, timeout=5000)
    assert_matches_approved(window.grab().toImage(), name)


#: Page name -> image name. One window per theme shows them all (building one costs seconds).
SCREENS = {
    "Home": "home",
    "History": "history",
    "Settings": "settings",
    "Assessment": "assessment",
    "Live session": "live-setup",
}


@pytest.mark.usefixtures("fixed_rendering")
@pytest.mark.parametrize("theme", THEMES)
def test_screens_match_the_approved_images(
    qtbot: QtBot, store: Store, tmp_path: Path, theme: str
) -> None:
    fill(store)
    window = build(qtbot, store, FakeClock(), tmp_path, theme).window
    mismatches: list[str] = []
    for page, slug in SCREENS.items():
        try:
            shot(qtbot, window, page, f"{slug}-{theme}")
        except AssertionError as exc:  # every screen is compared; all mismatches are reported
            mismatches.append(str(exc))
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.usefixtures("fixed_rendering")
@pytest.mark.parametrize("theme", THEMES)
def test_breathe_screen_during_a_session(
    qtbot: QtBot, store: Store, tmp_path: Path, theme: str
) -> None:
    clock = FakeClock()
    ui = build(qtbot, store, clock, tmp_path, theme)
    window = ui.window
    window.show_page("Breathe")
    page = ui.breathe
    page.start()
    pattern = page.pattern
    assert pattern is not None
    clock.advance(17.5)  # mid-exhale, 17.5 s into the session
    expected = pacer_state(pattern, 17.5)
    qtbot.waitUntil(lambda: page.pacer.state == expected, timeout=5000)
    qtbot.waitUntil(lambda: "0:17" in page.elapsed_label.text(), timeout=5000)
    shot(qtbot, window, "Breathe", f"breathe-session-{theme}")
    page.stop(reflect=False)
