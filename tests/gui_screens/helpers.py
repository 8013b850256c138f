"""Helpers for the screen tests: strap packets, a scripted strap for the morning check."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from pytestqt.qtbot import QtBot

from app.session.sources import BuiltSource, SourceOptions
from app.store import Store
from app.ui.dialogs.readiness import ReadinessDialog
from sensors.hrs import encode_measurement, parse_measurement
from sensors.source import Sample
from tests.stubs import FakeClock, ScriptedSource

OPTIONS = SourceOptions(demo_speed=math.inf, demo_seed=7)


def packet(at_s: float, bpm: int, rr_ms: tuple[float, ...] = (), contact: bool = True) -> Sample:
    units = tuple(round(r * 1.024) for r in rr_ms) or None
    return Sample(parse_measurement(encode_measurement(bpm, contact=contact, rr_units=units)), at_s)


def scripted(strap: ScriptedSource, clock: FakeClock) -> Callable[..., BuiltSource]:
    def build(
        _kind: str, _address: str | None, _rate: Callable[[float], float], _options: SourceOptions
    ) -> BuiltSource:
        return BuiltSource(strap, clock, "H10", "AA:BB")

    return build


def calm_rr(n: int, rmssd_ms: float, seed: int = 2) -> list[float]:
    """A smooth breathing rhythm around 1000 ms with about the given RMSSD."""
    period = 4.6
    amplitude = rmssd_ms / (math.sqrt(2.0) * math.sin(math.pi / period))
    rng = np.random.default_rng(seed)
    k = np.arange(n)
    rr = 1000.0 + amplitude * np.sin(2 * math.pi * k / period) + rng.normal(0.0, 1.0, n)
    return [float(x) for x in rr]


def make_dialog(
    qtbot: QtBot, store: Store, strap: ScriptedSource, clock: FakeClock
) -> ReadinessDialog:
    dialog = ReadinessDialog(store, OPTIONS, source_factory=scripted(strap, clock))
    qtbot.addWidget(dialog)
    dialog.configure(strap="demo", minutes=1)
    dialog.resize(620, 420)
    dialog.show()
    return dialog
