"""The live session screen: choose a source, breathe with the pacer over live heart data, see the
summary.

Threads and timers: the heart-rate source runs as an asyncio task on the GUI loop (qasync, main
thread) and only feeds the Qt-free `LiveSession`; a ~60 Hz timer moves the pacer from the clock,
and a ~30 Hz timer takes a snapshot and updates plots, numbers and the connection strip. Sensor
packets never repaint anything directly. The summary is computed on a worker (`app.ui.tasks`)
from immutable inputs (frozen records); a failure is shown on the page in plain words.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.breathing import cue_times, pacer_state
from app.session.controller import ConnectionState, ConnectionStatus, LiveSession
from app.session.durations import elapsed_clock, spoken_duration
from app.session.engine import SHORT_SESSION_NOTE
from app.session.events import ConnectionChanged, SamplesArrived, SessionEvent, StateChanged
from app.session.live import LiveAnalysis
from app.session.ring import FloatRing
from app.session.sources import BuiltSource, SourceOptions, build_source
from app.session.state import SessionState
from app.session.summary import SessionSummary, summarize_session
from app.store import Store
from app.store.records import BeatRecord, MarkRecord, SessionRecord
from app.store.settings import AppSettings, load_last_strap, save_last_strap
from app.ui.charts.live_plots import LivePlots
from app.ui.dialogs.reflection import ReflectionDialog, save_reflection
from app.ui.pages import names
from app.ui.pages.page import PageBase, page_shortcut
from app.ui.services.session_tone import SessionTone
from app.ui.services.settings_model import SettingsModel
from app.ui.services.sound import CuePlayer
from app.ui.tasks import Tasks, default_runner, plain_error
from app.ui.widgets.details import DetailsToggle
from app.ui.widgets.following_line import FollowingLine
from app.ui.widgets.live_numbers import LiveNumbersPanel
from app.ui.widgets.pacer import PacerWidget
from app.ui.widgets.reasoned_button import ReasonedButton
from app.ui.widgets.source_picker import SOURCE_KINDS, ScanFn, SourceKind, SourcePicker
from sensors.trouble import trouble_from_message

if TYPE_CHECKING:
    from app.ui.dialogs.session_summary import SessionSummaryView

FRAME_INTERVAL_MS = 16
SUMMARY_PENDING_TEXT = "Putting your summary together\u2026"
# The clock line is looked at 4 times a second; plots and numbers are drawn again when beats
# arrive (at once), when the connection or pause state changes, and otherwise once a second.
PLOT_INTERVAL_MS = 250
LIVE_REFRESH_S = 1.0
# A redraw takes a few ms (and the plots' paint after it): it runs at once when the next pacer
# frame is at least this far away, else right after that frame (new beats wait at most this).
REDRAW_HEADROOM_MS = 10


def connection_text(state: ConnectionState, choice_label: str) -> str:
    """The always-visible connection line."""
    name = state.name or choice_label
    if state.status is ConnectionStatus.NONE:
        return "No strap: the pacer only"
    if state.status is ConnectionStatus.SCANNING:
        return f"Looking for {name}\u2026"
    if state.status is ConnectionStatus.FAILED:
        return f"{name}: not connected"
    parts = [f"\u25cf {name}"]
    if state.status is ConnectionStatus.RECONNECTING:
        parts = [f"\u25cb {name}: link lost"]
    if state.battery_pct is not None:
        parts.append(f"battery {state.battery_pct}%")
    if state.contact is False:
        parts.append("no skin contact: moisten the strap's pads")
    elif state.contact is True:
        parts.append("contact good")
    if not state.rr_available:
        parts.append("heart rate only (no RR from this strap)")
    return " \u00b7 ".join(parts)


STRAP_CHECK_AFTER_DROPS = 3  # the banner offers "Check my strap" from this many drops on


def offers_strap_check(state: ConnectionState, link_drops: int) -> bool:
    """The banner offers "Check my strap" when the strap cannot be reached or keeps dropping."""
    if state.status is ConnectionStatus.FAILED:
        return True
    return state.status is ConnectionStatus.RECONNECTING and (
        link_drops >= STRAP_CHECK_AFTER_DROPS or state.attempt >= STRAP_CHECK_AFTER_DROPS
    )


def banner_text(state: ConnectionState) -> str | None:
    """The non-blocking banner while the link is down or the source failed, else None."""
    if state.status is ConnectionStatus.RECONNECTING:
        attempt = f" (attempt {state.attempt})" if state.attempt else ""
        return (
            f"Reconnecting\u2026{attempt} Keep breathing with the pacer; "
            "the gap will be marked on the plots."
        )
    if state.status is ConnectionStatus.FAILED:
        trouble = trouble_from_message(state.message) if state.message else None
        plain = trouble.text if trouble is not None else state.message
        return (plain or "The strap could not be reached.") + " The pacer keeps going."
    return None


def banner_details(state: ConnectionState) -> str:
    """The technical detail behind the banner's "Details" (empty when there is none)."""
    if state.status is not ConnectionStatus.FAILED or not state.message:
        return ""
    trouble = trouble_from_message(state.message)
    return trouble.details if trouble is not None else ""


