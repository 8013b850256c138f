"""The Breathe page: pattern controls, the pacer, and a sensorless session from start to reflection.

The pacer's position comes from the injected clock (active seconds since the start, pauses left
out), not from counting timer ticks: the ~60 Hz frame timer only asks "where are we now?" and
repaints, and it runs only while a session is breathing.
"""

from __future__ import annotations

import math
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.breathing import BreathingPattern, SessionTimer, cue_times, pacer_state
from app.breathing.session_timer import Clock
from app.session.durations import elapsed_clock, spoken_duration
from app.session.engine import SHORT_SESSION_NOTE, SessionEngine, SessionSpec, single_stage
from app.session.events import SessionEvent, StateChanged
from app.session.state import SessionState
from app.store import Store
from app.store.records import SessionKind
from app.ui.dialogs.reflection import ReflectionDialog, save_reflection
from app.ui.pages import names
from app.ui.pages.page import PageBase, page_shortcut
from app.ui.services.settings_model import SettingsModel
from app.ui.services.sound import CuePlayer
from app.ui.widgets.pacer import PacerWidget
from app.ui.widgets.pattern_editor import PatternEditor

FRAME_INTERVAL_MS = 16  # ~60 Hz while breathing; no frames while idle or paused
LOOK_INTERVAL_S = 0.1  # how often a frame also updates the time line and lets the engine tick


