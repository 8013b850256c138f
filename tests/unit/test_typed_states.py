"""Connection status, assessment stages and session kinds/statuses are enums end to end."""

from __future__ import annotations

import json
from enum import StrEnum

import pytest

from app.session.assessment_run import RunPhase
from app.session.controller import ConnectionState, ConnectionStatus, next_connection_state
from app.session.state import StageKind
from app.store.records import SessionKind, SessionStatus
from sensors.source import ConnectionEvent, EventKind


@pytest.mark.parametrize(
    "enum", [ConnectionStatus, StageKind, RunPhase, SessionKind, SessionStatus]
)
def test_every_member_round_trips_through_its_text(enum: type[StrEnum]) -> None:
    for member in enum:
        assert enum(member.value) is member
        assert json.loads(json.dumps(member)) == member.value
    with pytest.raises(ValueError):
        enum("no such value")


def test_connection_events_lead_to_typed_states() -> None:
    state = ConnectionState()
    assert state.status is ConnectionStatus.NONE
    steps = [
        (EventKind.SCANNING, ConnectionStatus.SCANNING),
        (EventKind.CONNECTED, ConnectionStatus.CONNECTED),
        (EventKind.DISCONNECTED, ConnectionStatus.RECONNECTING),
        (EventKind.SCANNING, ConnectionStatus.RECONNECTING),  # a rescan while the link is down
        (EventKind.RECONNECTING, ConnectionStatus.RECONNECTING),
        (EventKind.CONNECTED, ConnectionStatus.CONNECTED),
        (EventKind.FAILED, ConnectionStatus.FAILED),
    ]
    for kind, expected in steps:
        state = next_connection_state(state, ConnectionEvent(kind, 1.0, address="AA:BB"))
        assert state.status is expected, kind
    assert not state.link_down
    down = next_connection_state(ConnectionState(), ConnectionEvent(EventKind.DISCONNECTED, 2.0))
    assert down.link_down
