"""What the background tone follows (a setting; the sound itself is `app.breathing.sound_mix`)."""

from __future__ import annotations

from enum import StrEnum


class ToneFollows(StrEnum):
    """What the background tone follows during a session with a strap (off: no tone)."""

    OFF = "off"
    COHERENCE = "coherence"
    FOLLOWING = "following"
