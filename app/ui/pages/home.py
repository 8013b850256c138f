"""The home screen: coping and healing side by side.

Left, "Today": the last session's effect (stress before and after from the reflection; for a strap
session, heart rate and RMSSD over the first vs the last two minutes, computed by
`app.session.summary` on a worker through `app.ui.tasks`; a failure is said on the card) and today's
readiness value or log entry, with the "Morning check" and "Log today" buttons (the window's Today
menu, `app.ui.shell.TodayMenu`, opens them too). Right, "Over weeks": the baseline chart, the
plain-language readings from `app.recovery.reading` and the recovery-speed comparison.

Everything comes from `app.recovery.overview.load_overview`, read on the GUI thread (the store's
connection belongs to it; the read is a few milliseconds for a year of days). `schedule_refresh`
coalesces refresh requests (after a session, a log entry, a morning check, or when the page is
shown), so several signals in a row cost one read. A manual-log-only user sees the same screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import partial

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.recovery.overview import BaselineOverview, load_overview
from app.recovery.reading import Mood, Reading
from app.session.durations import spoken_duration
from app.session.sources import SourceOptions
from app.store import Store
from app.store.daily import set_day_source
from app.store.records import SIMULATED_LABEL, BeatRecord, DaySource, MarkRecord, SessionRecord
from app.store.validation import showable_sessions, skipped_note
from app.ui.charts.baseline import BaselineChart
from app.ui.dialogs.log_form import LogFormDialog
from app.ui.dialogs.readiness import ReadinessDialog
from app.ui.pages import names
from app.ui.pages.page import PageBase
from app.ui.tasks import Tasks, default_runner, plain_error

HOME_PAGE_NAME = names.HOME.title
MIN_SUMMARY_BEATS = 30
#: A soft left edge per reading tone: calm colours, never red, never an alarm.
MOOD_EDGES = {
    Mood.GETTING_STARTED: "#9fb0aa",
    Mood.WITHIN: "#5fa99c",
    Mood.GENTLE: "#d7a85a",
    Mood.BRIGHT: "#7fb8d9",
}


def strap_effect_text(
    record: SessionRecord, beats: Sequence[BeatRecord], marks: Sequence[MarkRecord]
) -> str | None:
    """Heart rate and RMSSD, first vs last two minutes (halves of a short session), from the
    live-session summary."""
    from app.session.core_metrics import CoreAnalysis
    from app.session.summary import Comparison, summarize_session

    summary = summarize_session(record, beats, marks, CoreAnalysis(), with_following=False)
    before, after = summary.before, summary.after
    if before is None or after is None:
        return None
    parts: list[str] = []
    if before.mean_hr_bpm is not None and after.mean_hr_bpm is not None:
        parts.append(f"heart rate {before.mean_hr_bpm:.0f} \u2192 {after.mean_hr_bpm:.0f} bpm")
    if before.rmssd_ms is not None and after.rmssd_ms is not None:
        parts.append(f"HRV {before.rmssd_ms:.0f} \u2192 {after.rmssd_ms:.0f} ms")
    if not parts:
        return None
    compared = (
        "First vs second half"
        if summary.comparison is Comparison.HALVES
        else "First vs last 2 minutes"
    )
    return f"{compared}: " + ", ".join(parts) + "."


def _when(record: SessionRecord, today: date) -> str:
    day = record.started_at.date()
    clock = record.started_at.strftime("%H:%M")
    if day == today:
        return f"today at {clock}"
    if (today - day).days == 1:
        return f"yesterday at {clock}"
    return f"{day:%d %b} at {clock}"


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else f", {spoken_duration(seconds)}"


def last_session_lines(record: SessionRecord | None, today: date) -> list[str]:
    """The plain part of the "last session" card (the strap numbers come later)."""
    if record is None:
        return [
            "No breathing session yet: a few minutes on the Breathe page is a gentle start, "
            "and how you felt before and after shows up here."
        ]
    lines = [f"{record.kind.label}{_minutes(record.duration_s)}, {_when(record, today)}."]
    if record.simulated:
        lines.append(f"Practice with the demo strap ({SIMULATED_LABEL}).")
    if record.stress_before is not None and record.stress_after is not None:
        change = record.stress_after - record.stress_before
        how = (
            "a little lighter"
            if change < 0
            else ("about the same" if change == 0 else "a little heavier, and that is fine")
        )
        lines.append(
            f"Stress {record.stress_before} before \u2192 {record.stress_after} after ({how})."
        )
    elif record.stress_before is not None or record.stress_after is not None:
        lines.append("Stress: only one of before/after was noted.")
    if record.note:
        lines.append(f"\u201c{record.note}\u201d")
    return lines


def today_lines(overview: BaselineOverview) -> list[str]:
    """Today's readiness value or log entry, in plain lines."""
    lines: list[str] = []
    if overview.today_rmssd_ms is not None:
        from_check = overview.today_rmssd_from == DaySource.MORNING_CHECK
        source = "morning check" if from_check else "your log"
        lines.append(f"HRV {overview.today_rmssd_ms:.0f} ms, from {source}.")
        choice = day_choice_text(overview)
        if choice:
            lines.append(choice)
    hr = overview.daily.resting_hr_bpm.get(overview.today)
    if hr is not None:
        lines.append(f"Resting heart rate {hr:.0f} bpm.")
    entry = overview.today_log
    if entry is not None:
        scales = [
            f"{name} {value}/5"
            for name, value in (
                ("sleep", entry.sleep),
                ("stress", entry.stress),
                ("mood", entry.mood),
            )
            if value is not None
        ]
        if scales:
            lines.append(", ".join(scales).capitalize() + ".")
        if entry.note:
            lines.append(f"\u201c{entry.note}\u201d")
    if overview.today_moments:
        lines.append("Moments of ease: " + "; ".join(overview.today_moments) + ".")
    if not lines:
        lines.append(
            "Nothing yet today: a morning check with a strap, or a log entry, adds today's "
            "HRV to the chart."
        )
    return lines


