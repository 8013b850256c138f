"""The whole assessment on the demo strap, run as fast as the loop allows, through the page."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from app.breathing.resonance import PROTOCOL_RATES_BPM
from app.session.assessment_run import DemoOptions
from app.session.engine import MIN_KEPT_S
from app.session.sources import BuiltSource, SourceOptions
from app.store import Store, open_store
from app.store.assessments import assessment_result
from app.store.records import SettingKey
from app.store.settings import load_settings
from app.ui.app import build_window
from app.ui.pages.assessment import COLUMNS, STATUS_COLUMN, AssessmentPage
from app.ui.pages.history import session_row
from app.ui.services.settings_model import SettingsModel
from app.ui.services.sound import CuePlayer
from sensors.simulated import FOLLOW_PACER, DemoBreathing
from sensors.source import ConnectionEvent, EventKind
from tests.stubs import (
    FakeClock,
    RecordingCuePlayer,
    ScriptedSource,
    hosted,
    strap_sample,
    wait_until,
)

WINDOW_SIZE = (1000, 760)


def make_page(
    store: Store,
    resonance_bpm: float,
    seed: int,
    cue_player: CuePlayer | None = None,
    breathing: DemoBreathing = FOLLOW_PACER,
) -> tuple[AssessmentPage, SettingsModel]:
    model = SettingsModel(store, load_settings(store))
    page = AssessmentPage(
        store,
        model,
        SourceOptions(),
        demo_options=DemoOptions(
            resonance_bpm=resonance_bpm, speed=math.inf, seed=seed, breathing=breathing
        ),
        prefer_demo=True,
        today=date.today,
        cue_player=cue_player,
    )
    return page, model


@pytest.mark.parametrize(("resonance_bpm", "seed"), [(4.5, 21), (5.5, 22), (6.5, 23)])
def test_whole_assessment_recommends_the_demo_resonance(
    qloop: asyncio.AbstractEventLoop, tmp_path: Path, resonance_bpm: float, seed: int
) -> None:
    store = open_store(tmp_path / "baseline.db")
    page, model = make_page(store, resonance_bpm, seed)
    host = hosted(page, WINDOW_SIZE)
    host.show()
    assert model.settings.rate_bpm == 6.0
    seen: set[str] = set()

    def watch_done() -> bool:
        page.refresh()
        seen.add(page.step_label.text())
        return page.stack.currentWidget() is page.result_view

    async def scenario() -> None:
        assert page.picker.choice().kind == "demo"
        page.start_button.click()
        assert page.stack.currentWidget() is page.running_view
        await wait_until(watch_done, 120.0, "the result")

    qloop.run_until_complete(scenario())
    run = page.run
    assert run is not None and run.result is not None
    assert run.result.recommended_bpm == resonance_bpm
    # the demo strap's waves are made up: its result is practice, never the person's rate
    assert page.result_heading.text() == (
        "Practice run with the demo strap (Simulated \u2013 not your data)"
    )
    assert "largest heart-rate swing" in page.result_reason.text()
    # the "step k of 5" view was shown for every step
    for k, rate in enumerate(PROTOCOL_RATES_BPM, start=1):
        assert f"Step {k} of 5 \u00b7 {rate:g} breaths/min" in seen
    assert any(text.startswith("Rest") for text in seen)
    # the table holds every step with every measure
    assert page.table.rowCount() == 5
    for row, rate in enumerate(PROTOCOL_RATES_BPM):
        items = [page.table.item(row, c) for c in range(page.table.columnCount())]
        cells = [item.text() if item is not None else "" for item in items]
        assert cells[0] == f"{rate:.1f}"
        assert "\u2013" not in cells[:8]
    # the chart shows the measured swings and LF powers by rate
    x, heights = page.chart.swing_data()
    steps = {s.rate_bpm: s for s in run.result.steps}
    assert sorted(x) == sorted(PROTOCOL_RATES_BPM)
    for rate, height in zip(x, heights, strict=True):
        assert height == pytest.approx(steps[rate].swing_bpm)
    assert max(zip(heights, x, strict=True))[1] == resonance_bpm
    lf_x, lf_y = page.chart.lf_data()
    assert lf_x == sorted(PROTOCOL_RATES_BPM) and all(v > 0 for v in lf_y)
    # a practice result is never offered as the pacer's rate
    assert page.confirm_button.isHidden()
    page.confirm()
    assert model.settings.rate_bpm == 6.0
    assert load_settings(store).rate_bpm == 6.0
    assert run.session_id is not None
    stored = assessment_result(store, run.session_id)
    assert stored == run.result
    assert stored.recommended_bpm == resonance_bpm and stored.confirmed_bpm is None
    record = store.session(run.session_id)
    assert record is not None and record.simulated
    history_row = session_row(record)  # what History shows for it
    assert history_row[1] == "Assessment (Simulated \u2013 not your data)"
    assert history_row[7] == "Finished"
    assert history_row[8] == f"Recommended rate: {resonance_bpm:g} breaths/min"
    # past assessments and the re-test line
    page.done_button.click()
    assert page.stack.currentWidget() is page.intro_view
    # past assessments hold the person's own results only
    assert page.past_list.count() == 1 and page.past_list.item(0).text() == "None yet."
    host.close()
    store.close()


def test_stop_keeps_an_interrupted_session(
    qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    store = open_store(tmp_path / "baseline.db")
    cues = RecordingCuePlayer()
    page, model = make_page(store, 5.5, 5, cues)
    host = hosted(page, WINDOW_SIZE)
    host.show()

    def in_step_two() -> bool:
        page.refresh()
        return (
            page.run is not None
            and page.run.stage.kind == "step"
            and (page.run.stage.step_index == 1)
        )

    def resting() -> bool:
        page.refresh()
        return page.run is not None and page.run.stage.kind == "rest"

    async def scenario() -> None:
        page.start_button.click()
        await wait_until(resting, 60.0, "the first rest")
        assert page.step_label.text() == "Rest \u00b7 next: step 2 of 5"
        assert page.skip_button.isVisibleTo(page)
        assert page.run is not None
        rest_started_s = page.run.stage.started_s
        page.skip_button.click()
        assert page.run.stage.kind == "step" and page.run.stage.step_index == 1
        assert page.run.stage.started_s - rest_started_s < page.run.rest_s
        assert not page.skip_button.isVisibleTo(page)
        await wait_until(in_step_two, 60.0, "step 2")
        assert "Step 2 of 5" in page.step_label.text()
        page.stop_button.click()

    qloop.run_until_complete(scenario())
    assert page.stack.currentWidget() is page.intro_view
    sessions = store.sessions(kind="assessment")
    assert len(sessions) == 1 and sessions[0].status == "interrupted"
    assert model.settings.rate_bpm == 6.0
    assert page.past_list.item(0).text() == "None yet."
    # the pacer's cues were asked for during step 1 (the loop runs faster than the breaths)
    assert cues.phases and set(cues.phases) <= {"inhale", "exhale"}
    host.close()
    store.close()


def test_window_has_the_assessment_page(qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
    store = open_store(tmp_path / "baseline.db")
    window = build_window(store, demo=True)
    names = window.page_names()
    assert "Assessment" in names
    if "Live session" in names:
        assert names.index("Assessment") == names.index("Live session") + 1
    window.show_page("Assessment")
    page = window.stack.currentWidget()
    assert isinstance(page, AssessmentPage)
    assert page.picker.choice().kind == "demo"
    assert not page.picker.none_button.isVisible()
    assert any(a.text() == "Show Assessment" for a in window.actions())
    window.close()
    window.deleteLater()
    store.close()


def test_a_step_can_be_repeated_from_the_result(
    qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    store = open_store(tmp_path / "baseline.db")
    page, _model = make_page(store, 5.5, 31)
    host = hosted(page, WINDOW_SIZE)
    host.show()
    seen: set[str] = set()

    def on_result() -> bool:
        page.refresh()
        seen.add(page.step_label.text())
        return page.stack.currentWidget() is page.result_view

    async def scenario() -> None:
        page.start_button.click()
        await wait_until(on_result, 120.0, "the result")
        page.table.selectRow(1)
        assert page.selected_rate() == 6.0
        assert page.repeat_button.isEnabled()
        seen.clear()
        page.repeat_button.click()
        assert page.stack.currentWidget() is page.running_view
        await wait_until(on_result, 60.0, "the result after the repeat")

    qloop.run_until_complete(scenario())
    assert "Step 2 of 5 \u00b7 6 breaths/min" in seen
    run = page.run
    assert run is not None and run.result is not None
    assert len(run.results) == 6 and run.result.steps[1] is run.results[-1]
    assert run.result.recommended_bpm == 5.5
    step_starts = [m for m in store.marks(run.result.session_id) if m.kind == "step_start"]
    assert [m.detail for m in step_starts][-1] == "6"
    host.close()
    store.close()


BEATS_BEFORE_FAILURE = int(MIN_KEPT_S) + 5


@pytest.mark.parametrize("broken_by", ["failed event", "error in the source"])
def test_a_strap_failure_stops_the_assessment_and_is_shown(
    qloop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    broken_by: str,
) -> None:
    store = open_store(tmp_path / "baseline.db")
    store.set_setting(SettingKey.LAST_STRAP, {"name": "H10", "address": "AA:BB"})
    clock = FakeClock(1000.0)
    strap = ScriptedSource()

    def build(
        kind: str, address: str | None, _rate: Callable[[float], float], _options: SourceOptions
    ) -> BuiltSource:
        assert (kind, address) == ("last", "AA:BB")
        return BuiltSource(strap, clock, "H10", address)

    monkeypatch.setattr("app.ui.pages.assessment.build_source", build)
    model = SettingsModel(store, load_settings(store))
    page = AssessmentPage(store, model, SourceOptions())
    messages: list[str] = []
    page.message.connect(messages.append)
    host = hosted(page, WINDOW_SIZE)
    host.show()

    def in_step_one() -> bool:
        page.refresh()
        return page.run is not None and page.run.stage.kind == "step"

    async def scenario() -> None:
        page.start_button.click()
        assert page.run is not None and not page.failure_label.isVisibleTo(page)
        strap.connect(clock.now_s, "H10", "AA:BB")
        for _ in range(BEATS_BEFORE_FAILURE):  # over 30 s: long enough to keep
            strap.put(strap_sample(clock.advance(1.0), 60, (1024,)))
        await wait_until(in_step_one, 10.0, "step 1")
        if broken_by == "failed event":
            strap.put(
                ConnectionEvent(EventKind.FAILED, clock.advance(1.0), message="Bluetooth is off")
            )
        else:
            strap.fail_with = OSError("Bluetooth is off")
            strap.end()
        await wait_until(lambda: page.failure_label.isVisibleTo(page), 10.0, "the failure")

    qloop.run_until_complete(scenario())
    assert "Bluetooth is off" in page.failure_label.text()
    assert messages and "Bluetooth is off" in messages[-1]
    assert page.stack.currentWidget() is page.intro_view and page.run is None
    assert strap.stopped
    (session,) = store.sessions(kind="assessment")
    assert session.status == "interrupted"
    assert len(store.beats(session.id)) == BEATS_BEFORE_FAILURE
    host.close()
    store.close()


def _run_to_result(qloop: asyncio.AbstractEventLoop, page: AssessmentPage) -> None:
    def on_result() -> bool:
        page.refresh()
        return page.stack.currentWidget() is page.result_view

    async def scenario() -> None:
        page.start_button.click()
        await wait_until(on_result, 120.0, "the result")

    qloop.run_until_complete(scenario())


def _column(page: AssessmentPage, col: int) -> list[str]:
    items = [page.table.item(row, col) for row in range(page.table.rowCount())]
    return [item.text() if item is not None else "" for item in items]


NOT_VALID = "Not valid - breathing did not match the pacer"


@pytest.mark.parametrize(
    ("breathing", "valid", "chosen"),
    [
        ("follow", [True] * 5, 5.5),
        ("6.5", [True, False, False, False, False], 6.5),
        ("ignore", [False] * 5, None),
    ],
)
def test_each_step_shows_its_breathing_and_whether_it_counts(
    qloop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    breathing: str,
    valid: list[bool],
    chosen: float | None,
) -> None:
    store = open_store(tmp_path / "baseline.db")
    page, _model = make_page(store, 5.5, 11, breathing=DemoBreathing.parse(breathing))
    host = hosted(page)
    host.show()
    _run_to_result(qloop, page)
    run = page.run
    assert run is not None and run.result is not None
    assert run.result.recommended_bpm == chosen
    status = _column(page, STATUS_COLUMN)
    breathed = _column(page, COLUMNS.index("You breathed\n(/min)"))
    following = _column(page, COLUMNS.index("Heart followed\nthe pacer"))
    for row, ok in enumerate(valid):
        if ok:
            assert status[row] in ("Valid", "Chosen"), status
            assert following[row].startswith("yes (")
        else:
            assert status[row] == NOT_VALID, status
        assert breathed[row] != "\u2013"
    if chosen is not None:
        assert status[PROTOCOL_RATES_BPM.index(chosen)] == "Chosen"
        rank = _column(page, COLUMNS.index("Overall\nrank"))
        assert rank[PROTOCOL_RATES_BPM.index(chosen)] == "1st"
    # the criteria are explained in plain words, one short line each
    for word in ("Heart-rate swing", "Slow-wave power", "Main-wave size", "In step", "Waves"):
        assert word in page.criteria_label.text()
    if all(valid):
        assert page.repeat_offer.isHidden()
        assert not page.table.selectionModel().selectedRows()
    else:
        # the first step left out is selected, with an offer to repeat it
        first_bad = valid.index(False)
        assert page.repeat_offer.isVisibleTo(page)
        assert page.repeat_offer.text().startswith(NOT_VALID)
        assert page.selected_rate() == PROTOCOL_RATES_BPM[first_bad]
        assert page.repeat_button.isEnabled()
        rate = PROTOCOL_RATES_BPM[first_bad]
        assert page.repeat_button.text() == f"Repeat the {rate:g}/min step"
    if chosen is None:
        assert "did not match the pacer in any step" in page.result_reason.text()
    host.close()
    store.close()


def test_stop_here_and_use_the_steps_so_far(
    qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    store = open_store(tmp_path / "baseline.db")
    page, _model = make_page(store, 5.5, 43)
    host = hosted(page)
    host.show()
    assert page.finish_button.text() == "Stop here and use the steps so far"
    assert page.skip_button.text() == "Start the next step now"

    def in_step_three() -> bool:
        page.refresh()
        run = page.run
        return run is not None and run.stage.kind == "step" and run.stage.step_index == 2

    async def scenario() -> None:
        page.start_button.click()
        page.refresh()
        assert not page.finish_button.isEnabled()  # no step is complete yet
        await wait_until(in_step_three, 60.0, "step 3")
        assert page.finish_button.isEnabled()
        page.finish_button.click()

    qloop.run_until_complete(scenario())
    assert page.stack.currentWidget() is page.result_view
    run = page.run
    assert run is not None and run.result is not None
    assert [s.rate_bpm for s in run.result.steps] == [6.5, 6.0]
    assert page.table.rowCount() == 2
    assert run.result.recommended_bpm == 6.0
    host.close()
    store.close()
