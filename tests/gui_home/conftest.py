"""Fixtures for the home-screen GUI tests: a store and a window with the home page (the qasync
loop is tests/conftest.py's `qloop`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from pytestqt.qtbot import QtBot

from app.session.sources import SourceOptions
from app.store import Store, open_store
from app.store.records import BeatRecord
from app.ui.app import OptionalPage, build_app
from app.ui.pages.home import HomePage
from app.ui.services.sound import CuePlayer
from app.ui.window import MainWindow

FloatArray = npt.NDArray[np.float64]
TODAY = date(2026, 3, 20)
FAST_DEMO = SourceOptions(demo_speed=math.inf, demo_seed=7)


def readiness_rr(
    rng: np.random.Generator, mean_rr_ms: float, rmssd_ms: float, n: int
) -> FloatArray:
    """A smooth breathing rhythm in RR (no artifacts) with about the wanted RMSSD.

    RR_k = mean + A sin(2 pi k / P + phase) has RMSSD = sqrt(2) A sin(pi / P); a little noise
    (1 ms) keeps it from being perfectly regular. The exact RMSSD is taken from the array.
    """
    period_beats = 4.6
    amplitude = rmssd_ms / (math.sqrt(2.0) * math.sin(math.pi / period_beats))
    k = np.arange(n)
    phase = float(rng.uniform(0, 2 * math.pi))
    wave = amplitude * np.sin(2 * math.pi * k / period_beats + phase)
    rr: FloatArray = mean_rr_ms + wave + rng.normal(0.0, 1.0, n)
    return rr


def store_readiness(store: Store, day: date, rr_ms: FloatArray) -> int:
    """A finished readiness session at 06:45 that morning holding these beats."""
    started = datetime(day.year, day.month, day.day, 6, 45, tzinfo=UTC)
    sid = store.start_session("readiness", started)
    t_ms = np.cumsum(rr_ms)
    store.add_beats(
        sid, [BeatRecord(float(t), float(rr)) for t, rr in zip(t_ms, rr_ms, strict=True)]
    )
    store.finish_session(
        sid, ended_at=started + timedelta(seconds=float(t_ms[-1]) / 1000.0), duration_s=120.0
    )
    return sid


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = open_store(db_path)
    yield opened
    opened.close()


HomeWindowFactory = Callable[[Store], tuple[MainWindow, HomePage]]


@pytest.fixture
def make_home(qtbot: QtBot, tmp_path: Path) -> HomeWindowFactory:
    """A shown main window with the home page installed, on a fixed 'today'."""

    def build(store: Store) -> tuple[MainWindow, HomePage]:
        player = CuePlayer()
        ui = build_app(
            store,
            cue_player=player,
            source_options=FAST_DEMO,
            today=lambda: TODAY,
            pages=frozenset({OptionalPage.HOME}),
        )
        window, page = ui.window, ui.home
        assert page is not None
        qtbot.addWidget(window)
        window.resize(1200, 780)
        window.show()
        qtbot.waitExposed(window)
        return window, page

    return build
