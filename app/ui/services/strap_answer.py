"""The person's answer to "Do you have a heart-rate strap?", remembered between runs.

Asked by the welcome and kept in the store's settings under `SettingKey.STRAP_CHOICE`. A person who
has a strap is never handed the demo strap by default: the demo (simulated heart data, never
counted in the baseline) is only ever an explicit "try it without a strap" choice.
"""

from __future__ import annotations

from enum import StrEnum

from app.store import Store
from app.store.records import SettingKey


class StrapAnswer(StrEnum):
    """Yes, I have a strap; not yet, let me try the demo; no, I go without one."""

    STRAP = "strap"
    DEMO = "demo"
    NONE = "none"


def load_strap_answer(store: Store) -> StrapAnswer | None:
    """The remembered answer, or None when the person has not answered (or it is unreadable)."""
    value = store.get_setting(SettingKey.STRAP_CHOICE)
    try:
        return StrapAnswer(value) if isinstance(value, str) else None
    except ValueError:
        return None


def save_strap_answer(store: Store, answer: StrapAnswer) -> None:
    store.set_setting(SettingKey.STRAP_CHOICE, StrapAnswer(answer).value)