class LiveSessionPage(QWidget, PageBase):
    """Setup -> live session -> summary.

    Signals:
        session_saved(int): a session was stored or its reflection added.
        message(str): a short sentence for the status bar.
        check_strap_requested(): the banner's "Check my strap" was pressed.
    """

    check_strap_requested = Signal()
    session_saved = Signal(int)
    message = Signal(str)
    TITLE = names.LIVE.title
    ICON_NAME = names.LIVE.icon_name

    def __init__(
        self,
        store: Store,
        model: SettingsModel,
        analysis: LiveAnalysis,
        source_options: SourceOptions,
        *,
        scan: ScanFn | None = None,
        cue_player: object | None = None,
        initial_source: str = "demo",
        tasks: Tasks | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._model = model
        self._analysis = analysis
        self._options = source_options
        self._cues = cue_player
        self._tasks = tasks if tasks is not None else default_runner()
        self.session: LiveSession | None = None
        self.built: BuiltSource | None = None
        self.tone: SessionTone | None = None
        self.source_task: asyncio.Task[None] | None = None
        self.reflection_dialog: ReflectionDialog | None = None
        self.summary: SessionSummary | None = None
        self._summary_for: int | None = None
        self._choice_label = ""
        self._cue_from_s = 0.0
        self._shown_connection: ConnectionState | None = None
        # Measurements for the benchmark: pacer frame intervals and beat-to-screen latency (s).
        self.frame_intervals_s = FloatRing(8192)
        self.beat_latencies_s = FloatRing(4096)
        self._last_frame_perf: float | None = None
        self._last_beats_shown = 0
        self._stopping = False
        self.beat_in_app_latencies_s = FloatRing(4096)

        self.stack = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        # -- setup view --
        setup = QWidget()
        sl = QVBoxLayout(setup)
        heading = QLabel("Breathe with live heart data")
        heading.setProperty("role", "heading")
        sl.addWidget(heading)
        intro = QLabel(
            "Your heart rate rises a little as you breathe in and falls as you breathe out. "
            "Here you can watch those waves grow while you follow the pacer."
        )
        intro.setWordWrap(True)
        intro.setProperty("role", "muted")
        sl.addWidget(intro)
        self.picker = SourcePicker(load_last_strap(store), scan, initial=_initial(initial_source))
        sl.addWidget(self.picker)
        self.pattern_label = QLabel("")
        self.pattern_label.setProperty("role", "muted")
        sl.addWidget(self.pattern_label)
        self.start_guard = ReasonedButton("Start session", "Start breathing with the pacer")
        self.start_button = self.start_guard.button
        self.start_button.setProperty("role", "primary")
        self.start_button.clicked.connect(self.start)
        sl.addWidget(self.start_guard)
        self.picker.choice_changed.connect(self._update_start)
        self._update_start()
        sl.addStretch(1)
        self.stack.addWidget(setup)
        self.setup_view = setup

        # -- running view --
        run = QWidget()
        rl = QVBoxLayout(run)
        top = QHBoxLayout()
        self.connection_label = QLabel("")
        self.connection_label.setAccessibleName("Connection")
        self.clock_label = QLabel("")
        self.clock_label.setProperty("role", "clock")
        top.addWidget(self.connection_label, 1)
        top.addWidget(self.clock_label)
        rl.addLayout(top)
        self.banner = QFrame()
        self.banner.setObjectName("noticeBar")
        bl = QHBoxLayout(self.banner)
        banner_text_column = QVBoxLayout()
        bl.setContentsMargins(10, 4, 10, 4)
        self.banner_label = QLabel("")
        self.banner_label.setWordWrap(True)
        self.banner_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.banner_details = DetailsToggle()
        banner_text_column.addWidget(self.banner_label)
        banner_text_column.addWidget(self.banner_details)
        bl.addLayout(banner_text_column, 1)
        self.banner_check_button = QPushButton("Check my strap")
        self.banner_check_button.hide()
        self.banner_check_button.clicked.connect(self.check_strap_requested)
        bl.addWidget(self.banner_check_button)
        self._link_drops = 0
        # The banner keeps its place while hidden, so nothing jumps when the link drops.
        policy = self.banner.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.banner.setSizePolicy(policy)
        self.banner.hide()
        rl.addWidget(self.banner)
        middle = QHBoxLayout()
        self.pacer = PacerWidget()
        self.pacer.setMinimumSize(220, 220)
        self.plots = LivePlots()
        middle.addWidget(self.pacer, 2)
        middle.addWidget(self.plots, 3)
        rl.addLayout(middle, 1)
        self.following_line = FollowingLine()
        rl.addWidget(self.following_line)
        self.numbers = LiveNumbersPanel()
        rl.addWidget(self.numbers)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.pause_button.setToolTip("Pause or resume (Space)")
        self.stop_button.setToolTip("End the session (Esc)")
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(lambda: self.stop())
        buttons.addWidget(self.pause_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        rl.addLayout(buttons)
        self.stack.addWidget(run)
        self.run_view = run

        # -- summary view --
        self._summary_view: SessionSummaryView | None = None  # built when first shown
        self.summary_pending = QWidget()
        pending_layout = QVBoxLayout(self.summary_pending)
        self.summary_pending_label = QLabel(SUMMARY_PENDING_TEXT)
        self.summary_pending_label.setWordWrap(True)
        self.summary_back_button = QPushButton("Back to the start")
        self.summary_back_button.clicked.connect(self.back_to_setup)
        self.summary_back_button.hide()
        pending_layout.addWidget(self.summary_pending_label)
        pending_layout.addWidget(self.summary_back_button, 0, Qt.AlignmentFlag.AlignLeft)
        pending_layout.addStretch(1)
        self.stack.addWidget(self.summary_pending)

        self.frame_timer = QTimer(self)
        self.frame_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.frame_timer.setInterval(FRAME_INTERVAL_MS)
        self.frame_timer.timeout.connect(self.refresh_pacer)
        self.plot_timer = QTimer(self)
        self.plot_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.plot_timer.setInterval(PLOT_INTERVAL_MS)
        self.plot_timer.timeout.connect(self._live_tick)
        self._data_timer = QTimer(self)  # new beats: draw them on the next turn of the loop
        self._data_timer.setSingleShot(True)
        self._data_timer.setInterval(0)
        self._data_timer.timeout.connect(self._live_tick)
        self._last_live_refresh = -math.inf
        self._live_pending = False
        self._live_shown: tuple[int, bool, ConnectionState] | None = None

        self.space_action = page_shortcut(self, "Start / pause", Qt.Key.Key_Space)
        self.space_action.triggered.connect(self.start_or_toggle)
        self.esc_action = page_shortcut(self, "Stop", Qt.Key.Key_Escape)
        self.esc_action.triggered.connect(lambda: self.stop() if self.is_active else None)
        model.changed.connect(self._settings_changed)
        self._update_pattern_label()
        warm_up = getattr(analysis, "warm_up", None)
        if callable(warm_up):  # one-off first-call costs, paid off the GUI thread
            self._tasks.run_task(warm_up, lambda _r: None, self._warm_up_failed, owner=self)

    def _warm_up_failed(self, exc: Exception) -> None:
        self.message.emit(f"The heart-rate analysis could not be prepared: {plain_error(exc)}.")

    # -- page protocol -----------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.is_active

    # -- shortcuts ---------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.space_action.setEnabled(True)
        self.esc_action.setEnabled(True)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt override)
        super().hideEvent(event)
        self.space_action.setEnabled(False)
        self.esc_action.setEnabled(False)

    def _settings_changed(self, settings: AppSettings) -> None:
        self._update_pattern_label()

    def _update_pattern_label(self) -> None:
        s = self._model.settings
        length = s.session_length_s
        length_text = "open length" if length is None else f"{elapsed_clock(length)} min"
        self.pattern_label.setText(
            f"Pacer: {s.rate_bpm:g} breaths/min, in:out {s.pattern().ratio_label}, {length_text}"
            " (change it on the Breathe page)."
        )

    # -- state ---------------------------------------------------------------------------------
    @property
    def is_active(self) -> bool:
        return self.session is not None and self.session.running

    def start_or_toggle(self) -> None:
        if self.is_active:
            self.toggle_pause()
        elif self.stack.currentWidget() is self.setup_view:
            self.start()

    def _update_start(self, *_: object) -> None:
        """Start is enabled only for a complete choice; otherwise the reason sits beside it."""
        self.start_guard.set_reason(self.picker.missing_reason())

    def start(self) -> None:
        if self.is_active or not self.picker.is_complete():
            self._update_start()  # the reason is on screen beside the disabled button
            return
        choice = self.picker.choice()
        self._choice_label = choice.label
        settings = self._model.settings
        pattern = settings.pattern()
        holder: list[LiveSession] = []

        def rate_at(strap_t_s: float) -> float:
            if not holder:
                return pattern.rate_bpm
            session = holder[0]
            return session.current_rate_bpm(session.engine.active_time(max(0.0, strap_t_s)))

        self.built = build_source(choice.kind, choice.address, rate_at, self._options)
        clock = self.built.clock if self.built else self._options.clock
        session = LiveSession(
            self._store,
            pattern,
            self._analysis,
            source=self.built.source if self.built else None,
            clock=clock,
            length_s=settings.session_length_s,
        )
        holder.append(session)
        session.session_engine.subscribe(partial(self._on_session_event, session))
        self.session = session
        name = self.built.name if self.built else None
        address = self.built.address if self.built else None
        simulated = self.built.simulated if self.built else False
        session.start(sensor_name=name, sensor_address=address, simulated=simulated)
        if self.built is not None:
            self.source_task = asyncio.ensure_future(session.run_source())
        self._cue_from_s = 0.0
        self._last_frame_perf = None
        self._last_beats_shown = 0
        self._shown_connection = None
        self._link_drops = 0
        self.following_line.show_read(None)
        # no heart data (the pacer only), no line: there is nothing to follow with
        self.following_line.setVisible(self.built is not None)
        player = self._cues if isinstance(self._cues, CuePlayer) else None
        self.tone = SessionTone(player, settings.tone_follows)
        self.tone.start()
        self.stack.setCurrentWidget(self.run_view)
        self.frame_timer.start()
        self.plot_timer.start()
        self.refresh_pacer()
        self.refresh_live()
        self._update_buttons()

    def _on_session_event(self, session: LiveSession, event: SessionEvent) -> None:
        """New beats are drawn at once; a timed session that reached its length ends by itself
        (the engine ends it)."""
        if isinstance(event, SamplesArrived | ConnectionChanged) and session is self.session:
            self._data_timer.start()
        if (
            isinstance(event, StateChanged)
            and event.new is SessionState.ENDED
            and session is self.session
            and not self._stopping
        ):
            self._show_end(session, ended_by_itself=True, reflect=True)

    def toggle_pause(self) -> None:
        session = self.session
        if session is None or not session.running:
            return
        if session.is_paused():
            session.resume()
            if self.tone is not None:
                self.tone.start()
        else:
            session.pause()
            if session.is_paused():
                self.pacer.show_paused()
                if self.tone is not None:
                    self.tone.stop()
        self.refresh_live()
        self._update_buttons()

    def _update_buttons(self) -> None:
        paused = self.session is not None and self.session.is_paused()
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_button.setEnabled(self.is_active)
        self.stop_button.setEnabled(self.is_active)

    # -- frames ----------------------------------------------------------------------------------
    def refresh_pacer(self) -> None:
        """One pacer frame, then the plots and numbers if a redraw is due: right after a frame,
        a redraw (a few ms, and the plots' paint) has the most time before the next one."""
        self._pacer_frame()
        if self._live_pending:
            self._live_pending = False
            if self.session is not None:
                self.refresh_live()

    def _pacer_frame(self) -> None:
        """Position from the clock, never from counting ticks."""
        now = time.perf_counter()
        if self._last_frame_perf is not None:
            self.frame_intervals_s.append(now - self._last_frame_perf)
        self._last_frame_perf = now
        session = self.session
        if session is None or session.timer.state != "running":
            return
        active_s = session.pacer_t_s()
        state = pacer_state(session.pattern, active_s)
        self.pacer.show_state(state)  # it repaints only what changed
        play = getattr(self._cues, "play_cue", None)
        if play is not None and active_s > self._cue_from_s:
            due = cue_times(session.pattern, self._cue_from_s, active_s)
            if due:
                play(due[-1])
        self._cue_from_s = active_s

    def _live_tick(self) -> None:
        """Draw plots and numbers again if anything they show changed, else only the clock."""
        session = self.session
        if session is None:
            return
        session.tick()  # ends a timed session at its length
        if not session.running:
            return
        shown = (session.beats_received, session.is_paused(), session.connection)
        if (
            shown != self._live_shown
            or time.monotonic() - self._last_live_refresh >= LIVE_REFRESH_S
        ):
            next_frame_ms = self.frame_timer.remainingTime()
            if self.frame_timer.isActive() and 0 <= next_frame_ms < REDRAW_HEADROOM_MS:
                self._live_pending = True  # the next pacer frame, due soon, redraws them
            else:
                self.refresh_live()
        self._show_clock(session)

    def refresh_live(self) -> None:
        """One live frame: snapshot -> plots, numbers, connection strip."""
        session = self.session
        if session is None:
            return
        session.tick()
        self._last_live_refresh = time.monotonic()
        self._live_shown = (session.beats_received, session.is_paused(), session.connection)
        snap = session.snapshot()
        self.plots.update_from(snap)
        self.following_line.show_read(session.current_following())
        self.numbers.show_numbers(
            snap.heart_rate,
            snap.rmssd,
            snap.coherence,
            snap.hr_swing,
            link_down=session.connection.link_down,
        )
        if self.tone is not None:
            read = session.current_following()
            self.tone.update(snap.coherence.value, read.following if read is not None else None)
        if snap.beats_total != self._last_beats_shown:
            received = session.last_beat_received_s
            if received is not None:
                self.beat_in_app_latencies_s.append(time.monotonic() - received)
            arrival = session.last_beat_arrival_s
            if arrival is not None:
                speed = (
                    self._options.demo_speed if self.built and self.built.address == "demo" else 1.0
                )
                self.beat_latencies_s.append((session.clock() - arrival) / max(speed, 1e-9))
            self._last_beats_shown = snap.beats_total
        self._show_clock(session)
        self._show_connection(session.connection)

    def _show_clock(self, session: LiveSession) -> None:
        left = session.remaining_s()
        clock = f"Breathing {elapsed_clock(session.active_s())}"
        if left is not None:
            clock += f" \u00b7 {elapsed_clock(left)} left"
        if session.is_paused():
            clock += " (paused)"
        if self.clock_label.text() != clock:
            self.clock_label.setText(clock)

    def _show_connection(self, state: ConnectionState) -> None:
        if state == self._shown_connection:
            return
        previous = self._shown_connection
        if (
            state.status is ConnectionStatus.RECONNECTING
            and previous is not None
            and previous.status is ConnectionStatus.CONNECTED
        ):
            self._link_drops += 1
        self._shown_connection = state
        self.banner_check_button.setVisible(offers_strap_check(state, self._link_drops))
        self.connection_label.setText(connection_text(state, self._choice_label))
        text = banner_text(state)
        self.banner.setVisible(text is not None)
        if text is not None:
            self.banner_label.setText(text)
        details = banner_details(state)
        if details != self.banner_details.text():
            self.banner_details.set_text(details)
        if state.status is ConnectionStatus.CONNECTED and state.address:  # never the demo
            save_last_strap(self._store, state.name, state.address)

    # -- stop, reflection, summary ------------------------------------------------------------
    def stop(self, *, reflect: bool = True) -> None:
        session = self.session
        if session is None or not session.running:
            return
        self._stopping = True
        try:
            session.stop()
        finally:
            self._stopping = False
        self._show_end(session, ended_by_itself=False, reflect=reflect)

    def _show_end(self, session: LiveSession, *, ended_by_itself: bool, reflect: bool) -> None:
        session_id = session.stop()  # stops the source of a session that ended by itself
        if self.tone is not None:
            self.tone.stop()
        self.frame_timer.stop()
        self.plot_timer.stop()
        self._update_buttons()
        if session_id is None:
            if session.session_engine.discarded:
                self.message.emit(SHORT_SESSION_NOTE)
                self.pacer.show_idle("Not kept")
            return
        self.session_saved.emit(session_id)
        self.message.emit("Session complete." if ended_by_itself else "Session saved.")
        self.pacer.show_idle("Session complete" if ended_by_itself else "Session saved")
        if reflect:
            dialog = ReflectionDialog(spoken_duration(session.active_s()), self)
            dialog.finished.connect(partial(self._reflection_done, session_id, dialog))
            self.reflection_dialog = dialog
            dialog.open()
        else:
            self.show_summary_for(session_id)

    def _reflection_done(self, session_id: int, dialog: ReflectionDialog, result: int) -> None:
        if save_reflection(self._store, session_id, dialog, result):
            self.session_saved.emit(session_id)
        self.reflection_dialog = None
        dialog.deleteLater()
        self.show_summary_for(session_id)

    def show_summary_for(self, session_id: int) -> None:
        """Compute the summary off the GUI thread from immutable inputs, then show it."""
        record = self._store.session(session_id)
        if record is None:
            self.back_to_setup()
            return
        beats = tuple(self._store.beats(session_id))
        marks = tuple(self._store.marks(session_id))
        self.summary = None
        self.summary_pending_label.setText(SUMMARY_PENDING_TEXT)
        self.summary_back_button.hide()
        self.stack.setCurrentWidget(self.summary_pending)
        self._summary_for = session_id
        self._tasks.run_task(
            partial(_summarize, record, beats, marks, self._analysis),
            partial(self._summary_ready, session_id),
            partial(self._summary_failed, session_id),
            owner=self,
        )

    def _summary_failed(self, session_id: int, exc: Exception) -> None:
        """The summary could not be computed: say so, keep the way back (the session is kept)."""
        if session_id != self._summary_for:
            return
        self._summary_for = None
        self.summary_pending_label.setText(
            f"The summary could not be put together: {plain_error(exc)}. The session is kept "
            "in History."
        )
        self.summary_back_button.show()
        self.message.emit("The session's summary could not be put together.")

    def _summary_ready(self, session_id: int, summary: SessionSummary) -> None:
        if session_id != self._summary_for:
            return
        self._summary_for = None
        self.summary = summary
        self.summary_view.show_summary(summary)
        self.stack.setCurrentWidget(self.summary_view)

    @property
    def summary_view(self) -> SessionSummaryView:
        """The session summary, built when first needed: its plot is pyqtgraph's, which a live
        session otherwise never imports (some 30 MB)."""
        if self._summary_view is None:
            from app.ui.dialogs.session_summary import SessionSummaryView

            view = SessionSummaryView()
            view.done.connect(self.back_to_setup)
            self.stack.addWidget(view)
            self._summary_view = view
        return self._summary_view

    def back_to_setup(self) -> None:
        self.stack.setCurrentWidget(self.setup_view)
        self.pacer.show_idle()

    def shutdown(self) -> None:
        """The window is closing: store a running session as it stands, without questions."""
        self.stop(reflect=False)
        self._tasks.wait(2000)


def _summarize(
    record: SessionRecord,
    beats: Sequence[BeatRecord],
    marks: Sequence[MarkRecord],
    analysis: LiveAnalysis,
) -> SessionSummary:
    return summarize_session(record, beats, marks, analysis)


def _initial(kind: str) -> SourceKind:
    for known in SOURCE_KINDS:
        if kind == known:
            return known
    return "demo"
