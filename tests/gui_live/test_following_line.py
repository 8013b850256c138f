"""The live screen's following line and the summary's following sentence, end to end: the demo
strap's person breathes with the pacer, or ignores it (simulated time, as fast as it runs)."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.hrv.following import FOLLOWING_STEP_S
from app.session.core_metrics import CoreAnalysis
from app.session.sources import SourceOptions
from app.store import Store, open_store
from app.store.settings import AppSettings, save_settings
from app.ui.pages.live_session import LiveSessionPage
from app.ui.services.settings_model import SettingsModel
from app.ui.widgets.following_line import FOLLOWING_TEXT, NOT_FOLLOWING_TEXT, WAITING_TEXT
from sensors.simulated import DemoBreathing
from tests.stubs import hosted, run_scenario, wait_until

HOSTS: list[tuple[QWidget, LiveSessionPage]] = []


@pytest.fixture(autouse=True)
def _release_hosts(qloop: asyncio.AbstractEventLoop) -> Iterator[None]:
    yield
    for host, page in HOSTS:
        if not qloop.is_closed():
            qloop.run_until_complete(close_page(page))
        host.close()
        host.deleteLater()
    HOSTS.clear()


async def close_page(page: LiveSessionPage) -> None:
    page.shutdown()
    task = page.source_task
    if task is not None and not task.done():
        await asyncio.wait({task}, timeout=5.0)


def make_page(store: Store, breathing: str) -> LiveSessionPage:
    settings = AppSettings(session_minutes=0, rate_bpm=6.0, sound_on=False)
    save_settings(store, settings)
    page = LiveSessionPage(
        store,
        SettingsModel(store, settings),
        CoreAnalysis(),
        SourceOptions(
            demo_speed=math.inf,
            demo_seed=11,
            demo_resonance_bpm=6.0,
            demo_breathing=DemoBreathing.parse(breathing),
        ),
    )
    host = hosted(page)
    host.resize(1280, 760)
    host.show()
    HOSTS.append((host, page))
    return page


def has_digits(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


@pytest.mark.parametrize("breathing", ["follow", "ignore"])
def test_the_line_says_whether_the_heart_follows_and_the_summary_counts_it(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, db_path: Path, breathing: str
) -> None:
    async def scenario() -> None:
        store = open_store(db_path)
        page = make_page(store, breathing)
        page.picker.demo_button.setChecked(True)
        page.start()
        session = page.session
        assert session is not None
        line = page.following_line
        assert line.isVisible() and line.text() == WAITING_TEXT

        await wait_until(lambda: session.beats_received >= 20, 20, "the first beats")
        page.refresh_live()
        if session.latest_following is None:  # the first minute: no verdict yet
            assert line.text() == WAITING_TEXT

        await wait_until(lambda: len(session.following_reads) >= 30, 60, "30 following reads")
        page.stop(reflect=False)
        page.refresh_live()
        reads = session.following_reads
        latest = session.latest_following
        assert latest is reads[-1]
        # the calm words, no numbers; the numbers are in the tooltip for whoever asks
        assert line.text() == (FOLLOWING_TEXT if latest.is_following else NOT_FOLLOWING_TEXT)
        assert not has_digits(line.text())
        assert f"Following {latest.following:.2f}" in line.toolTip()
        assert "6/min" in line.toolTip()
        share = float(np.mean([read.is_following for read in reads]))
        if breathing == "follow":
            assert share == 1.0
            assert line.text() == FOLLOWING_TEXT
        else:
            assert share <= 0.25

        await wait_until(lambda: page.summary is not None, 30, "the summary")
        summary = page.summary
        assert summary is not None and summary.time_following_s is not None
        # the summary reads the stored beats on the same grid: the live reads, and later ones
        live = [(r.at_s, r.following) for r in reads]
        assert [(t.at_s, t.following) for t in summary.following_reads][: len(live)] == live
        sentence = page.summary_view.following.text()
        assert page.summary_view.following.isVisibleTo(page.summary_view)
        read_s = FOLLOWING_STEP_S * len(summary.following_reads)
        minutes = f"{round(read_s) // 60}:{round(read_s) % 60:02d} min"
        if summary.time_following_s == read_s:
            assert sentence.startswith(f"Your heart followed the pacer the whole {minutes}")
        elif summary.time_following_s == 0.0:
            assert sentence.startswith("Your heart did not follow the pacer this time")
        else:
            assert sentence.startswith("Your heart followed the pacer for ")
            assert f"of the {minutes} it was read" in sentence
        if breathing == "follow":
            assert summary.time_following_s >= 0.9 * FOLLOWING_STEP_S * len(reads)
            assert summary.breathing_rate_per_min == pytest.approx(6.0, abs=0.5)
            assert f"about {summary.breathing_rate_per_min:.1f} breaths/min" in sentence
        else:
            assert summary.time_following_s <= 0.25 * FOLLOWING_STEP_S * len(
                summary.following_reads
            )
        store.close()

    run_scenario(qloop, scenario())


def test_a_pacer_only_session_has_no_following_line(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, db_path: Path
) -> None:
    async def scenario() -> None:
        store = open_store(db_path)
        page = make_page(store, "follow")
        page.picker.none_button.setChecked(True)
        page.start()
        assert page.session is not None
        assert not page.following_line.isVisible()
        page.stop(reflect=False)  # a session this short is not kept: no summary to look at
        store.close()

    run_scenario(qloop, scenario())


def test_after_a_pause_the_line_waits_for_a_new_read(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, db_path: Path
) -> None:
    async def scenario() -> None:
        store = open_store(db_path)
        page = make_page(store, "follow")
        page.picker.demo_button.setChecked(True)
        page.start()
        session = page.session
        assert session is not None
        await wait_until(lambda: len(session.following_reads) >= 2, 60, "two following reads")
        page.refresh_live()
        assert page.following_line.text() == FOLLOWING_TEXT
        page.toggle_pause()
        paused_at = session.now_s()
        await wait_until(lambda: session.now_s() > paused_at + 20.0, 30, "20 s of pause")
        page.toggle_pause()
        resumed_active = session.active_s()
        await wait_until(
            lambda: session.active_s() > resumed_active + 20.0, 30, "20 s after the pause"
        )
        page.refresh_live()
        assert page.following_line.text() == WAITING_TEXT  # the old verdict is not kept
        await wait_until(
            lambda: session.following_reads[-1].at_s > resumed_active, 60, "a read after it"
        )
        page.refresh_live()
        assert page.following_line.text() == FOLLOWING_TEXT
        first_after = next(r for r in session.following_reads if r.at_s > resumed_active)
        assert first_after.at_s >= resumed_active + 60.0  # a whole new minute of beats
        page.stop(reflect=False)
        await wait_until(lambda: page.summary is not None, 30, "the summary")
        store.close()

    run_scenario(qloop, scenario())
