"""Plugs "Check my strap" into the window: Settings, the source picker and the session banner.

Called once by the composition root with the Settings page and the pages that have a source
picker or a banner; each "Check my strap" button opens the doctor window over the Bluetooth
backend the sessions use.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from app.ui.dialogs.strap_doctor import StrapDoctorDialog, doctor_run, open_strap_doctor
from app.ui.pages.live_session import LiveSessionPage
from app.ui.pages.settings import SettingsPage
from app.ui.widgets.source_picker import SourcePicker
from sensors.ble import SYSTEM_BACKEND, BleBackend
from sensors.doctor import DoctorLimits


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


def install_strap_doctor(
    parent: QWidget,
    settings_page: SettingsPage,
    pickers: Sequence[SourcePicker] = (),
    live_pages: Sequence[LiveSessionPage] = (),
    backend: BleBackend = SYSTEM_BACKEND,
    limits: DoctorLimits | None = None,
) -> StrapDoctorLauncher:
    """Connect every "Check my strap" button to one launcher (windows open over `parent`)."""
    launcher = StrapDoctorLauncher(parent, backend, limits)
    settings_button = settings_page.check_strap_button
    settings_button.setEnabled(True)
    settings_button.clicked.connect(lambda: launcher.open())
    for picker in pickers:
        picker.check_strap_button.setVisible(True)
        picker.check_strap_button.clicked.connect(lambda: launcher.open())
    for page in live_pages:
        page.check_strap_requested.connect(lambda: launcher.open())
    return launcher
