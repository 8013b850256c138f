"""The morning check with the demo strap on a fast clock: stored session, result or refusal."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from datetime import date

from pytestqt.qtbot import QtBot

from app.recovery.readiness import MAX_ARTIFACT_PCT
from app.session.durations import countdown_clock
from app.session.engine import MIN_KEPT_S
from app.session.sources import BuiltSource, SourceOptions
from app.store import Store
from app.store.daily import readiness_record
from app.ui.dialogs.readiness import ReadinessDialog, SourceFactory
from app.ui.pages.home import HomePage
from sensors.simulated import DemoStrap
from sensors.source import ConnectionEvent, EventKind
from tests.gui_home.conftest import FAST_DEMO
from tests.stubs import FakeClock, ScriptedSource, strap_sample, wait_until


def test_countdown_text() -> None:
    assert countdown_clock(120.0) == "2:00"
    assert countdown_clock(59.2) == "1:00"
    assert countdown_clock(0.0) == "0:00"


def test_demo_morning_check_stores_a_readiness_session_and_shows_the_value(
    store: Store, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    page = HomePage(store, FAST_DEMO, today=date.today)
    qtbot.addWidget(page)
    page.show()
    dialog = page.open_morning_check(prefer_demo=True)
    assert dialog.duration_box.currentData() == 2  # the default length
    dialog.configure(strap="demo", minutes=3, posture="lying", stand=True)
    saved: list[int] = []
    dialog.check_saved.connect(saved.append)

    async def scenario() -> None:
        dialog.start_button.click()
        assert dialog.state in ("connecting", "measuring")
        await wait_until(lambda: dialog.state == "result")

    qloop.run_until_complete(scenario())
    [sid] = saved
    record = store.session(sid)
    assert record is not None
    assert record.kind == "readiness" and record.status == "complete"
    assert record.duration_s == 180.0
    beats = store.beats(sid)
    assert 150 <= len(beats) <= 230  # 3 minutes at about 67 bpm
    assert max(b.t_ms for b in beats) <= 180_000
    extras = readiness_record(store, sid)
    assert extras is not None
    assert extras.posture == "lying" and extras.stand_up_s == 120.0
    result = dialog.outcome
    assert result is not None, dialog.refusal
    assert result.rest_duration_s <= 121.0
    assert extras.rmssd_ms == result.rmssd_ms
    assert result.ln_rmssd == math.log(result.rmssd_ms)
    text = dialog.result_label.text()
    assert dialog.value_label.text() == f"HRV {result.rmssd_ms:.0f} ms"
    assert "standing" in text.lower()
    assert "lnRMSSD" not in text  # the exact terms are behind "Details"
    assert f"lnRMSSD {result.ln_rmssd:.2f}" in dialog.details.text()
    assert f"RMSSD: {result.rmssd_ms:.1f} ms" in dialog.details.text()
    # The demo strap's beats are made up: the check is practice and never gives today's value.
    assert record.simulated
    assert "Simulated \u2013 not your data" in dialog.result_heading.text()
    page.refresh()
    assert "from morning check" not in page.today_label.text()
    assert page.overview is not None and page.overview.today_rmssd_ms is None
    dialog.done_button.click()
    qtbot.waitUntil(lambda: page.readiness_dialog is None)


def _irregular_demo(
    kind: str, address: str | None, rate: Callable[[float], float], options: SourceOptions
) -> BuiltSource:
    strap = DemoStrap(rate, seed=3, clock=options.clock, speed=math.inf, ectopic_probability=0.2)
    return BuiltSource(strap, strap.now_s, "Demo strap", "demo")


def test_a_check_with_many_unclear_beats_is_refused_with_a_plain_reason(
    store: Store, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    dialog = ReadinessDialog(store, FAST_DEMO, source_factory=_irregular_demo)
    qtbot.addWidget(dialog)
    dialog.configure(strap="demo", minutes=1)
    assert not dialog.stand_box.isEnabled()  # one minute leaves no room to stand up
    dialog.show()

    async def scenario() -> None:
        dialog.start_button.click()
        await wait_until(lambda: dialog.state == "result")

    qloop.run_until_complete(scenario())
    assert dialog.outcome is None
    assert dialog.refusal is not None
    assert f"more than {MAX_ARTIFACT_PCT:g}%" in dialog.refusal
    assert dialog.result_heading.text() == "No value this time"
    [session] = store.sessions(kind="readiness")
    record = readiness_record(store, session.id)
    assert record is not None and record.refused is not None and record.rmssd_ms is None


def scripted_strap(clock: FakeClock, strap: ScriptedSource) -> SourceFactory:
    """A source factory that hands the dialog `strap`, stamped by `clock`."""

    def build(
        _kind: str, _address: str | None, _rate: Callable[[float], float], _options: SourceOptions
    ) -> BuiltSource:
        return BuiltSource(strap, clock, "H10", "AA:BB")

    return build


def test_cancelling_a_running_check_removes_it(
    store: Store, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    clock = FakeClock(1000.0)
    strap = ScriptedSource()
    dialog = ReadinessDialog(store, FAST_DEMO, source_factory=scripted_strap(clock, strap))
    qtbot.addWidget(dialog)
    dialog.configure(strap="demo", minutes=2)
    dialog.show()

    async def scenario() -> None:
        dialog.start_button.click()
        strap.connect(clock.now_s, "H10", "AA:BB")
        for _ in range(5):
            strap.put(strap_sample(clock.advance(1.0), 60, (1024,)))
        await wait_until(lambda: dialog.recorder is not None and len(dialog.recorder.beats) == 5)
        assert dialog.state == "measuring"
        dialog.tick()  # the countdown runs from the first beat with contact, 4 s ago
        assert dialog.countdown_label.text() == "1:56"
        dialog.stop_button.click()
        assert str(getattr(dialog, "state")) == "setup"  # noqa: B009 (not the narrowed value)
        task = dialog.source_task
        assert task is not None
        await asyncio.wait({task}, timeout=10.0)
        assert task.done()

    qloop.run_until_complete(scenario())
    assert strap.stopped
    assert store.sessions(kind="readiness") == []
    assert dialog.refusal is None


def strap_fails_after(
    store: Store, qtbot: QtBot, qloop: asyncio.AbstractEventLoop, beats: int
) -> tuple[ReadinessDialog, ScriptedSource, list[int]]:
    """A check whose strap sends `beats` beats, one a second, then fails; returns the dialog
    showing its result, the strap and the ids of the checks saved."""
    clock = FakeClock(1000.0)
    strap = ScriptedSource()
    dialog = ReadinessDialog(store, FAST_DEMO, source_factory=scripted_strap(clock, strap))
    qtbot.addWidget(dialog)
    dialog.configure(strap="demo", minutes=2)
    saved: list[int] = []
    dialog.check_saved.connect(saved.append)

    async def scenario() -> None:
        dialog.start_button.click()
        strap.connect(clock.now_s, "H10", "AA:BB")
        for _ in range(beats):
            strap.put(strap_sample(clock.advance(1.0), 60, (1024,)))
        await wait_until(
            lambda: dialog.recorder is not None and len(dialog.recorder.beats) == beats
        )
        assert dialog.state == "measuring"
        strap.put(ConnectionEvent(EventKind.FAILED, clock.advance(1.0), message="Bluetooth is off"))
        await wait_until(lambda: dialog.state == "result")

    qloop.run_until_complete(scenario())
    return dialog, strap, saved


def test_a_strap_failure_before_30_s_says_the_recording_is_not_kept(
    store: Store, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    beats = 10  # one a second: too short to keep
    dialog, _, saved = strap_fails_after(store, qtbot, qloop, beats)
    assert dialog.result_heading.text() == "No value this time"
    text = dialog.result_label.text()
    assert text.startswith("Bluetooth is off.")
    assert "shorter than 30 s, so it is not kept" in text and "kept in History" not in text
    assert saved == [] and store.sessions() == []


def test_a_strap_failure_during_the_check_is_shown_and_the_recording_kept(
    store: Store, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    beats = int(MIN_KEPT_S) + 10  # one a second: long enough to keep
    dialog, strap, saved = strap_fails_after(store, qtbot, qloop, beats)
    assert dialog.result_heading.text() == "No value this time"
    assert dialog.result_label.text().startswith("Bluetooth is off.")
    assert strap.stopped
    [sid] = saved
    record = store.session(sid)
    assert record is not None and record.status == "interrupted"
    assert len(store.beats(sid)) == beats
