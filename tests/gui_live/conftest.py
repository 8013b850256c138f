"""Fixtures for live-session GUI tests: a qasync loop on the Qt main thread, as the app runs.

A test runs its whole scenario as one coroutine on that loop (`run_scenario`): starting and
stopping a qasync loop repeatedly can run task steps with no running loop set.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QApplication, QLayout, QVBoxLayout, QWidget


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)


def run_scenario(loop: asyncio.AbstractEventLoop, scenario: Coroutine[Any, Any, None]) -> None:
    loop.run_until_complete(scenario)


async def wait_until(
    condition: Callable[[], bool], timeout_s: float = 30.0, what: str = "condition"
) -> None:
    """Let the Qt + asyncio loop run until `condition()` holds (fails after `timeout_s`)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


def hosted(page: QWidget) -> QWidget:
    """A top-level window holding `page` whose minimum size does not follow the layout.

    The offscreen platform warns ("does not support propagateSizeHints") whenever a top-level
    window's size hints change, and Qt warnings fail tests; a real window has no such issue.
    """
    host = QWidget()
    layout = QVBoxLayout(host)
    layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(page)
    return host
