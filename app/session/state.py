"""The states of one session and the moves between them. Qt-free.

    IDLE -> CONNECTING (a strap is being found) -> RUNNING <-> RECONNECTING (link lost)
    RUNNING / CONNECTING / RECONNECTING <-> PAUSED
    any live state -> ENDED (done or stopped), INTERRUPTED (cancelled), FAILED (the source
    failed for good: strap lost, Bluetooth off)
    FAILED -> ENDED / INTERRUPTED (the session is closed after the failure)
    ENDED -> RUNNING (more stages added to a finished plan: a repeated assessment step)

Any other move is a programming error and raises `IllegalTransitionError`.
"""

from __future__ import annotations

import enum


class SessionState(enum.Enum):
    IDLE = "idle"
    CONNECTING = "connecting"
    RUNNING = "running"
    PAUSED = "paused"
    RECONNECTING = "reconnecting"
    ENDED = "ended"
    INTERRUPTED = "interrupted"
    FAILED = "failed"

    @property
    def is_live(self) -> bool:
        """Started and not over: data is taken and time counts."""
        return self in _LIVE

    @property
    def is_over(self) -> bool:
        return self in (SessionState.ENDED, SessionState.INTERRUPTED, SessionState.FAILED)


_LIVE = frozenset(
    {
        SessionState.CONNECTING,
        SessionState.RUNNING,
        SessionState.PAUSED,
        SessionState.RECONNECTING,
    }
)
_CLOSING = frozenset({SessionState.ENDED, SessionState.INTERRUPTED, SessionState.FAILED})

LEGAL_TRANSITIONS: dict[SessionState, frozenset[SessionState]] = {
    SessionState.IDLE: frozenset({SessionState.CONNECTING, SessionState.RUNNING}),
    SessionState.CONNECTING: frozenset({SessionState.RUNNING, SessionState.PAUSED}) | _CLOSING,
    SessionState.RUNNING: frozenset({SessionState.PAUSED, SessionState.RECONNECTING}) | _CLOSING,
    SessionState.RECONNECTING: frozenset({SessionState.RUNNING, SessionState.PAUSED}) | _CLOSING,
    SessionState.PAUSED: frozenset(
        {SessionState.RUNNING, SessionState.CONNECTING, SessionState.RECONNECTING}
    )
    | _CLOSING,
    SessionState.ENDED: frozenset({SessionState.RUNNING}),
    SessionState.INTERRUPTED: frozenset(),
    SessionState.FAILED: frozenset({SessionState.ENDED, SessionState.INTERRUPTED}),
}


class IllegalTransitionError(RuntimeError):
    """A move the state machine does not allow (a bug in the caller)."""

    def __init__(self, old: SessionState, new: SessionState) -> None:
        super().__init__(f"a session cannot go from {old.value} to {new.value}")
        self.old = old
        self.new = new


def check_transition(old: SessionState, new: SessionState) -> None:
    if new not in LEGAL_TRANSITIONS[old]:
        raise IllegalTransitionError(old, new)


class StageKind(enum.StrEnum):
    """What a stage of a session's plan is."""

    SESSION = "session"  # the one stage of a plain session
    WAITING = "waiting"  # until the first beat arrives
    STEP = "step"  # an assessment step at one rate
    REST = "rest"  # free breathing between steps
