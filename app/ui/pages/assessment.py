"""The resonance-rate assessment page: introduction -> steps with the pacer -> result.

The run's session engine consumes the heart-rate source as an asyncio task on the GUI loop (it
stores every item and moves the protocol on); a ~30 Hz QTimer repaints the pacer and the labels
from the run's state. A strap that fails for good stops the assessment and the page says why.
The result view shows every measure per step, the recommended rate with its reason and a chart;
confirming makes the rate the pacer's default.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.breathing import cue_times
from app.breathing.resonance import (
    MAX_ARTIFACT_PCT,
    NOT_FOLLOWED_TEXT,
    PROTOCOL_RATES_BPM,
    RATE_TOLERANCE_PER_MIN,
    AssessmentResult,
    Recommendation,
    StepResult,
    recommend,
)
from app.hrv.coherence import format_coherence
from app.hrv.following import FOLLOWING_THRESHOLD
from app.session.assessment_run import (
    AssessmentRun,
    DemoOptions,
    RunPhase,
    demo_assessment,
    retest_text,
)
from app.session.durations import countdown_clock
from app.session.events import Failed, SessionEvent
from app.session.sources import SourceOptions, build_source
from app.store import Store
from app.store.assessments import past_assessment_results
from app.store.records import SIMULATED_LABEL
from app.store.settings import load_last_strap
from app.ui.charts.assessment import AssessmentChart
from app.ui.pages import names
from app.ui.pages.page import PageBase
from app.ui.services.settings_model import SettingsModel
from app.ui.services.sound import CuePlayer
from app.ui.widgets.pacer import PacerWidget
from app.ui.widgets.source_picker import ScanFn, SourcePicker
from sensors.simulated import DEMO_ADDRESS, DEMO_NAME

FRAME_INTERVAL_MS = 33
NO_VALUE = "\u2013"  # an en dash: the measure could not be computed
INTRO_TEXT = (
    "Everyone has a breathing rate at which the heart-rate waves grow largest: the resonance "
    "rate, usually between 4.5 and 6.5 breaths a minute. This assessment finds yours. The pacer "
    "runs for a few minutes at each of 6.5, 6.0, 5.5, 5.0 and 4.5 breaths a minute with a short "
    "rest in between; just follow it, breathing gently, not deeply."
)
STRAP_TEXT = (
    "It needs a heart-rate strap: the result comes from how your heart rate rises and falls "
    "with each breath, beat by beat, and only a strap measures that. No strap at hand? The "
    "demo strap shows how it works with simulated heart data."
)
COLUMNS = (
    "Pacer\n(/min)",
    "Counted?",
    "You breathed\n(/min)",
    "Heart followed\nthe pacer",
    "Heart-rate\nswing (bpm)",
    "Slow-wave\npower (ms²)",
    "Main-wave\nsize (ms²)",
    "In step with\nthe breath (°)",
    "Waves",
    "Overall\nrank",
)
STATUS_COLUMN = 1
#: One short line per column that needs one, in table order (shown under the table).
CRITERIA_TEXT = (
    "You breathed: your breathing rate, read from how your heart rate rises and falls.",
    "Heart followed the pacer: the share of your heart-rate changes that kept time with the pacer "
    f"(0 to 1; it follows from {FOLLOWING_THRESHOLD:g}).",
    "The rate is chosen from the valid steps on five measures, each ranked, lowest total first:",
    "• Heart-rate swing: how far your heart rate rose and fell in each breath (more is better).",
    "• Slow-wave power: how much your heart rate moved in slow waves of 2.4-9 a minute "
    "(more is better).",
    "• Main-wave size: how big the single largest slow wave was (bigger is better).",
    "• In step with the breath: 0° means your heart rate rose while you breathed in and "
    "fell while you breathed out, exactly with the breath (nearer 0 is better).",
    "• Waves: how many separate slow waves there were; 1 is one smooth wave (fewer is better).",
    f"A step is valid when your heart followed the pacer and your breathing was within "
    f"{RATE_TOLERANCE_PER_MIN:g} breaths/min of it, with at most {MAX_ARTIFACT_PCT:g} % "
    "artifacts (misread beats).",
)


def _number(value: float | None, digits: int) -> str:
    return NO_VALUE if value is None else f"{value:.{digits}f}"


def _place(place: int) -> str:
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(place if place < 20 else place % 10, "th")
    return f"{place}{suffix}"


def repeat_offer_text(steps: tuple[StepResult, ...], can_repeat: bool = True) -> str:
    """What was left out, with the offer to repeat it when that is possible ("" when every step
    counted)."""
    not_followed = [f"{s.rate_bpm:g}" for s in steps if s.not_followed]
    unclear = [f"{s.rate_bpm:g}" for s in steps if not s.usable and not s.not_followed]
    lines = []
    if not_followed:
        lines.append(
            f"Not valid - breathing did not match the pacer at {', '.join(not_followed)} "
            "breaths/min."
        )
    if unclear:
        lines.append(f"The heart data of {', '.join(unclear)} breaths/min could not be used.")
    if lines and can_repeat:
        lines.append("You can repeat a step: select it, press Repeat and follow the pacer gently.")
    return " ".join(lines)


def step_status(step: StepResult, recommended_bpm: float | None) -> str:
    """The last column: chosen, valid, or why the step is left out (and that it can be repeated)."""
    if step.not_followed:
        return NOT_FOLLOWED_TEXT
    if step.too_many_artifacts:
        return "Too many artifacts: repeat this step"
    if step.reason is not None:
        return f"Not used: {step.reason}"
    if step.rate_bpm == recommended_bpm:
        return "Chosen"
    return "Valid"


def step_cells(step: StepResult, rec: Recommendation | None = None) -> list[str]:
    """The table cells of one step (`rec`: the ranking of the valid steps)."""
    following = NO_VALUE
    if step.following is not None:
        word = "yes" if step.following >= FOLLOWING_THRESHOLD else "no"
        following = f"{word} ({step.following:.2f})"
    rank = NO_VALUE
    if rec is not None and step.rate_bpm in rec.order:
        rank = _place(rec.order.index(step.rate_bpm) + 1)
    return [
        f"{step.rate_bpm:.1f}",
        step_status(step, rec.rate_bpm if rec is not None else None),
        _number(step.breathing_rate_per_min, 1),
        following,
        _number(step.swing_bpm, 1),
        _number(step.lf_power_ms2, 0),
        _number(step.lf_peak_power_ms2, 0),
        NO_VALUE if step.phase_deg is None else f"{step.phase_deg:+.0f}",
        NO_VALUE if step.lf_peak_count is None else str(step.lf_peak_count),
        rank,
    ]


def step_details(step: StepResult) -> str:
    """The row's tooltip: what the table leaves out."""
    return (
        f"Misread beats (artifacts): {step.artifact_pct:.1f} %. "
        f"Coherence: {format_coherence(step.coherence)}."
    )