def day_choice_text(overview: BaselineOverview) -> str:
    """When today has both a morning check and a log value: both, and which one counts."""
    daily, day = overview.daily, overview.today
    manual = daily.manual_rmssd_ms(day)
    check = daily.check_rmssd_ms.get(day)
    if manual is None or check is None:
        return ""
    counts = "your log value" if daily.rmssd_from.get(day) == DaySource.MANUAL else "the check"
    return (
        f"Today has a morning check ({check:.0f} ms) and a log value ({manual:.0f} ms); "
        f"{counts} counts for the day."
    )


def latest_week_text(overview: BaselineOverview) -> str:
    """The latest week's median settling after effort or stress, in one sentence ("" if none)."""
    if not overview.recovery_weeks:
        return ""
    week = overview.recovery_weeks[-1]
    parts: list[str] = []
    if week.median_tau_s is not None:
        parts.append(f"settled with a time constant of about {week.median_tau_s:.0f} s")
    if week.median_drop_60s_bpm is not None:
        parts.append(f"dropped about {week.median_drop_60s_bpm:.0f} bpm in the first minute")
    if not parts:
        return ""
    n = week.n_episodes
    return (
        f"Week of {week.week_start:%d %b}: after effort or stress your heart rate "
        f"{' and '.join(parts)} (median of {n} {'recovery' if n == 1 else 'recoveries'})."
    )


def _card(title: str) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("homeCard")
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    layout = QVBoxLayout(frame)
    heading = QLabel(title)
    heading.setStyleSheet("font-weight: 600;")
    layout.addWidget(heading)
    return frame, layout


def _body_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return label


class HelpLink(QLabel):
    """A small "What is this?" link (mouse or keyboard), in the theme's link colour.

    A label keeps the link colour it was given, so the text is set again when the palette
    changes (a theme switch), or the link would stay light-theme blue on a dark page.
    """

    def __init__(self, text: str, tip: str) -> None:
        super().__init__()
        self._text = text
        self.setObjectName("helpLink")
        self.setToolTip(tip)
        self.setAccessibleName(f"{text} {tip}")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self._render()

    def _render(self) -> None:
        colour = self.palette().color(QPalette.ColorRole.Link).name()
        self.setText(f'<a href="help" style="color: {colour};">{self._text}</a>')

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._render()


