"""The background tone through a live session with the demo strap (simulated time, as fast as it
runs), on a fake audio device: it fades in at the start, grows full while the heart follows the
pacer and stays thin while it does not, and fades out at a pause and at the end."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.breathing.sound_mix import ToneFollows
from app.session.core_metrics import CoreAnalysis
from app.session.sources import SourceOptions
from app.store import open_store
from app.store.settings import AppSettings, save_settings
from app.ui.pages.live_session import LiveSessionPage
from app.ui.services.settings_model import SettingsModel
from app.ui.services.sound import CuePlayer
from sensors.simulated import DemoBreathing
from tests.stubs import FakeAudioDevice, hosted, run_scenario, wait_until

HOSTS: list[tuple[QWidget, LiveSessionPage]] = []


@pytest.fixture(autouse=True)
def _release_hosts(qloop: asyncio.AbstractEventLoop) -> Iterator[None]:
    yield
    for host, page in HOSTS:
        if not qloop.is_closed():
            page.shutdown()
            task = page.source_task
            if task is not None and not task.done():
                qloop.run_until_complete(asyncio.wait({task}, timeout=5.0))
        host.close()
        host.deleteLater()
    HOSTS.clear()


@pytest.mark.parametrize(("breathing", "full"), [("follow", True), ("ignore", False)])
def test_the_tone_follows_the_heart_through_a_session(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, db_path: Path, breathing: str, full: bool
) -> None:
    device = FakeAudioDevice()
    player = CuePlayer(device)

    async def scenario() -> None:
        store = open_store(db_path)
        settings = AppSettings(
            session_minutes=0, rate_bpm=6.0, sound_on=False, tone_follows=ToneFollows.FOLLOWING
        )
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
            cue_player=player,
        )
        host = hosted(page)
        host.show()
        HOSTS.append((host, page))
        page.picker.demo_button.setChecked(True)
        page.start()
        tone = player.mixer.tone
        assert player.streaming and tone.target_gain == 1.0 and tone.target_fullness == 0.0
        session = page.session
        assert session is not None
        await wait_until(lambda: len(session.following_reads) >= 3, 60, "three following reads")
        page.refresh_live()
        if full:
            assert tone.target_fullness > 0.8
        else:
            assert tone.target_fullness < 0.3
        page.toggle_pause()
        assert tone.target_gain == 0.0  # fades out while paused
        page.toggle_pause()
        assert tone.target_gain == 1.0
        page.stop(reflect=False)
        assert tone.target_gain == 0.0
        store.close()

    run_scenario(qloop, scenario())
    assert len(device.outputs) == 1