class AssessmentPage(QWidget, PageBase):
    """Introduction, the running protocol, and the result.

    Signals:
        session_saved(int): an assessment was stored (or its result confirmed).
        message(str): a short sentence for the status bar.
    """

    session_saved = Signal(int)
    message = Signal(str)
    TITLE = names.ASSESSMENT.title
    ICON_NAME = names.ASSESSMENT.icon_name

    def __init__(
        self,
        store: Store,
        model: SettingsModel,
        source_options: SourceOptions,
        *,
        demo_options: DemoOptions | None = None,
        scan: ScanFn | None = None,
        today: Callable[[], date] = date.today,
        prefer_demo: bool = False,
        cue_player: CuePlayer | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._model = model
        self._options = source_options
        self.demo_options = demo_options or DemoOptions(
            resonance_bpm=source_options.demo_resonance_bpm,
            speed=source_options.demo_speed,
            seed=source_options.demo_seed,
            clock=source_options.clock,
            breathing=source_options.demo_breathing,
        )
        self._today = today
        self.run: AssessmentRun | None = None
        self.source_task: asyncio.Task[None] | None = None
        self._shown_result: AssessmentResult | None = None
        self._shown_simulated = False
        self._cues = cue_player
        self._cue_step_start_s: float | None = None
        self._cue_from_s = 0.0
        self._scan = scan
        self.past_results: list[AssessmentResult] = []

        self.stack = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self._build_intro(prefer_demo)
        self._build_running()
        self._build_result()
        self.timer = QTimer(self)
        self.timer.setInterval(FRAME_INTERVAL_MS)
        self.timer.timeout.connect(self.refresh)
        self.refresh_past()

    # -- views -----------------------------------------------------------------------------
    def _build_intro(self, prefer_demo: bool) -> None:
        view = QWidget()
        layout = QVBoxLayout(view)
        heading = QLabel("Find your resonance rate")
        heading.setProperty("role", "heading")
        layout.addWidget(heading)
        for text in (INTRO_TEXT, STRAP_TEXT):
            label = QLabel(text)
            label.setWordWrap(True)
            layout.addWidget(label)
        self.picker = SourcePicker(
            load_last_strap(self._store), self._scan, initial="demo" if prefer_demo else "last"
        )
        self.picker.none_button.hide()  # the assessment cannot run without heart data
        layout.addWidget(self.picker)
        row = QHBoxLayout()
        row.addWidget(QLabel("Minutes per rate:"))
        self.length_box = QComboBox()
        self.length_box.addItem("2 minutes (about 13 min in all)", 120.0)
        self.length_box.addItem("3 minutes (about 18 min in all)", 180.0)
        row.addWidget(self.length_box)
        row.addStretch(1)
        layout.addLayout(row)
        self.failure_label = QLabel("")
        self.failure_label.setWordWrap(True)
        self.failure_label.setProperty("role", "warning")
        self.failure_label.hide()
        layout.addWidget(self.failure_label)
        self.start_button = QPushButton("Start the assessment")
        self.start_button.setProperty("role", "primary")
        self.start_button.clicked.connect(self.start)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        past = QLabel("Past assessments")
        past.setProperty("role", "heading")
        layout.addWidget(past)
        self.retest_label = QLabel("")
        self.retest_label.setWordWrap(True)
        self.retest_label.setProperty("role", "muted")
        layout.addWidget(self.retest_label)
        self.past_list = QListWidget()
        self.past_list.setMaximumHeight(140)
        self.past_list.setToolTip("Double-click an assessment to see its result again")
        self.past_list.itemActivated.connect(
            lambda _item: self.open_past(self.past_list.currentRow())
        )
        layout.addWidget(self.past_list)
        layout.addStretch(1)
        self.intro_view = view
        self.stack.addWidget(view)

    def _build_running(self) -> None:
        view = QWidget()
        layout = QVBoxLayout(view)
        self.step_label = QLabel("")
        self.step_label.setProperty("role", "heading")
        self.step_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_label = QLabel("")
        self.detail_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.pacer = PacerWidget()
        self.pacer.setMinimumSize(240, 240)
        self.status_label = QLabel("")
        self.status_label.setProperty("role", "muted")
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.step_label)
        layout.addWidget(self.detail_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.pacer, 1)
        layout.addWidget(self.status_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.skip_button = QPushButton("Start the next step now")
        self.skip_button.setToolTip("End this rest early")
        self.skip_button.clicked.connect(self.skip_rest)
        self.finish_button = QPushButton("Stop here and use the steps so far")
        self.finish_button.setToolTip(
            "End the assessment now and choose a rate from the steps already completed"
        )
        self.finish_button.clicked.connect(self.finish_now)
        self.stop_button = QPushButton("Cancel")
        self.stop_button.setToolTip("Stop without a result (what was recorded is kept)")
        self.stop_button.clicked.connect(self.cancel)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.finish_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.running_view = view
        self.stack.addWidget(view)

    def _build_result(self) -> None:
        view = QWidget()
        layout = QVBoxLayout(view)
        self.result_heading = QLabel("")
        self.result_heading.setProperty("role", "heading")
        self.result_reason = QLabel("")
        self.result_reason.setWordWrap(True)
        layout.addWidget(self.result_heading)
        layout.addWidget(self.result_reason)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # the verdict wraps onto two lines rather than widening the table
        header.setSectionResizeMode(STATUS_COLUMN, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(STATUS_COLUMN, 190)
        self.table.setWordWrap(True)
        self.table.setMinimumHeight(200)
        layout.addWidget(self.table)
        self.criteria_label = QLabel("\n".join(CRITERIA_TEXT))
        self.criteria_label.setWordWrap(True)
        self.criteria_label.setProperty("role", "muted")
        layout.addWidget(self.criteria_label)
        self.chart = AssessmentChart()
        self.chart.setMinimumHeight(220)
        layout.addWidget(self.chart, 1)
        note = QLabel(
            "Bars: heart-rate swing per breath (green: the chosen rate); line: slow-wave power."
        )
        note.setWordWrap(True)
        note.setProperty("role", "muted")
        layout.addWidget(note)
        buttons = QHBoxLayout()
        self.confirm_button = QPushButton("")
        self.confirm_button.setProperty("role", "primary")
        self.confirm_button.clicked.connect(self.confirm)
        self.repeat_offer = QLabel("")
        self.repeat_offer.setWordWrap(True)
        self.repeat_offer.setProperty("role", "warning")
        layout.addWidget(self.repeat_offer)
        self.repeat_button = QPushButton("Repeat the selected step")
        self.repeat_button.clicked.connect(self.repeat_selected)
        self.done_button = QPushButton("Done")
        self.done_button.clicked.connect(self.back_to_intro)
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.repeat_button)
        buttons.addStretch(1)
        buttons.addWidget(self.done_button)
        layout.addLayout(buttons)
        self.table.itemSelectionChanged.connect(self._update_repeat_button)
        # the result (a table, the criteria in words, a chart) scrolls rather than making the
        # whole window taller
        scroll = QScrollArea()
        scroll.setWidget(view)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.result_view = scroll
        self.stack.addWidget(scroll)

    # -- page protocol -----------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.is_active

    # -- running ---------------------------------------------------------------------------
    @property
    def is_active(self) -> bool:
        return self.run is not None and self.run.running

    def start(self) -> None:
        if self.is_active:
            return
        choice = self.picker.choice()
        if choice.kind == "none" or not self.picker.is_complete():
            self.message.emit("The assessment needs a strap or the demo strap.")
            return
        pattern = self._model.settings.pattern()
        step_s = float(self.length_box.currentData())
        run: AssessmentRun
        if choice.kind == "demo":
            run, _strap = demo_assessment(self._store, pattern, self.demo_options, step_s=step_s)
            name: str | None = DEMO_NAME
            address: str | None = DEMO_ADDRESS
        else:
            holder: list[AssessmentRun] = []

            def rate_at(_t_s: float) -> float:
                rate = holder[0].rate_at(holder[0].now_s()) if holder else None
                return rate if rate is not None else PROTOCOL_RATES_BPM[0]

            built = build_source(choice.kind, choice.address, rate_at, self._options)
            if built is None:
                return
            run = AssessmentRun(
                self._store, pattern, built.clock, source=built.source, step_s=step_s
            )
            holder.append(run)
            name, address = choice.name, choice.address
        self.run = run
        run.engine.subscribe(partial(self._on_session_event, run))
        run.start(sensor_name=name, sensor_address=address, simulated=choice.kind == "demo")
        self.failure_label.hide()
        self.source_task = asyncio.ensure_future(run.run_source())
        self.stack.setCurrentWidget(self.running_view)
        self.timer.start()
        self.refresh()

    def _on_session_event(self, run: AssessmentRun, event: SessionEvent) -> None:
        """A strap that fails for good stops the assessment; the page says why."""
        if isinstance(event, Failed) and run is self.run:
            QTimer.singleShot(0, partial(self._show_failure, run, event.reason))

    def _show_failure(self, run: AssessmentRun, reason: str) -> None:
        if run is not self.run:
            return
        run.cancel()
        if run.session_id is not None:
            self.session_saved.emit(run.session_id)
        self.run = None
        self.timer.stop()
        text = f"The strap stopped: {reason}. The assessment was stopped; what it recorded is kept."
        self.failure_label.setText(text)
        self.failure_label.show()
        self.message.emit(text)
        self.back_to_intro()

    def refresh(self) -> None:
        """Move the protocol on and repaint (the page's timer calls this)."""
        run = self.run
        if run is None:
            return
        run.tick()
        stage = run.stage
        total = len(run.rates_bpm)
        if stage.kind is RunPhase.DONE:
            self._show_result()
            return
        if stage.kind is RunPhase.IDLE:
            return
        left = run.stage_left_s()
        number = stage.step_index + 1
        if stage.kind is RunPhase.WAITING:
            self.step_label.setText("Getting ready")
            self.detail_label.setText("Waiting for the first heartbeats from the strap\u2026")
            self.pacer.show_idle("Sit comfortably")
            fraction = 0.0
        elif stage.kind is RunPhase.STEP:
            self.step_label.setText(
                f"Step {number} of {total} \u00b7 {stage.rate_bpm:g} breaths/min"
            )
            self.detail_label.setText(f"{countdown_clock(left)} left in this step")
            state = run.pacer()
            if state is not None:
                self.pacer.show_state(state)
            self._play_cues(run)
            fraction = (stage.step_index + 1.0 - left / stage.length_s) / total
        else:
            self.step_label.setText(f"Rest \u00b7 next: step {number} of {total}")
            self.detail_label.setText(
                f"Breathe as you like. Step {number} at {stage.rate_bpm:g} breaths/min starts "
                f"in {countdown_clock(left)}."
            )
            self.pacer.show_idle("Rest")
            fraction = stage.step_index / total
        self.skip_button.setVisible(stage.kind is RunPhase.REST)
        self.finish_button.setEnabled(bool(run.results))
        self.progress.setValue(round(1000 * min(max(fraction, 0.0), 1.0)))
        recorder = run.recorder
        bpm = recorder.last_bpm if recorder is not None else None
        heart = f"heart rate {bpm} bpm" if bpm else "no heart rate yet"
        self.status_label.setText(f"{heart} \u00b7 {run.beats_received} beats")

    def _play_cues(self, run: AssessmentRun) -> None:
        """The sound cue of the latest phase start of the step's pacer (as the Breathe page)."""
        stage = run.stage
        if self._cue_step_start_s != stage.started_s:
            self._cue_step_start_s = stage.started_s
            self._cue_from_s = 0.0
        t_s = max(0.0, run.now_s() - stage.started_s)
        if self._cues is not None and t_s > self._cue_from_s:
            due = cue_times(run.pattern_for(stage.rate_bpm), self._cue_from_s, t_s)
            if due:
                self._cues.play_cue(due[-1])
        self._cue_from_s = t_s

    def skip_rest(self) -> None:
        if self.run is not None:
            self.run.skip_rest()
            self.refresh()

    def finish_now(self) -> None:
        """End the protocol now; the result comes from the steps completed so far."""
        run = self.run
        if run is not None and run.running and run.results:
            run.finish_now()
            self.refresh()

    def cancel(self) -> None:
        """Stop the assessment; what was recorded is kept as an interrupted session."""
        run = self.run
        if run is not None and run.running:
            run.cancel()
            if run.session_id is not None:
                self.session_saved.emit(run.session_id)
            self.message.emit("Assessment stopped; nothing was changed.")
        self._stop_source()
        self.run = None
        self.back_to_intro()

    def _stop_source(self) -> None:
        self.timer.stop()
        if self.run is not None:
            self.run.cancel()  # after the protocol is done: only stops the strap

    # -- result ----------------------------------------------------------------------------
    def _show_result(self) -> None:
        run = self.run
        if run is None or run.result is None:
            return
        if self.stack.currentWidget() is not self.result_view:
            self.timer.stop()
            self.show_result(run.result)
            self.session_saved.emit(run.result.session_id)

    def show_result(self, result: AssessmentResult) -> None:
        """Fill the result view from a (new or stored) result."""
        best = result.recommended_bpm
        if best is None:
            self.result_heading.setText("No recommendation this time")
        else:
            self.result_heading.setText(f"Your resonance rate: {best:g} breaths a minute")
        self.result_reason.setText(result.reason)
        rec = recommend(result.steps)
        self.table.setRowCount(len(result.steps))
        for row, step in enumerate(result.steps):
            for col, text in enumerate(step_cells(step, rec)):
                item = QTableWidgetItem(text)
                if col != STATUS_COLUMN:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if step.rate_bpm == best:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                item.setData(Qt.ItemDataRole.UserRole, step.rate_bpm)
                item.setToolTip(step_details(step))
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()
        self.chart.show_steps(result.steps, best)
        current = self._model.settings.rate_bpm
        record = self._store.session(result.session_id)
        self._shown_simulated = record is not None and record.simulated
        if self._shown_simulated:
            # The demo strap's waves are made up: show how it works, never set the pacer from it.
            self.result_heading.setText(f"Practice run with the demo strap ({SIMULATED_LABEL})")
            best = None
        self.confirm_button.setVisible(best is not None)
        if best is not None:
            if result.confirmed_bpm == best or current == best:
                self.confirm_button.setText(f"{best:g}/min is your pacer rate")
                self.confirm_button.setEnabled(False)
            else:
                self.confirm_button.setText(f"Use {best:g}/min as my pacer rate")
                self.confirm_button.setEnabled(True)
        self.table.clearSelection()
        left_out = [s for s in result.steps if not s.usable]
        can_repeat = self.run is not None and self.run.stage.kind is RunPhase.DONE
        if left_out and can_repeat:  # offered for repeating: selected for the Repeat button
            self.table.selectRow(result.steps.index(left_out[0]))
        self._shown_result = result
        self.repeat_offer.setText(repeat_offer_text(result.steps, can_repeat))
        self.repeat_offer.setVisible(bool(left_out))
        self._update_repeat_button()
        self.stack.setCurrentWidget(self.result_view)

    def _update_repeat_button(self) -> None:
        can_repeat = self.run is not None and self.run.stage.kind is RunPhase.DONE
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        self.repeat_button.setVisible(can_repeat)
        self.repeat_button.setEnabled(can_repeat and bool(rows))
        rate = self.selected_rate() if rows else None
        self.repeat_button.setText(
            "Repeat the selected step" if rate is None else f"Repeat the {rate:g}/min step"
        )

    def selected_rate(self) -> float | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return float(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def repeat_selected(self) -> None:
        run = self.run
        rate = self.selected_rate()
        if run is None or rate is None or run.stage.kind is not RunPhase.DONE:
            return
        run.repeat_step(rate)
        self.stack.setCurrentWidget(self.running_view)
        self.timer.start()
        self.refresh()

    def confirm(self) -> None:
        result = self._shown_result
        if result is None or result.recommended_bpm is None or self._shown_simulated:
            return
        rate = result.recommended_bpm
        self._model.update(rate_bpm=rate)
        if self.run is not None and self.run.result is not None:
            self.run.confirm(rate)
        self.confirm_button.setText(f"{rate:g}/min is your pacer rate")
        self.confirm_button.setEnabled(False)
        self.message.emit(f"The pacer now breathes at {rate:g} breaths a minute.")
        self.session_saved.emit(result.session_id)

    def back_to_intro(self) -> None:
        if not self.is_active:
            self._stop_source()
        self.refresh_past()
        self.stack.setCurrentWidget(self.intro_view)

    def refresh_past(self) -> None:
        results = past_assessment_results(self._store)
        self.past_results = results
        self.past_list.clear()
        for result in results:
            when = result.finished_at[:10]
            if result.recommended_bpm is None:
                text = f"{when}: no recommendation"
            else:
                text = f"{when}: {result.recommended_bpm:g} breaths/min"
                if result.confirmed_bpm is not None:
                    text += " (taken as pacer rate)"
            self.past_list.addItem(text)
        if not results:
            self.past_list.addItem("None yet.")
        self.retest_label.setText(retest_text(results, self._today()))

    def open_past(self, row: int) -> None:
        """Show a stored result (row of the past-assessments list)."""
        if 0 <= row < len(self.past_results) and not self.is_active:
            self._stop_source()
            self.run = None
            self.show_result(self.past_results[row])

    def shutdown(self) -> None:
        """The window is closing: keep what was recorded."""
        self._stop_source()
