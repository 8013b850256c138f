"""The background tone through one session: it fades in at the start (when chosen in Settings),
grows fuller as the heart follows the breathing, fades out at a pause and at the end."""

from __future__ import annotations

from app.breathing.sound_mix import (
    ToneFollows,
    fullness_from_coherence,
    fullness_from_following,
)
from app.ui.services.sound import CuePlayer


class SessionTone:
    """One session's background tone on `player` (None: no sound at all)."""

    def __init__(self, player: CuePlayer | None, follows: ToneFollows) -> None:
        self._player = player if follows is not ToneFollows.OFF else None
        self.follows = follows
        self.fullness = 0.0
        self.playing = False

    def start(self) -> None:
        if self._player is not None:
            self.playing = self._player.start_tone(self.fullness)

    def update(self, coherence_score: float | None, following: float | None = None) -> None:
        """The newest live coherence score and pacer following (None: none yet); the tone
        follows the one chosen, and stays thin while it has none."""
        if self._player is None:
            return
        if self.follows is ToneFollows.FOLLOWING:
            self.fullness = fullness_from_following(following)
        else:
            self.fullness = fullness_from_coherence(coherence_score)
        self._player.set_tone_fullness(self.fullness)

    def stop(self) -> None:
        if self._player is not None and self.playing:
            self._player.stop_tone()
        self.playing = False
