"""What a session engine tells its subscribers: frozen values, delivered to plain callbacks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.hrv.following import FollowingTick
from app.session.state import SessionState, StageKind
from app.store.records import BeatRecord
from sensors.source import ConnectionEvent, Sample


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of a plan: its kind, length (None: open) and pacer rate (None: no pacer).

    `index` counts the stages of its kind (the step number, 0-based; for a rest, the step
    that follows it).
    """

    kind: StageKind
    length_s: float | None = None
    rate_bpm: float | None = None
    index: int = 0


@dataclass(frozen=True, slots=True)
class StateChanged:
    old: SessionState
    new: SessionState
    at_s: float  # session time (pauses included)


@dataclass(frozen=True, slots=True)
class SamplesArrived:
    """A packet from the source and the beats it added to the session."""

    sample: Sample
    beats: tuple[BeatRecord, ...]


@dataclass(frozen=True, slots=True)
class ConnectionChanged:
    event: ConnectionEvent


@dataclass(frozen=True, slots=True)
class StageChanged:
    """`old` ended and `new` began at active time `at_s`; None before the first / after the last."""

    old: Stage | None
    new: Stage | None
    at_s: float


@dataclass(frozen=True, slots=True)
class Failed:
    """The source failed for good; `reason` is in plain words for the user."""

    reason: str


@dataclass(frozen=True, slots=True)
class Tick:
    """The engine looked at the clock (active time `active_s`)."""

    active_s: float


@dataclass(frozen=True, slots=True)
class Checkpointed:
    """The session's active length was stored (so a crash loses about a second)."""

    active_s: float


@dataclass(frozen=True, slots=True)
class FollowingRead(FollowingTick):
    """How well the heart followed the pacer over the 64 s before active time `at_s`.

    Sent every 5 s of a paced stage from its first 65 s on (`app.hrv.following`): `following`
    is the share (0-1) of the heart-rate variability power near the pacer's rate,
    `breathing_rate_per_min` the rate of the heart-rate wave (None without a clear one).
    """


SessionEvent = (
    StateChanged
    | SamplesArrived
    | ConnectionChanged
    | StageChanged
    | Failed
    | Tick
    | Checkpointed
    | FollowingRead
)
Subscriber = Callable[[SessionEvent], None]
