"""Choosing the heart-rate source before a session: last strap, a scanned strap, demo, or none.

The scan itself is injected (an async callable returning `FoundStrap`s), so this widget knows
nothing about Bluetooth; it runs on the GUI's asyncio loop and never blocks the window. When the
scan fails, the trouble is said in plain words with what to do on this system
(`sensors.trouble`), the technical detail behind "Details"; the text wraps, so it never widens
the window.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets.details import DetailsToggle
from sensors.found import FoundStrap
from sensors.trouble import BluetoothTrouble, trouble_from_error

SourceKind = Literal["last", "ble", "demo", "none"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("last", "ble", "demo", "none")


@dataclass(frozen=True, slots=True)
class SourceChoice:
    """What the user picked. `address`/`name` are set for "last" and "ble"."""

    kind: SourceKind
    name: str | None = None
    address: str | None = None

    @property
    def label(self) -> str:
        if self.kind == "demo":
            return "Demo strap"
        if self.kind == "none":
            return "No strap (pacer only)"
        return self.name or self.address or "Heart-rate strap"


ScanFn = Callable[[], Awaitable[Sequence[FoundStrap]]]


class SourcePicker(QWidget):
    """Radio choices plus a scan list.

    Signals:
        choice_changed(object): the new `SourceChoice`.
    """

    choice_changed = Signal(object)

    def __init__(
        self,
        last_strap: FoundStrap | None,
        scan: ScanFn | None,
        initial: SourceKind = "demo",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._last = last_strap
        self._scan = scan
        self._scan_task: asyncio.Task[None] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Heart data from")
        title.setProperty("role", "heading")
        layout.addWidget(title)
        self._group = QButtonGroup(self)
        self.last_button = QRadioButton(
            f"My last strap: {last_strap.label}" if last_strap else "My last strap (none yet)"
        )
        self.last_button.setEnabled(last_strap is not None)
        self.scan_button = QRadioButton("A strap nearby")
        self.scan_button.setEnabled(scan is not None)
        self.demo_button = QRadioButton("Demo strap (simulated heart data, to try things out)")
        self.none_button = QRadioButton("No strap: the pacer only")
        for button in (self.last_button, self.scan_button, self.demo_button, self.none_button):
            self._group.addButton(button)
            layout.addWidget(button)
        row = QHBoxLayout()
        row.setContentsMargins(24, 0, 0, 0)
        self.scan_list = QListWidget()
        self.scan_list.setMaximumHeight(120)
        self.scan_again = QPushButton("Scan")
        self.scan_status = QLabel("")
        self.scan_status.setProperty("role", "muted")
        side = QVBoxLayout()
        side.addWidget(self.scan_again)
        side.addWidget(self.scan_status)
        side.addStretch(1)
        row.addWidget(self.scan_list, 1)
        row.addLayout(side)
        layout.addLayout(row)
        # Bluetooth trouble: plain words and what to do, the technical detail behind a button.
        self.trouble_box = QFrame()
        self.trouble_box.setObjectName("noticeBar")
        trouble_layout = QVBoxLayout(self.trouble_box)
        trouble_layout.setContentsMargins(10, 6, 10, 6)
        self.trouble_label = QLabel("")
        self.trouble_label.setWordWrap(True)
        self.trouble_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.trouble_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.trouble_details = DetailsToggle()
        trouble_layout.addWidget(self.trouble_label)
        trouble_layout.addWidget(self.trouble_details)
        self.trouble_box.hide()
        self.trouble: BluetoothTrouble | None = None
        indent = QHBoxLayout()
        indent.setContentsMargins(24, 0, 0, 0)
        indent.addWidget(self.trouble_box)
        layout.addLayout(indent)
        self.check_strap_button = QPushButton("Check my strap")
        self.check_strap_button.setToolTip(
            "Find the strap, connect and listen to it, and say what to do if something is wrong"
        )
        self.check_strap_button.setVisible(False)  # shown once something opens the check
        layout.addWidget(self.check_strap_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.scan_again.clicked.connect(self.start_scan)
        self.scan_again.setEnabled(scan is not None)
        self.scan_list.currentItemChanged.connect(self._emit)
        self._group.buttonToggled.connect(self._on_toggled)
        start = {
            "last": self.last_button,
            "ble": self.scan_button,
            "demo": self.demo_button,
            "none": self.none_button,
        }[initial]
        if not start.isEnabled():  # no strap remembered yet: the pacer alone, never made-up data
            start = self.none_button
        start.setChecked(True)
        self._on_toggled()

    def _on_toggled(self, *_: object) -> None:
        scanning = self.scan_button.isChecked()
        self.scan_list.setVisible(scanning)
        self.scan_again.setVisible(scanning)
        self.scan_status.setVisible(scanning)
        self.trouble_box.setVisible(scanning and self.trouble is not None)
        if scanning and self.scan_list.count() == 0 and self._scan_task is None:
            self.start_scan()
        self._emit()

    def _emit(self, *_: object) -> None:
        self.choice_changed.emit(self.choice())

    def choice(self) -> SourceChoice:
        if self.last_button.isChecked() and self._last is not None:
            return SourceChoice("last", self._last.label, self._last.address)
        if self.scan_button.isChecked():
            row = self.scan_list.currentRow()
            if row < 0:
                return SourceChoice("ble")
            strap: FoundStrap = self.scan_list.item(row).data(0x0100)
            return SourceChoice("ble", strap.label, strap.address)
        if self.none_button.isChecked():
            return SourceChoice("none")
        return SourceChoice("demo")

    def is_complete(self) -> bool:
        """False while "a strap nearby" is chosen but none is selected."""
        return self.missing_reason() is None

    def missing_reason(self) -> str | None:
        """Why a session cannot start with this choice yet, in plain words; None when it can."""
        choice = self.choice()
        if not (choice.kind == "ble" and choice.address is None):
            return None
        if self._scan_task is not None:
            return "Looking for straps nearby\u2026 choose yours in the list when it appears."
        if self.trouble is not None:
            return (
                "Bluetooth cannot be used right now (see above): choose the demo strap or no "
                "strap, or press Scan once it is fixed."
            )
        if self.scan_list.count() == 0:
            return (
                "No strap chosen yet: wear your strap and press Scan, or choose the demo strap "
                "or no strap."
            )
        return "Choose your strap in the list first."

    def start_scan(self) -> None:
        if self._scan is None or self._scan_task is not None:
            return
        self.scan_status.setText("Scanning...")
        self.scan_again.setEnabled(False)
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            self.scan_status.setText("Scanning is not available here")
            return
        self._scan_task = loop.create_task(self._run_scan())
        self._emit()

    async def _run_scan(self) -> None:
        assert self._scan is not None
        try:
            found = await self._scan()
        except Exception as exc:  # shown to the user, never swallowed silently
            self.show_trouble(trouble_from_error(exc))
            found = ()
        else:
            self.show_trouble(None)
            self.scan_status.setText(f"{len(found)} found" if found else "No strap found")
        finally:
            self._scan_task = None
            self.scan_again.setEnabled(True)
        self.set_found(found)

    def show_trouble(self, trouble: BluetoothTrouble | None) -> None:
        """Say what went wrong with Bluetooth and what to do, or clear it (None)."""
        self.trouble = trouble
        if trouble is None:
            self.trouble_box.hide()
            self.trouble_label.clear()
            self.trouble_details.set_text("")
            return
        self.scan_status.setText("Bluetooth problem")
        self.trouble_label.setText(trouble.text)
        self.trouble_details.set_text(trouble.details)
        self.trouble_box.setVisible(self.scan_button.isChecked())

    def set_found(self, straps: Sequence[FoundStrap]) -> None:
        self.scan_list.clear()
        for strap in straps:
            signal = f"  ({strap.rssi} dBm)" if strap.rssi is not None else ""
            item = QListWidgetItem(f"{strap.label}{signal}")
            item.setData(0x0100, strap)
            self.scan_list.addItem(item)
        if straps:
            self.scan_list.setCurrentRow(0)
        self._emit()
