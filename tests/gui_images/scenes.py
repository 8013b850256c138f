"""The fixed world the screen images are rendered in: one database content, one "today", one
clock, one window size, one font, and the steps that bring each screen up.

Everything here is deterministic: dates are fixed, random numbers come from seeded generators,
the session clock is moved by hand, and background work runs at once on the calling thread.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QTextEdit, QWidget
from pytestqt.qtbot import QtBot

from app.breathing.resonance import AssessmentResult, StepResult, breathing_matched, recommend
from app.session.assessment_run import result_reason
from app.session.sources import SourceOptions
from app.store import Store
from app.store.assessments import save_assessment_result
from app.store.records import BeatRecord, LogEntry, SessionKind
from app.store.settings import AppSettings, Theme, save_settings
from app.ui.app import AppUi, build_app
from tests.stubs import FakeClock, InstantTaskRunner, RecordingCuePlayer

FloatArray = npt.NDArray[np.float64]
TODAY = date(2026, 3, 20)
WINDOW_SIZE = (800, 600)
DIALOG_SIZE = (640, 520)
THEMES: tuple[Theme, ...] = ("light", "dark")
OPTIONS = SourceOptions(demo_speed=math.inf, demo_seed=7)


def rhythm_rr(
    rng: np.random.Generator,
    mean_rr_ms: float,
    rmssd_ms: float,
    n: int,
    breaths_per_min: float = 14.0,
) -> FloatArray:
    """A breathing rhythm in RR with about the wanted RMSSD: one sine per breath, a slow drift
    of the mean over minutes and 4 ms of beat-to-beat noise."""
    period_beats = 60_000.0 / breaths_per_min / mean_rr_ms
    amplitude = rmssd_ms / (math.sqrt(2.0) * math.sin(math.pi / period_beats))
    k = np.arange(n)
    phase = float(rng.uniform(0, 2 * math.pi))
    drift = 0.04 * mean_rr_ms * np.sin(2 * math.pi * k / 400.0 + phase)
    rr: FloatArray = mean_rr_ms + drift + amplitude * np.sin(2 * math.pi * k / period_beats + phase)
    return rr + rng.normal(0.0, 4.0, n)


def store_session(
    store: Store,
    kind: SessionKind,
    started: datetime,
    rr_ms: FloatArray,
    *,
    rate_bpm: float | None = None,
) -> int:
    """A finished session holding these beats."""
    sid = store.start_session(kind, started, rate_bpm=rate_bpm)
    t_ms = np.cumsum(rr_ms)
    store.add_beats(sid, [BeatRecord(float(t), float(r)) for t, r in zip(t_ms, rr_ms, strict=True)])
    duration_s = float(t_ms[-1]) / 1000.0
    store.finish_session(
        sid, ended_at=started + timedelta(seconds=duration_s), duration_s=duration_s
    )
    return sid


def fill(store: Store) -> int:
    """Six weeks before TODAY: morning checks, log entries and breathing sessions; returns the id
    of the newest breathing session."""
    rng = np.random.default_rng(5)
    for i in range(42):
        day = TODAY - timedelta(days=41 - i)
        if i % 9 == 8:
            continue  # a day without a value
        if i % 3 == 0:
            started = datetime(day.year, day.month, day.day, 6, 45, tzinfo=UTC)
            rr = rhythm_rr(rng, 920.0 + i, 36.0 + (i % 7), 150)
            store_session(store, SessionKind.READINESS, started, rr)
        else:
            store.upsert_log(
                LogEntry(
                    day.isoformat(),
                    rmssd_ms=34.0 + (i * 5) % 15,
                    resting_hr_bpm=57 + i % 5,
                    sleep=1 + i % 5,
                    stress=1 + (i * 2) % 5,
                    mood=1 + (i * 3) % 5,
                )
            )
    store_assessment(store, rng, datetime(2026, 3, 1, 17, 0, tzinfo=UTC))
    newest = 0
    for i, minutes in reversed(list(enumerate((10, 5, 15)))):
        started = datetime(TODAY.year, TODAY.month, TODAY.day, 18, 30, tzinfo=UTC)
        rr = rhythm_rr(rng, 880.0, 30.0, int(minutes * 60 * 1000 / 880.0), breaths_per_min=6.0)
        newest = store_session(
            store, SessionKind.BREATHING, started - timedelta(days=2 * i), rr, rate_bpm=6.0
        )
    return newest


#: (rate, swing bpm, LF power ms², LF peak Hz, phase deg, coherence, breathing rate /min,
#: following) of a person whose heart follows slow breathing best at 5.5 breaths/min and who
#: could not slow down to 4.5 (that step is not valid).
ASSESSMENT_STEPS = (
    (6.5, 11.2, 2300.0, 0.108, 22.0, 6.1, 6.5, 0.88),
    (6.0, 13.0, 2900.0, 0.100, 9.0, 7.4, 6.0, 0.91),
    (5.5, 14.6, 3600.0, 0.092, 1.0, 8.3, 5.5, 0.94),
    (5.0, 13.4, 3300.0, 0.083, -8.0, 7.7, 5.1, 0.90),
    (4.5, 11.8, 2700.0, 0.075, -19.0, 6.6, 5.3, 0.31),
)


def store_assessment(store: Store, rng: np.random.Generator, started: datetime) -> int:
    """A finished assessment (its beats and its stored result, 5.5 breaths/min recommended)."""
    rr = rhythm_rr(rng, 900.0, 40.0, 800, breaths_per_min=5.5)
    sid = store_session(store, SessionKind.ASSESSMENT, started, rr)
    steps = tuple(
        StepResult(
            rate_bpm=rate,
            n_beats=110,
            analysed_s=100.0,
            swing_bpm=swing,
            lf_peak_hz=peak_hz,
            lf_peak_power_ms2=lf * 0.6,
            lf_power_ms2=lf,
            phase_deg=phase,
            lf_peak_count=1,
            coherence=coherence,
            breathing_rate_per_min=breathed,
            following=following,
            matched_pacer=breathing_matched(rate, breathed, following),
        )
        for rate, swing, lf, peak_hz, phase, coherence, breathed, following in ASSESSMENT_STEPS
    )
    finished = (started + timedelta(minutes=13)).isoformat(timespec="seconds")
    rec = recommend(steps)
    assert rec is not None and rec.rate_bpm == 5.5
    save_assessment_result(
        store,
        AssessmentResult(sid, finished, steps, rec.rate_bpm, result_reason(steps, rec)),
    )
    return sid


def build(qtbot: QtBot, store: Store, tmp_path: Path, theme: Theme) -> tuple[AppUi, FakeClock]:
    """The window as the app builds it, on a fixed day, clock and size, in `theme`."""
    save_settings(store, AppSettings(theme=theme, sound_on=False))
    clock = FakeClock()
    ui = build_app(
        store,
        clock=clock,
        cue_player=RecordingCuePlayer(),
        source_options=OPTIONS,
        today=lambda: TODAY,
        tasks=InstantTaskRunner(),
    )
    window = ui.window
    qtbot.addWidget(window)
    window.resize(*WINDOW_SIZE)
    window.show()
    qtbot.waitExposed(window)
    return ui, clock


def settle(qtbot: QtBot, widget: QWidget) -> None:
    """Let layouts and deferred refreshes run (no real-time wait beyond the event queue)."""
    qtbot.waitUntil(widget.isVisible, timeout=5000)
    for edit in widget.findChildren(QTextEdit):
        # a text view lays long documents out bit by bit on a timer: finish it now, so the
        # scroll bars do not depend on how far it got
        edit.document().documentLayout().documentSize()
    app = QApplication.instance()
    assert app is not None
    for _ in range(3):
        app.processEvents()


def grab(widget: QWidget) -> QImage:
    return widget.grab().toImage()


@dataclass(frozen=True)
class Shot:
    """One screen: its image name (without the theme) and how to bring it up and grab it."""

    name: str
    take: Callable[[], QImage]


def strap_packets(
    start_s: float, seconds: int, rng: np.random.Generator, breaths_per_min: float = 6.0
) -> list[tuple[float, int, tuple[int, ...]]]:
    """(arrival time, bpm, RR in 1/1024 s) of one strap packet a second for `seconds`: a person
    breathing at `breaths_per_min` with a heart rate near 66 bpm."""
    rr_ms = rhythm_rr(rng, 910.0, 38.0, int(seconds * 1.3), breaths_per_min=breaths_per_min)
    ends_s = np.cumsum(rr_ms) / 1000.0
    packets = []
    first = 0
    for k in range(1, seconds + 1):
        last = int(np.searchsorted(ends_s, float(k), side="right"))
        units = tuple(round(float(r) * 1.024) for r in rr_ms[first:last])
        recent = rr_ms[max(0, last - 4) : last]
        bpm = round(60_000.0 / float(np.mean(recent))) if recent.size else 66
        packets.append((start_s + k, bpm, units))
        first = last
    return packets
