""" "Check my strap": the connection doctor's findings, one row per check, as they come in.

The doctor itself (`sensors.doctor`) is injected as a `DoctorRun`, so this window knows nothing
about Bluetooth; it runs on the GUI's asyncio loop and never blocks the window.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sensors.ble_backend import SYSTEM_BACKEND, BleBackend
from sensors.doctor_findings import Check, DoctorLimits, DoctorReport, Finding

DoctorRun = Callable[[Callable[[Finding], None]], Awaitable[DoctorReport]]

CHECK_TITLES: dict[Check, str] = {
    Check.ADAPTER: "Bluetooth",
    Check.STRAP_FOUND: "Strap found",
    Check.CONNECT: "Connection",
    Check.HEART_RATE: "Heart rate",
    Check.BEAT_INTERVALS: "Beat intervals (for HRV)",
    Check.CONTACT: "Skin contact",
    Check.BATTERY: "Battery",
}
STATUS_TEXT: dict[bool | None, str] = {True: "OK", False: "Problem", None: "Not checked"}
READY_TEXT = "Your strap is ready: heart rate and beat intervals arrive."


def doctor_run(
    backend: BleBackend = SYSTEM_BACKEND,
    address: str | None = None,
    limits: DoctorLimits | None = None,
) -> DoctorRun:
    """The doctor over `backend`, as the dialog runs it."""

    async def run(on_finding: Callable[[Finding], None]) -> DoctorReport:
        from sensors.doctor import run_doctor  # loads bleak: only when the check runs

        return await run_doctor(
            backend, address=address, limits=limits or DoctorLimits(), on_finding=on_finding
        )

    return run


class StrapDoctorDialog(QDialog):
    """Runs the doctor when shown (and on "Check again") and shows each finding.

    Signals:
        report_ready(object): the `DoctorReport` of a finished run.
    """

    report_ready = Signal(object)

    def __init__(self, run: DoctorRun, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Check my strap")
        self._run = run
        self._task: asyncio.Task[None] | None = None
        self.report: DoctorReport | None = None
        intro = QLabel(
            "Wear the strap with moist electrodes and keep it close. Baseline looks for it, "
            "connects, and listens for a few seconds."
        )
        intro.setWordWrap(True)
        grid = QGridLayout()
        self.status_labels: dict[Check, QLabel] = {}
        self.detail_labels: dict[Check, QLabel] = {}
        for row, check in enumerate(Check):
            title = QLabel(CHECK_TITLES[check])
            title.setProperty("role", "heading")
            status = QLabel("")
            detail = QLabel("")
            detail.setWordWrap(True)
            detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(title, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(status, row, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(detail, row, 2)
            self.status_labels[check] = status
            self.detail_labels[check] = detail
        grid.setColumnStretch(2, 1)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.again_button = QPushButton("Check again")
        self.again_button.clicked.connect(self.start)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.again_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        self.resize(640, 420)

    def is_running(self) -> bool:
        return self._task is not None

    def start(self) -> None:
        """Run the checks (again); does nothing while a run is under way."""
        if self._task is not None:
            return
        self.report = None
        for check in Check:
            self.status_labels[check].setText("")
            self.detail_labels[check].setText("")
        self.status_labels[Check.ADAPTER].setText("Checking...")
        self.summary.setText("Checking...")
        self.again_button.setEnabled(False)
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            self.summary.setText("Checking is not available here")
            self.again_button.setEnabled(True)
            return
        self._task = loop.create_task(self._checks())

    def _on_finding(self, finding: Finding) -> None:
        self.status_labels[finding.check].setText(STATUS_TEXT[finding.ok])
        self.detail_labels[finding.check].setText(finding.detail)
        following = list(Check)
        index = following.index(finding.check) + 1
        if index < len(following) and finding.ok is not None:
            self.status_labels[following[index]].setText("Checking...")

    async def _checks(self) -> None:
        try:
            report = await self._run(self._on_finding)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # shown to the user, never swallowed silently
            self.summary.setText(f"The check stopped: {exc or type(exc).__name__}")
            return
        finally:
            self._task = None
            self.again_button.setEnabled(True)
        self.report = report
        self._show_summary(report)
        self.report_ready.emit(report)

    def _show_summary(self, report: DoctorReport) -> None:
        problem = report.first_problem
        if report.healthy:
            self.summary.setText(READY_TEXT)
        elif problem is not None:
            self.summary.setText(f"{CHECK_TITLES[problem.check]}: {problem.detail}")
        else:
            self.summary.setText("Not every check could run; see above.")

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def done(self, result: int) -> None:
        self.stop()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.stop()
        super().closeEvent(event)


def open_strap_doctor(run: DoctorRun, parent: QWidget | None = None) -> StrapDoctorDialog:
    """Show the dialog (non-blocking) and start the checks."""
    dialog = StrapDoctorDialog(run, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    dialog.start()
    return dialog


class StrapDoctorLauncher:
    """Opens one doctor window at a time (a second request brings the open one forward)."""

    def __init__(
        self,
        parent: QWidget,
        backend: BleBackend = SYSTEM_BACKEND,
        limits: DoctorLimits | None = None,
    ) -> None:
        self._parent = parent
        self._backend = backend
        self._limits = limits
        self.dialog: StrapDoctorDialog | None = None

    def open(self, address: str | None = None) -> StrapDoctorDialog:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        dialog = open_strap_doctor(doctor_run(self._backend, address, self._limits), self._parent)
        dialog.destroyed.connect(lambda *_: self._forget(dialog))
        self.dialog = dialog
        return dialog

    def _forget(self, dialog: StrapDoctorDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
