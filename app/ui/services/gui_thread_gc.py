"""Garbage collection on the GUI thread only.

Python's automatic collection runs on whichever thread happens to allocate; a collection on a
worker thread could destroy Qt objects there ("Timers cannot be stopped from another thread").
`GuiThreadCollector` turns the automatic collection off and collects from a timer on the GUI
thread instead, generation by generation, when the counts pass the thresholds that automatic
collection uses (as pyqtgraph's `GarbageCollector`, without importing pyqtgraph at start-up).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_INTERVAL_MS = 1000


class GuiThreadCollector(QObject):
    """While it exists and runs, garbage is collected on the GUI thread only."""

    def __init__(self, interval_ms: int = CHECK_INTERVAL_MS, parent: QObject | None = None):
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        """Turn automatic collection off and collect from the timer from now on."""
        gc.disable()
        self._timer.start()

    def check(self) -> None:
        """Collect the generations whose counts passed their thresholds (younger first)."""
        count0, count1, count2 = gc.get_count()
        limit0, limit1, limit2 = self._thresholds
        if count0 > limit0:
            gc.collect(0)
            if count1 > limit1:
                gc.collect(1)
                if count2 > limit2:
                    gc.collect(2)
