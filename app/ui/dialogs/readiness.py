"""The morning readiness check: a short, quiet resting measurement with a strap.

Setup -> quiet countdown -> result. The user picks the strap (the demo strap, or a Bluetooth strap:
the last one used when the store remembers it), 1, 2, 3 or 5 minutes (2 by default), seated or
lying, and optionally standing up for the last minute (the orthostatic test). There is no pacer:
breathing is left alone. A `SessionEngine` consumes the source as an asyncio task on the GUI loop
(qasync) and records a session of kind `readiness`; the countdown starts with the first packet that
has skin contact and the engine ends the check when its time is up. While it measures, the dialog
shows the countdown, the live heart rate, the skin contact and a calm cue to keep still. At the end
`finish_readiness` analyses the beats and the dialog shows HRV (RMSSD, in ms) and heart rate, with
one sentence on how the value compares with the person's own normal range
(`app.recovery.normal_range`); lnRMSSD and the artifact share are behind "Details". Without a value
it says the plain reason.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Literal

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.recovery.daily_values import ReadinessUnavailableError, daily_values, finish_readiness
from app.recovery.normal_range import RangeComparison, compare_with_normal_range
from app.recovery.readiness import ReadinessRefusedError, ReadinessResult
from app.session.durations import countdown_clock
from app.session.engine import MIN_KEPT_S, SessionEngine, SessionSpec, StartAt, single_stage
from app.session.events import (
    ConnectionChanged,
    Failed,
    SamplesArrived,
    SessionEvent,
    StateChanged,
)
from app.session.recorder import SessionRecorder
from app.session.sources import BuiltSource, SourceOptions, build_source
from app.session.state import SessionState
from app.store import Store
from app.store.records import SIMULATED_LABEL, SessionKind
from app.store.settings import load_last_strap, save_last_strap
from app.ui.services.strap_answer import StrapAnswer, load_strap_answer, save_strap_answer
from app.ui.widgets.details import DetailsToggle
from app.ui.widgets.range_bar import RangeBar
from sensors.source import ConnectionEvent, EventKind, Sample
from sensors.trouble import trouble_from_message

DURATIONS_MIN = (1, 2, 3, 5)
DEFAULT_DURATION_MIN = 2
STAND_UP_LAST_S = 60.0
NATURAL_BREATHING_BPM = 12.0
TICK_MS = 100
#: A heart rate older than this is no longer shown as live.
HEART_RATE_FRESH_S = 5.0
CALM_CUE = "Let your breath come and go on its own. There is nothing to do but rest."
#: Builds the source from (kind, address, breathing-rate provider, options); `build_source`.
SourceFactory = Callable[
    [str, str | None, Callable[[float], float], SourceOptions], BuiltSource | None
]
State = Literal["setup", "connecting", "measuring", "analysing", "result"]


def describe_result(result: ReadinessResult, comparison: RangeComparison | None = None) -> str:
    """The result in a few plain lines: how it compares, heart rate, and the standing test."""
    lines = []
    if comparison is not None:
        lines.append(comparison.sentence)
    lines.append(f"Heart rate {result.mean_hr_bpm:.0f} bpm while resting.")
    if result.orthostatic is not None:
        o = result.orthostatic
        lines.append(
            f"On standing up your heart rate rose by {o.hr_rise_peak_bpm:.0f} bpm at its peak "
            f"({o.hr_rise_mean_bpm:.0f} bpm over the standing minute)."
        )
    elif result.orthostatic_note:
        lines.append(f"Standing part not measured: {result.orthostatic_note}.")
    return "\n".join(lines)


def result_details(result: ReadinessResult, comparison: RangeComparison | None = None) -> str:
    """The exact terms behind the plain result (shown under "Details")."""
    lines = [
        f"HRV is RMSSD: {result.rmssd_ms:.1f} ms (lnRMSSD {result.ln_rmssd:.2f}).",
        f"{result.n_beats} beats over {result.rest_duration_s:.0f} s of rest, "
        f"{result.artifact_pct:.1f}% corrected as artifacts.",
    ]
    if comparison is not None and comparison.low_ms is not None:
        lines.append(
            f"Normal range: mean \u00b1 0.5 SD of lnRMSSD over the {comparison.days_counted} "
            "days with a value in the 60 days before this morning."
        )
    return "\n".join(lines)


def heart_rate_text(bpm: int | None) -> str:
    """The live heart rate while measuring ("-" while none is fresh)."""
    return f"\u2665 {bpm} bpm" if bpm else "\u2665 \u2013 bpm"


def contact_text(contact: bool | None, heard: bool) -> str:
    """The strap's skin contact in words (`heard`: a packet arrived)."""
    if not heard:
        return "Waiting for the strap\u2026"
    if contact is False:
        return "\u25cb No skin contact: moisten the strap's pads and press it on"
    if contact is True:
        return "\u25cf Good skin contact"
    return "\u25cf Heart data arriving"