def _help_link(text: str, tip: str) -> HelpLink:
    return HelpLink(text, tip)


#: The empty Home's three ways to start: (button text, what it does).
EMPTY_STEPS = (
    ("Morning check", "Sit still for a few minutes with a heart-rate strap: your first HRV value."),
    ("Breathe", "A few minutes of slow breathing with the pacer; no strap needed."),
    ("Import\u2026", "Recordings or daily HRV values from another app or device."),
)


class HomePage(QWidget, PageBase):
    """Coping (today) and healing (over weeks) side by side.

    Signals:
        message(str): a short sentence for the status bar.
        data_changed(): a log entry or morning check was stored from this page.
        breathe_requested(): the empty state's "Breathe" button (show the Breathe page).
        import_requested(): the empty state's "Import" button (choose files to import).
        help_requested(): a "What is this?" link (show the page explaining words and scales).
    """

    message = Signal(str)
    data_changed = Signal()
    breathe_requested = Signal()
    import_requested = Signal()
    help_requested = Signal()
    TITLE = names.HOME.title
    ICON_NAME = names.HOME.icon_name

    def __init__(
        self,
        store: Store,
        source_options: SourceOptions,
        *,
        today: Callable[[], date] = date.today,
        prefer_demo: bool = False,
        tasks: Tasks | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._options = source_options
        self._today = today
        self._prefer_demo = prefer_demo
        self._tasks = tasks if tasks is not None else default_runner()
        self._effects: dict[int, str] = {}
        self._effect_pending: set[int] = set()
        self._last_session_id: int | None = None
        self.overview: BaselineOverview | None = None
        self.log_dialog: LogFormDialog | None = None
        self.readiness_dialog: ReadinessDialog | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)

        # -- left: today -------------------------------------------------------------------
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("Today")
        heading.setProperty("role", "heading")
        left_layout.addWidget(heading)
        coping_hint = QLabel("Coping: how the last session felt")
        coping_hint.setProperty("role", "muted")
        left_layout.addWidget(coping_hint)
        session_card, session_layout = _card("Last session")
        self.session_label = _body_label()
        self.effect_label = _body_label()
        self.effect_label.hide()
        session_layout.addWidget(self.session_label)
        session_layout.addWidget(self.effect_label)
        left_layout.addWidget(session_card)

        today_card, today_layout = _card("This morning")
        self.today_label = _body_label()
        today_layout.addWidget(self.today_label)
        buttons = QHBoxLayout()
        self.check_button = QPushButton("Morning check")
        self.check_button.setToolTip(
            f"A short resting measurement with a strap ({names.CHECK_SHORTCUT})"
        )
        self.check_button.clicked.connect(self.open_morning_check)
        self.log_button = QPushButton("Log today")
        self.log_button.setToolTip(f"Log today's values, no strap needed ({names.LOG_SHORTCUT})")
        self.log_button.clicked.connect(self.open_log_form)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.log_button)
        buttons.addStretch(1)
        self.source_button = QPushButton()
        self.source_button.setToolTip(
            "Today has a measured morning check and a value in your log: choose which counts"
        )
        self.source_button.clicked.connect(self.switch_today_source)
        self.source_button.hide()
        today_layout.addWidget(self.source_button)
        today_layout.addLayout(buttons)
        left_layout.addWidget(today_card)
        left_layout.addStretch(1)
        left.setMinimumWidth(self.fontMetrics().averageCharWidth() * 40)
        left.setMaximumWidth(self.fontMetrics().averageCharWidth() * 48)

        # -- right: over weeks -------------------------------------------------------------
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        weeks_row = QHBoxLayout()
        weeks_heading = QLabel("Over weeks")
        weeks_heading.setProperty("role", "heading")
        weeks_row.addWidget(weeks_heading)
        weeks_row.addStretch(1)
        self.help_link = _help_link(
            "What is this?", "What HRV (ms), the 7-day average and your normal range mean"
        )
        self.help_link.linkActivated.connect(lambda _l: self.help_requested.emit())
        weeks_row.addWidget(self.help_link)
        right_layout.addLayout(weeks_row)
        healing_hint = QLabel(
            "Healing: your resting HRV in milliseconds, its 7-day average, and your own normal "
            "range"
        )
        healing_hint.setProperty("role", "muted")
        healing_hint.setWordWrap(True)
        right_layout.addWidget(healing_hint)
        self.chart = BaselineChart()
        right_layout.addWidget(self.chart, 1)
        self.reading_frame = QFrame()
        self.reading_frame.setObjectName("readingFrame")
        frame_layout = QHBoxLayout(self.reading_frame)
        frame_layout.setContentsMargins(0, 4, 4, 4)
        frame_layout.setSpacing(10)
        self.reading_edge = QFrame()  # a soft colour bar for the reading's tone
        self.reading_edge.setObjectName("readingEdge")
        self.reading_edge.setFixedWidth(4)
        frame_layout.addWidget(self.reading_edge)
        reading_layout = QVBoxLayout()
        reading_layout.setContentsMargins(0, 0, 0, 0)
        frame_layout.addLayout(reading_layout, 1)
        self.change_label = _body_label()
        self.change_label.setObjectName("whatChanged")
        self.change_label.setAccessibleName("What changed")
        self.reading_label = _body_label()
        self.reading_label.setAccessibleName("How your baseline reads")
        self.hr_reading_label = _body_label()
        self.recovery_label = _body_label()
        self.recovery_label.setAccessibleName("Recovery speed")
        for label in (
            self.change_label,
            self.reading_label,
            self.hr_reading_label,
            self.recovery_label,
        ):
            reading_layout.addWidget(label)
        right_layout.addWidget(self.reading_frame)

        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumWidth(left.minimumWidth() + 12)
        scroll.setMaximumWidth(left.maximumWidth() + 12)
        columns = QWidget()
        columns_layout = QHBoxLayout(columns)
        columns_layout.setContentsMargins(0, 0, 0, 0)
        columns_layout.setSpacing(18)
        columns_layout.addWidget(scroll)
        columns_layout.addWidget(right, 1)
        self.columns = columns
        self.empty_state = self._build_empty_state()
        outer.addWidget(self.empty_state, 1)
        outer.addWidget(columns, 1)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        self.refresh()

    def _build_empty_state(self) -> QFrame:
        """One place that says what to do first, instead of an empty card in every corner."""
        frame = QFrame()
        frame.setObjectName("emptyHome")
        outer = QHBoxLayout(frame)
        outer.addStretch(1)
        body = QWidget()
        body.setMaximumWidth(self.fontMetrics().averageCharWidth() * 72)
        layout = QVBoxLayout(body)
        layout.addStretch(1)
        title = QLabel("Welcome to Baseline")
        title.setProperty("role", "heading")
        layout.addWidget(title)
        intro = QLabel(
            "Nothing is recorded yet. Choose one way to start; what you do fills this page."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        self.empty_buttons: dict[str, QPushButton] = {}
        actions = (self.open_morning_check, self.breathe_requested.emit, self.import_requested.emit)
        for row, ((text, what), act) in enumerate(zip(EMPTY_STEPS, actions, strict=True)):
            button = QPushButton(text)
            button.clicked.connect(lambda _c=False, a=act: a())
            explain = QLabel(what)
            explain.setWordWrap(True)
            explain.setBuddy(button)
            grid.addWidget(button, row, 0)
            grid.addWidget(explain, row, 1)
            self.empty_buttons[text.rstrip("\u2026")] = button
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        link = _help_link("What is HRV?", "What HRV (ms) and the other words and scales mean")
        link.linkActivated.connect(lambda _l: self.help_requested.emit())
        self.empty_help_link = link
        layout.addWidget(link)
        layout.addStretch(2)
        outer.addWidget(body, 4)
        outer.addStretch(1)
        frame.hide()
        return frame

    @property
    def is_empty(self) -> bool:
        """Nothing is recorded yet: the page shows its one empty state."""
        return self.empty_state.isVisibleTo(self)

    # -- data --------------------------------------------------------------------------------
    def schedule_refresh(self, *_: object) -> None:
        """Refresh soon (several requests in a row cost one read)."""
        self._refresh_timer.start()

    def refresh(self) -> None:
        """Read the store and show everything again."""
        today = self._today()
        overview = load_overview(self._store, today)
        self.overview = overview
        empty = not self._store.sessions() and not overview.daily.log and not overview.today_moments
        self.empty_state.setVisible(empty)
        self.columns.setVisible(not empty)
        self.chart.show_tables(overview.ln_rmssd, overview.resting_hr, overview.overlays)
        self.chart.setVisible(self.chart.has_data)
        self.change_label.setText(overview.hrv_change.text)
        self._show_reading(overview.ln_rmssd_reading, overview.resting_hr_reading)
        self.recovery_label.setText(self._recovery_text(overview))
        self.today_label.setText("\n".join(today_lines(overview)))
        self._show_source_button(overview)
        self._show_last_session(today)

    def _show_source_button(self, overview: BaselineOverview) -> None:
        if not overview.daily.has_both(overview.today):
            self.source_button.hide()
            return
        manual = overview.daily.rmssd_from.get(overview.today) == DaySource.MANUAL
        self.source_button.setText(
            "Count the morning check instead" if manual else "Count my log value instead"
        )
        self.source_button.show()

    def switch_today_source(self) -> None:
        """Today has both values: make the other one count (remembered for the day)."""
        overview = self.overview
        if overview is None or not overview.daily.has_both(overview.today):
            return
        manual = overview.daily.rmssd_from.get(overview.today) == DaySource.MANUAL
        chosen = DaySource.MORNING_CHECK if manual else DaySource.MANUAL
        set_day_source(self._store, overview.today.isoformat(), chosen)
        self.message.emit(
            "Today counts the morning check." if manual else "Today counts your log value."
        )
        self.data_changed.emit()
        self.refresh()

    @staticmethod
    def _recovery_text(overview: BaselineOverview) -> str:
        comparison = overview.recovery_comparison
        latest = latest_week_text(overview)
        if comparison.direction is not None:
            return f"{comparison.text} {latest}".strip()
        if latest:
            return latest
        if overview.recovery:
            n = len(overview.recovery)
            return (
                f"Recovery speed: {n} measured {'recovery' if n == 1 else 'recoveries'} so far; "
                "a comparison with a month ago needs a few more weeks."
            )
        return (
            "Recovery speed appears after strap sessions that start with a raised heart rate "
            "or a tagged stressor."
        )

    def _show_reading(self, ln: Reading, hr: Reading) -> None:
        # The change sentence already says where the HRV sits; the reading adds its advice
        # ("go gently", "no need to push") only when it is outside the normal range.
        advice = ln.mood in (Mood.GENTLE, Mood.BRIGHT)
        self.reading_label.setText(ln.text if advice else "")
        self.reading_label.setVisible(advice)
        show_hr = hr.mood is not Mood.GETTING_STARTED
        hr_text = (
            "Resting heart rate: within your normal range." if hr.mood is Mood.WITHIN else hr.text
        )
        self.hr_reading_label.setText(hr_text if show_hr else "")
        self.hr_reading_label.setVisible(show_hr)
        edge = MOOD_EDGES[ln.mood]
        self.reading_edge.setStyleSheet(
            f"QFrame#readingEdge {{ background: {edge}; border-radius: 2px; }}"
        )
        self.reading_frame.setProperty("mood", ln.mood.value)

    def _last_session(self) -> tuple[SessionRecord | None, int]:
        """The newest finished session that is not a morning check, and how many stored
        sessions hold impossible values and are skipped."""
        records, n_skipped = showable_sessions(
            self._store.sessions(), now=datetime.now().astimezone()
        )
        for record in records:
            if record.kind != "readiness" and record.status != "active":
                return record, n_skipped
        return None, n_skipped

    def _show_last_session(self, today: date) -> None:
        record, n_skipped = self._last_session()
        try:
            lines = last_session_lines(record, today)
        except (OverflowError, ValueError):
            record, lines = None, last_session_lines(None, today)
            n_skipped += 1
        note = skipped_note(n_skipped)
        self.session_label.setText("\n".join([*lines, note] if note else lines))
        self._last_session_id = None if record is None else record.id
        if record is None:
            self.effect_label.hide()
            return
        cached = self._effects.get(record.id)
        if cached is not None:
            self.effect_label.setText(cached)
            self.effect_label.setVisible(bool(cached))
            return
        self.effect_label.hide()
        if record.id in self._effect_pending:
            return
        beats = tuple(self._store.beats(record.id))
        if len(beats) < MIN_SUMMARY_BEATS:
            self._effects[record.id] = ""
            return
        marks = tuple(self._store.marks(record.id))
        self._effect_pending.add(record.id)
        self._tasks.run_task(
            partial(strap_effect_text, record, beats, marks),
            partial(self._effect_ready, record.id),
            partial(self._effect_failed, record.id),
            owner=self,
        )

    def _effect_failed(self, session_id: int, exc: Exception) -> None:
        """The before/after could not be computed: the card says so (the session is kept)."""
        self._effect_ready(
            session_id, f"The before and after could not be computed: {plain_error(exc)}."
        )

    def _effect_ready(self, session_id: int, text: str | None) -> None:
        text = text or ""
        self._effect_pending.discard(session_id)
        self._effects[session_id] = text
        if session_id == self._last_session_id:
            self.effect_label.setText(text)
            self.effect_label.setVisible(bool(text))

    def wait_for_effects(self, timeout_ms: int = 5000) -> bool:
        """Wait for background summaries (tests, shutdown)."""
        return self._tasks.wait(timeout_ms)

    # -- page protocol -----------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        """A morning check is being measured."""
        dialog = self.readiness_dialog
        return dialog is not None and dialog.state in ("connecting", "measuring")

    def enter(self) -> None:
        self.schedule_refresh()

    # -- actions -----------------------------------------------------------------------------
    def open_log_form(self, day: date | None = None) -> LogFormDialog:
        """Open the log form (non-blocking) for `day` (today by default)."""
        dialog = LogFormDialog(self._store, self._today, day=day, parent=self)
        dialog.saved.connect(self._log_saved)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda *_: setattr(self, "log_dialog", None))
        self.log_dialog = dialog
        dialog.open()
        return dialog

    def _log_saved(self, iso: str) -> None:
        self.message.emit(f"Logged {iso}.")
        self.data_changed.emit()
        self.schedule_refresh()

    def open_morning_check(self, *, prefer_demo: bool | None = None) -> ReadinessDialog:
        """Open the morning check (non-blocking)."""
        if self.readiness_dialog is not None:
            self.readiness_dialog.raise_()
            return self.readiness_dialog
        demo = self._prefer_demo if prefer_demo is None else prefer_demo
        dialog = ReadinessDialog(self._store, self._options, prefer_demo=demo, parent=self)
        dialog.check_saved.connect(self._check_saved)
        dialog.finished.connect(lambda _r: self._readiness_closed(dialog))
        self.readiness_dialog = dialog
        dialog.open()
        return dialog

    def _readiness_closed(self, dialog: ReadinessDialog) -> None:
        if self.readiness_dialog is dialog:
            self.readiness_dialog = None
        dialog.deleteLater()

    def _check_saved(self, _session_id: int) -> None:
        self.message.emit("Morning check saved.")
        self.data_changed.emit()
        self.schedule_refresh()

    def shutdown(self) -> None:
        """The window is closing: no more reads of the store from here."""
        self._refresh_timer.stop()
        if self.readiness_dialog is not None:
            self.readiness_dialog.shutdown()
        self.wait_for_effects(2000)