class BreathePage(QWidget, PageBase):
    """A guided breathing session without a sensor.

    Signals:
        session_saved(int): a session was stored, or its reflection was added (the session id).
        message(str): a short sentence for the status bar.
    """

    session_saved = Signal(int)
    message = Signal(str)
    TITLE = names.BREATHE.title
    ICON_NAME = names.BREATHE.icon_name

    def __init__(
        self,
        store: Store,
        model: SettingsModel,
        cue_player: CuePlayer,
        clock: Clock,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._model = model
        self._cues = cue_player
        self._clock = clock
        self.engine: SessionEngine | None = None
        self.pattern: BreathingPattern | None = None
        self.reflection_dialog: ReflectionDialog | None = None
        self._cue_from_s = 0.0
        self._looked_at_s = -math.inf
        self._stopping = False

        self.pacer = PacerWidget()
        self.elapsed_label = QLabel()
        self.elapsed_label.setProperty("role", "clock")
        self.remaining_label = QLabel()
        self.remaining_label.setProperty("role", "clock")
        self.remaining_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.start_button = QPushButton("Start")
        self.start_button.setProperty("role", "primary")
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        for button, tip in (
            (self.start_button, "Start a session (Space)"),
            (self.pause_button, "Pause or resume (Space)"),
            (self.stop_button, "End the session (Esc)"),
        ):
            button.setToolTip(tip)
            if button is not self.start_button:
                button.setProperty("role", "session")
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(lambda: self.stop())

        self.editor = PatternEditor(model)
        heading = QLabel("Breathing pattern")
        heading.setProperty("role", "heading")
        hint = QLabel(
            "Breathe gently through the nose, low into the belly. Most people settle between "
            "4.5 and 6.5 breaths a minute."
        )
        hint.setWordWrap(True)
        hint.setProperty("role", "muted")
        side = QFrame()
        side.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(heading)
        side_layout.addWidget(self.editor)
        side_layout.addSpacing(self.fontMetrics().height())
        side_layout.addWidget(hint)
        side_layout.addStretch(1)
        side.setMaximumWidth(self.fontMetrics().averageCharWidth() * 58)

        times = QHBoxLayout()
        times.addWidget(self.elapsed_label)
        times.addStretch(1)
        times.addWidget(self.remaining_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        centre = QVBoxLayout()
        centre.addWidget(self.pacer, 1)
        centre.addLayout(times)
        centre.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addLayout(centre, 3)
        layout.addWidget(side, 0)

        self.frame_timer = QTimer(self)
        self.frame_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.frame_timer.setInterval(FRAME_INTERVAL_MS)
        self.frame_timer.timeout.connect(self.refresh_now)

        self.start_pause_action = page_shortcut(self, "Start / pause", Qt.Key.Key_Space)
        self.start_pause_action.triggered.connect(self.start_or_toggle)
        self.stop_action = page_shortcut(self, "Stop", Qt.Key.Key_Escape)
        self.stop_action.triggered.connect(lambda: self.stop() if self.is_active else None)
        model.changed.connect(lambda _settings: self._update_time_labels())
        self._update_controls()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.start_pause_action.setEnabled(True)
        self.stop_action.setEnabled(True)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt override)
        super().hideEvent(event)
        self.start_pause_action.setEnabled(False)
        self.stop_action.setEnabled(False)

    # -- page protocol -----------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.is_active

    # -- state -----------------------------------------------------------------------------
    @property
    def timer(self) -> SessionTimer | None:
        """The session's time (None before the first session and after its reflection)."""
        return self.engine.timer if self.engine is not None else None

    @property
    def session_id(self) -> int | None:
        return self.engine.session_id if self.engine is not None else None

    @property
    def is_active(self) -> bool:
        """A session is running or paused."""
        return self.engine is not None and self.engine.state.is_live

    @property
    def is_paused(self) -> bool:
        return self.engine is not None and self.engine.state is SessionState.PAUSED

    def _update_controls(self) -> None:
        """Each control is enabled, or disabled with its reason as its tooltip."""
        active = self.is_active
        reflecting = self.reflection_dialog is not None
        self.start_button.setEnabled(not active and not reflecting)
        self.start_button.setToolTip(
            "A session is running: pause or stop it first."
            if active
            else "Answer or close the reflection first."
            if reflecting
            else "Start a session (Space)"
        )
        idle_reason = "No session is running: press Start first."
        self.pause_button.setEnabled(active)
        self.pause_button.setText("Resume" if self.is_paused else "Pause")
        self.pause_button.setToolTip("Pause or resume (Space)" if active else idle_reason)
        self.stop_button.setEnabled(active)
        self.stop_button.setToolTip("End the session (Esc)" if active else idle_reason)
        self.editor.setEnabled(not active)
        self.editor.setToolTip(
            "The pattern can be changed once this session ends." if active else ""
        )
        self._update_time_labels()

    def _update_time_labels(self) -> None:
        if self.timer is None or self.timer.state == "idle":
            length_s = self._model.settings.session_length_s
            elapsed = "Not started"
            remaining = "Open session" if length_s is None else f"{elapsed_clock(length_s)} session"
        else:
            elapsed = f"Breathing {elapsed_clock(self.timer.active_s())}"
            left = self.timer.remaining_s()
            remaining = "Open session" if left is None else f"{elapsed_clock(left)} left"
            state = self.pacer.state
            if self.timer.state == "paused":
                elapsed += " (paused)"
            elif (
                state is not None
                and self.pattern is not None
                and abs(state.current_rate_bpm - self.pattern.rate_bpm) >= 0.05
            ):
                elapsed += f"  ·  easing in at {state.current_rate_bpm:.1f}/min"
        if self.elapsed_label.text() != elapsed:
            self.elapsed_label.setText(elapsed)
        if self.remaining_label.text() != remaining:
            self.remaining_label.setText(remaining)

    # -- session ---------------------------------------------------------------------------
    def start_or_toggle(self) -> None:
        """What Space does: start when idle, otherwise pause or resume."""
        if self.is_active:
            self.toggle_pause()
        elif self.reflection_dialog is None:
            self.start()

    def start(self) -> None:
        if self.is_active or self.reflection_dialog is not None:
            return
        settings = self._model.settings
        self.pattern = settings.pattern()
        engine = SessionEngine(
            self._store,
            SessionSpec(
                SessionKind.BREATHING,
                rate_bpm=self.pattern.rate_bpm,
                pattern_json=self.pattern.to_json(),
            ),
            clock=self._clock,
            plan=single_stage(settings.session_length_s, self.pattern.rate_bpm),
        )
        engine.subscribe(partial(self._on_session_event, engine))
        self.engine = engine
        engine.start()
        self._cue_from_s = 0.0
        self._looked_at_s = -math.inf
        self.frame_timer.start()
        self.refresh_now()
        self._update_controls()

    def toggle_pause(self) -> None:
        engine = self.engine
        if engine is None or not self.is_active:
            return
        if self.is_paused:
            engine.resume()
            self.frame_timer.start()
        else:
            engine.pause()
            self.frame_timer.stop()
            self.pacer.show_paused()
        self.refresh_now()
        self._update_controls()

    def refresh_now(self) -> None:
        """One frame: read the clock, move the pacer, play any cue that is due; the engine
        stores a checkpoint every second (a crash keeps the length) and ends a timed session."""
        engine = self.engine
        if engine is None or self.pattern is None or engine.state is not SessionState.RUNNING:
            return
        active_s = engine.active_s()
        self.pacer.show_state(pacer_state(self.pattern, active_s))
        if active_s > self._cue_from_s:
            due = cue_times(self.pattern, self._cue_from_s, active_s)
            if due:  # after a stall, only the latest cue is worth hearing
                self._cues.play_cue(due[-1])
            self._cue_from_s = active_s
        # The time line and the engine's look at the clock 10 times a second, not every frame.
        if not 0.0 <= active_s - self._looked_at_s < LOOK_INTERVAL_S:
            self._looked_at_s = active_s
            self._update_time_labels()
            engine.tick()

    def _on_session_event(self, engine: SessionEngine, event: SessionEvent) -> None:
        """A timed session that reached its length ends by itself (the engine ends it)."""
        if (
            isinstance(event, StateChanged)
            and event.new is SessionState.ENDED
            and engine is self.engine
            and not self._stopping
        ):
            self._show_end(engine, ended_by_itself=True, reflect=True)

    def stop(self, *, reflect: bool = True) -> None:
        """End the session, store it, and (unless `reflect` is False) ask for a reflection."""
        engine = self.engine
        if engine is None or not self.is_active:
            return
        self._stopping = True
        try:
            engine.stop()
        finally:
            self._stopping = False
        self._show_end(engine, ended_by_itself=False, reflect=reflect)

    def _show_end(self, engine: SessionEngine, *, ended_by_itself: bool, reflect: bool) -> None:
        self.frame_timer.stop()
        session_id = engine.session_id
        if session_id is None:  # shorter than the shortest session kept
            self.engine = None
            self.pacer.show_idle("Not kept")
            self.message.emit(SHORT_SESSION_NOTE)
            self._update_controls()
            return
        duration_s = engine.duration_s or 0.0
        self.session_saved.emit(session_id)
        self.pacer.show_idle("Session complete" if ended_by_itself else "Session saved")
        self.message.emit(f"Session saved: {spoken_duration(duration_s)} of breathing.")
        if reflect:
            dialog = ReflectionDialog(spoken_duration(duration_s), self)
            dialog.finished.connect(partial(self._reflection_done, session_id, dialog))
            self.reflection_dialog = dialog
            dialog.open()
        self._update_controls()

    def _reflection_done(self, session_id: int, dialog: ReflectionDialog, result: int) -> None:
        if save_reflection(self._store, session_id, dialog, result):
            self.session_saved.emit(session_id)
        self.reflection_dialog = None
        dialog.deleteLater()
        self.engine = None
        self.pacer.show_idle()
        self._update_controls()

    def shutdown(self) -> None:
        """The window is closing: store a running session as it stands, without questions."""
        self.stop(reflect=False)