class ReadinessDialog(QDialog):
    """The guided morning check. Emits `check_saved(int)` with the session id when stored."""

    check_saved = Signal(int)

    def __init__(
        self,
        store: Store,
        source_options: SourceOptions,
        *,
        prefer_demo: bool = False,
        source_factory: SourceFactory = build_source,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Morning check")
        self._build_source = source_factory
        self._store = store
        self._options = source_options
        self.state: State = "setup"
        self.built: BuiltSource | None = None
        self.engine: SessionEngine | None = None
        self.session_id: int | None = None
        self.source_task: asyncio.Task[None] | None = None
        self.outcome: ReadinessResult | None = None
        self.refusal: str | None = None
        self._duration_s = 0.0
        self._stand_up_s: float | None = None
        self._stand_prompted = False
        self._posture = "seated"
        self.comparison: RangeComparison | None = None
        self._refusal_details = ""
        self._live_bpm: int | None = None
        self._live_at_s: float | None = None
        self._contact: bool | None = None
        self._heard = False

        layout = QVBoxLayout(self)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack)

        # -- setup ---------------------------------------------------------------------------
        setup = QWidget()
        setup_layout = QVBoxLayout(setup)
        intro = QLabel(
            "A short resting measurement, best soon after waking: sit or lie still, breathe "
            "naturally, and let the strap listen. No pacer, nothing to do."
        )
        intro.setWordWrap(True)
        setup_layout.addWidget(intro)
        form = QFormLayout()
        self.strap_box = QComboBox()
        last = load_last_strap(store)
        self._last_address = last.address if last is not None else None
        if last is not None:
            name = last.label
            self.strap_box.addItem(f"My strap: {name}", "last")
        else:
            self.strap_box.addItem("A Bluetooth strap nearby", "ble")
        self.strap_box.addItem("Try it without a strap: the demo strap (simulated)", "demo")
        # The demo is never the default for someone who has a strap: only when asked for
        # (`prefer_demo`) or when the remembered answer was "not yet, let me try the demo".
        if prefer_demo or (
            load_strap_answer(store) is StrapAnswer.DEMO and self._last_address is None
        ):
            self.strap_box.setCurrentIndex(self.strap_box.findData("demo"))
        form.addRow("Strap", self.strap_box)
        self.duration_box = QComboBox()
        for minutes in DURATIONS_MIN:
            self.duration_box.addItem(f"{minutes} min", minutes)
        self.duration_box.setCurrentIndex(DURATIONS_MIN.index(DEFAULT_DURATION_MIN))
        form.addRow("Length", self.duration_box)
        posture_row = QHBoxLayout()
        self.seated_button = QRadioButton("Seated")
        self.lying_button = QRadioButton("Lying")
        self.seated_button.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.seated_button)
        group.addButton(self.lying_button)
        posture_row.addWidget(self.seated_button)
        posture_row.addWidget(self.lying_button)
        posture_row.addStretch(1)
        form.addRow("Position", posture_row)
        self.stand_box = QCheckBox("Stand up for the last minute (heart rate on standing)")
        form.addRow("", self.stand_box)
        setup_layout.addLayout(form)
        self.duration_box.currentIndexChanged.connect(self._update_stand_box)
        self._update_stand_box()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton("Not now")
        self.cancel_button.clicked.connect(self.reject)
        self.start_button = QPushButton("Start")
        self.start_button.setProperty("role", "primary")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.start_button)
        self.cancel_button.setAutoDefault(False)  # Return starts the check
        setup_layout.addLayout(buttons)
        self.stack.addWidget(setup)
        self.setup_view = setup

        # -- quiet countdown -----------------------------------------------------------------
        run = QWidget()
        run_layout = QVBoxLayout(run)
        run_layout.addStretch(1)
        self.countdown_label = QLabel("")
        self.countdown_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown_label.setAccessibleName("Time left")
        font = self.countdown_label.font()
        font.setPointSizeF(font.pointSizeF() * 3.0)
        self.countdown_label.setFont(font)
        self.prompt_label = QLabel("")
        self.prompt_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt_label.setWordWrap(True)
        prompt_font = self.prompt_label.font()
        prompt_font.setPointSizeF(prompt_font.pointSizeF() * 1.2)
        self.prompt_label.setFont(prompt_font)
        self.cue_label = QLabel("")
        self.cue_label.setProperty("role", "muted")
        self.cue_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cue_label.setWordWrap(True)
        live_row = QHBoxLayout()
        live_row.addStretch(1)
        self.heart_label = QLabel(heart_rate_text(None))
        self.heart_label.setAccessibleName("Heart rate")
        heart_font = self.heart_label.font()
        heart_font.setPointSizeF(heart_font.pointSizeF() * 1.4)
        self.heart_label.setFont(heart_font)
        self.contact_label = QLabel(contact_text(None, heard=False))
        self.contact_label.setAccessibleName("Skin contact")
        live_row.addWidget(self.heart_label)
        live_row.addSpacing(24)
        live_row.addWidget(self.contact_label)
        live_row.addStretch(1)
        self.status_label = QLabel("")
        self.status_label.setProperty("role", "muted")
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        run_layout.addWidget(self.countdown_label)
        run_layout.addWidget(self.prompt_label)
        run_layout.addWidget(self.cue_label)
        run_layout.addSpacing(12)
        run_layout.addLayout(live_row)
        run_layout.addWidget(self.status_label)
        run_layout.addStretch(1)
        stop_row = QHBoxLayout()
        stop_row.addStretch(1)
        self.stop_button = QPushButton("Cancel")
        self.stop_button.clicked.connect(self.cancel_check)
        stop_row.addWidget(self.stop_button)
        run_layout.addLayout(stop_row)
        self.stack.addWidget(run)
        self.run_view = run

        # -- result --------------------------------------------------------------------------
        result = QWidget()
        result_layout = QVBoxLayout(result)
        self.result_heading = QLabel("")
        self.result_heading.setProperty("role", "heading")
        self.value_label = QLabel("")
        self.value_label.setAccessibleName("HRV this morning")
        value_font = self.value_label.font()
        value_font.setPointSizeF(value_font.pointSizeF() * 2.2)
        value_font.setWeight(value_font.Weight.DemiBold)
        self.value_label.setFont(value_font)
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.range_bar = RangeBar()
        self.range_bar.setMaximumWidth(self.fontMetrics().averageCharWidth() * 40)
        self.range_bar.hide()
        self.details = DetailsToggle()
        result_layout.addWidget(self.result_heading)
        result_layout.addWidget(self.value_label)
        result_layout.addWidget(self.range_bar)
        result_layout.addWidget(self.result_label)
        result_layout.addSpacing(8)
        result_layout.addWidget(self.details)
        result_layout.addStretch(1)
        done_row = QHBoxLayout()
        done_row.addStretch(1)
        self.again_button = QPushButton("Try again")
        self.again_button.clicked.connect(self.back_to_setup)
        self.done_button = QPushButton("Done")
        self.done_button.setProperty("role", "primary")
        self.done_button.clicked.connect(self.accept)
        done_row.addWidget(self.again_button)
        done_row.addWidget(self.done_button)
        result_layout.addLayout(done_row)
        self.stack.addWidget(result)
        self.result_view = result

        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

    # -- setup -------------------------------------------------------------------------------
    def _update_stand_box(self, *_: object) -> None:
        minutes = int(self.duration_box.currentData())
        allowed = minutes * 60 - STAND_UP_LAST_S >= 60
        self.stand_box.setEnabled(allowed)
        if not allowed:
            self.stand_box.setChecked(False)
        self.stand_box.setToolTip(
            "" if allowed else "Standing up needs at least 2 minutes: one resting, one standing."
        )

    def configure(
        self, *, strap: str = "demo", minutes: int = 2, posture: str = "seated", stand: bool = False
    ) -> None:
        """Set the setup choices (used by tests and by the welcome's "try it now")."""
        self.strap_box.setCurrentIndex(max(self.strap_box.findData(strap), 0))
        self.duration_box.setCurrentIndex(DURATIONS_MIN.index(minutes))
        (self.lying_button if posture == "lying" else self.seated_button).setChecked(True)
        self.stand_box.setChecked(stand and self.stand_box.isEnabled())

    # -- running -----------------------------------------------------------------------------
    def start(self) -> None:
        if self.state not in ("setup", "result"):
            return
        kind = str(self.strap_box.currentData())
        minutes = int(self.duration_box.currentData())
        self._duration_s = minutes * 60.0
        self._stand_up_s = (
            self._duration_s - STAND_UP_LAST_S
            if self.stand_box.isChecked() and self.stand_box.isEnabled()
            else None
        )
        self._stand_prompted = False
        self._posture = "lying" if self.lying_button.isChecked() else "seated"
        self.outcome = None
        self.refusal = None
        self._refusal_details = ""
        self.comparison = None
        self._live_bpm = None
        self._live_at_s = None
        self._contact = None
        self._heard = False
        self.built = self._build_source(
            kind, self._last_address, lambda _t: NATURAL_BREATHING_BPM, self._options
        )
        assert self.built is not None
        if not self.built.simulated:
            save_strap_answer(self._store, StrapAnswer.STRAP)
        # the record opens now; the countdown starts with the first packet with skin contact
        engine = SessionEngine(
            self._store,
            SessionSpec(
                SessionKind.READINESS,
                sensor_name=self.built.name,
                sensor_address=self.built.address,
                simulated=self.built.simulated,
            ),
            source=self.built.source,
            clock=self.built.clock,
            plan=single_stage(self._duration_s),
            start_at=StartAt.CONTACT,
        )
        engine.subscribe(partial(self._on_session_event, engine))
        self.engine = engine
        self.session_id = engine.start()
        self.state = "connecting"
        self.countdown_label.setText(countdown_clock(self._duration_s))
        self.prompt_label.setText("Connecting to the strap\u2026")
        self.cue_label.setText("")
        self.status_label.setText("")
        self._show_live()
        self.stack.setCurrentWidget(self.run_view)
        self.source_task = asyncio.ensure_future(engine.run())
        self.timer.start()

    @property
    def recorder(self) -> SessionRecorder | None:
        """The recording, None until the first packet with skin contact."""
        return self.engine.recorder if self.engine is not None else None

    def _on_session_event(self, engine: SessionEngine, event: SessionEvent) -> None:
        if engine is not self.engine:
            return
        if isinstance(event, SamplesArrived):
            self._on_sample(event.sample)
            if engine.recorder is None:
                self.prompt_label.setText(
                    "Waiting for skin contact: moisten the strap's pads and put it on."
                )
        elif isinstance(event, StateChanged):
            if event.old is SessionState.CONNECTING and event.new is SessionState.RUNNING:
                self.state = "measuring"
                self.prompt_label.setText(
                    "Sit still and breathe naturally."
                    if self._posture == "seated"
                    else "Lie still and breathe naturally."
                )
                self.cue_label.setText(CALM_CUE)
            elif event.new is SessionState.ENDED and self.state == "measuring":
                # the time is up: beats after the end are not part of the check
                QTimer.singleShot(0, self._analyse)
        elif isinstance(event, ConnectionChanged):
            self._on_connection(event.event)
        elif isinstance(event, Failed):
            self._fail(event.reason)

    def _on_sample(self, sample: Sample) -> None:
        """Keep the newest heart rate and contact state for the live line."""
        measurement = sample.measurement
        self._heard = True
        if measurement.contact is not None:
            self._contact = measurement.contact
        if sample.is_reading:
            self._live_bpm = int(measurement.bpm)
            self._live_at_s = sample.arrival_s
        else:
            self._live_bpm = None
        self._show_live()

    def _fresh_bpm(self) -> int | None:
        built = self.built
        if self._live_bpm is None or self._live_at_s is None or built is None:
            return None
        if built.clock() - self._live_at_s > HEART_RATE_FRESH_S:
            return None
        return self._live_bpm

    def _show_live(self) -> None:
        heart = heart_rate_text(self._fresh_bpm())
        contact = contact_text(self._contact, self._heard)
        if self.heart_label.text() != heart:
            self.heart_label.setText(heart)
        if self.contact_label.text() != contact:
            self.contact_label.setText(contact)

    def _on_connection(self, event: ConnectionEvent) -> None:
        if event.kind is EventKind.CONTACT_LOST:
            self._contact = False
            self._show_live()
        elif event.kind is EventKind.CONTACT_REGAINED:
            self._contact = True
            self._show_live()
        if event.kind is EventKind.CONNECTED:
            if event.address and event.address != "demo":
                save_last_strap(self._store, event.name, event.address)
                if self.session_id is not None:
                    self._store.set_sensor(self.session_id, event.name, event.address)
            if self.state == "connecting":
                self.prompt_label.setText("Connected. Waiting for the first heartbeats\u2026")
        elif event.kind is EventKind.RR_UNAVAILABLE:
            self._fail(
                "This strap sends heart rate without beat-to-beat intervals, so the morning "
                "check cannot measure HRV with it."
            )

    def tick(self) -> None:
        """Move the countdown from the session clock; the engine ends the check on time."""
        engine = self.engine
        if self.state in ("connecting", "measuring"):
            self._show_live()  # a heart rate that stopped arriving goes stale
        if self.state != "measuring" or engine is None or engine.recorder is None:
            return
        engine.tick()
        elapsed = min(engine.active_s(), self._duration_s)
        self.countdown_label.setText(countdown_clock(self._duration_s - elapsed))
        if (
            self._stand_up_s is not None
            and elapsed >= self._stand_up_s
            and not self._stand_prompted
        ):
            self._stand_prompted = True
            self.prompt_label.setText("Please stand up now, and stand still for the last minute.")
            self.cue_label.setText("Stand easily, arms loose, and keep breathing naturally.")
        self.status_label.setText(f"{len(engine.recorder.beats)} heartbeats so far")

    def _stop_source(self) -> None:
        self.timer.stop()
        if self.engine is not None:
            self.engine.close_source()

    def _analyse(self) -> None:
        """The engine stored the session: analyse it and show the value."""
        if self.state != "measuring" or self.session_id is None:
            return
        self.state = "analysing"
        self._stop_source()
        session_id = self.session_id
        try:
            self.outcome = finish_readiness(
                self._store, session_id, posture=self._posture, stand_up_s=self._stand_up_s
            )
        except ReadinessRefusedError as exc:
            self.refusal = str(exc)
        except ReadinessUnavailableError as exc:
            self.refusal = str(exc)
        if self.outcome is not None and not (self.built is not None and self.built.simulated):
            self.comparison = self._compare(session_id, self.outcome)
        self.check_saved.emit(session_id)
        self._show_result()

    def _compare(self, session_id: int, result: ReadinessResult) -> RangeComparison:
        """This morning's value against the normal range of the days before it."""
        record = self._store.session(session_id)
        day = record.started_at.date() if record is not None else date.today()
        history = daily_values(self._store).rmssd_ms
        return compare_with_normal_range(result.rmssd_ms, day, history)

    def _show_result(self) -> None:
        self.state = "result"
        simulated = self.built is not None and self.built.simulated
        outcome = self.outcome
        comparison = self.comparison
        if outcome is not None and comparison is not None and not simulated:
            self.range_bar.set_range(outcome.rmssd_ms, comparison.low_ms, comparison.high_ms)
        else:
            self.range_bar.set_range(0.0, None, None)
        if outcome is not None:
            self.value_label.setText(f"HRV {outcome.rmssd_ms:.0f} ms")
            self.value_label.show()
            self.details.set_text(result_details(outcome, self.comparison))
        else:
            self.value_label.hide()
            self.details.set_text(self._refusal_details)
        if outcome is not None and simulated:
            self.result_heading.setText(f"Practice value ({SIMULATED_LABEL})")
            self.result_label.setText(
                f"{describe_result(outcome)}\n\nThis came from the demo strap's made-up "
                "heartbeats, so it is not compared with your normal range and does not count "
                "in your baseline."
            )
        elif outcome is not None:
            self.result_heading.setText("Your morning value")
            self.result_label.setText(describe_result(outcome, self.comparison))
        else:
            reason = self.refusal or "no value could be computed"
            self.result_heading.setText("No value this time")
            kept = (
                "The recording is kept in History"
                if self.session_id is not None
                else f"The recording was shorter than {MIN_KEPT_S:.0f} s, so it is not kept"
            )
            self.result_label.setText(
                f"{reason[:1].upper()}{reason[1:]}.\n\n{kept}; "
                "another check this morning, or a log entry, can give today's value."
            )
        self.stack.setCurrentWidget(self.result_view)

    def _fail(self, message: str) -> None:
        if self.state in ("result", "setup"):
            return
        self.timer.stop()
        if self.engine is not None:
            self.engine.cancel()  # kept as interrupted (also stops the source)
            if self.engine.discarded:  # too short to keep
                self.session_id = None
        if self.session_id is not None:
            self.check_saved.emit(self.session_id)
        trouble = trouble_from_message(message)
        self.refusal = (trouble.text if trouble is not None else message).rstrip(".")
        self._refusal_details = trouble.details if trouble is not None else ""
        self.outcome = None
        self._show_result()

    def cancel_check(self) -> None:
        """Stop a running check; the unfinished recording is removed."""
        if self.state in ("connecting", "measuring"):
            self.timer.stop()
            if self.engine is not None:
                self.engine.cancel()
            if self.session_id is not None:
                self._store.delete_session(self.session_id)
            self.session_id = None
            self.state = "setup"
        self.back_to_setup()

    def back_to_setup(self) -> None:
        self.state = "setup"
        self.stack.setCurrentWidget(self.setup_view)

    def reject(self) -> None:
        self.cancel_check()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.cancel_check()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the source task (the window is closing)."""
        self.cancel_check()
        task = self.source_task
        if task is not None and not task.done():
            with contextlib.suppress(RuntimeError):
                task.cancel()
