"""Sound through the PulseAudio client library (`libpulse`), the audio output on Linux.

QtMultimedia's only backend in the PySide6 wheels for Linux is FFmpeg: to play one mono 16-bit
stream it loads libavcodec, libavformat, Qt Quick and QML, about 14 MB kept for the rest of the
session. The PulseAudio client library is on every Linux desktop (PipeWire serves the same
protocol through pipewire-pulse), and QtMultimedia itself plays through it there. A stream of
cues needs little of it: connect, open a playback stream, ask how much fits, write, close.

The library is loaded with ctypes on the first probe; without it, or without a server to reach,
`probe` says why (and the caller decides whether QtMultimedia could play instead). The client runs
its own thread (a threaded main loop), connected on the first probe and kept; every call from here
holds that loop's lock, and none blocks: the stream's buffer on the server is `buffer_frames` long
(`tlength`) and a write never exceeds the room left in it (`pa_stream_writable_size`), as with
QAudioSink's `bytesFree`.
"""

from __future__ import annotations

import ctypes
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

LIBRARY = "libpulse.so.0"
CLIENT_NAME = b"Baseline"
STREAM_NAME = b"Breathing cues"
CONNECT_TIMEOUT_S = 3.0  # a local server answers in milliseconds
NO_LIBRARY = "The PulseAudio client library (libpulse) is not installed."
NO_SERVER = "No audio output found, so sound cues are off."  # as QtMultimedia finds none
NO_STREAM = "The audio server refused the cue stream, so sound cues are off."
_POLL_S = 0.001  # while waiting for the server to take a connection or a stream
_S16LE = 3  # pa_sample_format_t PA_SAMPLE_S16LE
_NO_AUTOSPAWN = 1  # pa_context_flags_t PA_CONTEXT_NOAUTOSPAWN: never start a server
# pa_stream_flags_t: none. With PA_STREAM_ADJUST_LATENCY `tlength` would be the whole latency,
# device included, and a PulseAudio 16 null sink then lost a cue mixed into a playing stream.
_FLAGS = 0
_SERVER_CHOOSES = 0xFFFF_FFFF  # (uint32_t) -1 in pa_buffer_attr
_SIZE_ERROR = ctypes.c_size_t(-1).value  # pa_stream_writable_size failed
_BYTES_PER_FRAME = 2  # mono, 16 bits


class _ContextState(IntEnum):  # pa_context_state_t
    READY = 4
    FAILED = 5
    TERMINATED = 6


class _StreamState(IntEnum):  # pa_stream_state_t
    READY = 2
    FAILED = 3
    TERMINATED = 4


_CONTEXT_ENDED = frozenset({_ContextState.FAILED, _ContextState.TERMINATED})
_STREAM_ENDED = frozenset({_StreamState.FAILED, _StreamState.TERMINATED})


class _SampleSpec(ctypes.Structure):
    _fields_ = [
        ("format", ctypes.c_int),
        ("rate", ctypes.c_uint32),
        ("channels", ctypes.c_uint8),
    ]


class _BufferAttr(ctypes.Structure):
    _fields_ = [
        ("maxlength", ctypes.c_uint32),
        ("tlength", ctypes.c_uint32),
        ("prebuf", ctypes.c_uint32),
        ("minreq", ctypes.c_uint32),
        ("fragsize", ctypes.c_uint32),
    ]


def _function(
    library: ctypes.CDLL, name: str, restype: type | None, *argtypes: type
) -> Callable[..., Any]:
    function: Callable[..., Any] = getattr(library, name)
    function.restype = restype  # type: ignore[attr-defined]
    function.argtypes = list(argtypes)  # type: ignore[attr-defined]
    return function


class _Library:
    """The calls of libpulse that are used, with their C types."""

    def __init__(self) -> None:
        lib = ctypes.CDLL(LIBRARY)
        p, i, char_p = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
        self.loop_new = _function(lib, "pa_threaded_mainloop_new", p)
        self.loop_start = _function(lib, "pa_threaded_mainloop_start", i, p)
        self.loop_stop = _function(lib, "pa_threaded_mainloop_stop", None, p)
        self.loop_free = _function(lib, "pa_threaded_mainloop_free", None, p)
        self.loop_lock = _function(lib, "pa_threaded_mainloop_lock", None, p)
        self.loop_unlock = _function(lib, "pa_threaded_mainloop_unlock", None, p)
        self.loop_api = _function(lib, "pa_threaded_mainloop_get_api", p, p)
        self.context_new = _function(lib, "pa_context_new", p, p, char_p)
        self.context_connect = _function(lib, "pa_context_connect", i, p, char_p, i, p)
        self.context_state = _function(lib, "pa_context_get_state", i, p)
        self.context_disconnect = _function(lib, "pa_context_disconnect", None, p)
        self.context_unref = _function(lib, "pa_context_unref", None, p)
        self.stream_new = _function(
            lib, "pa_stream_new", p, p, char_p, ctypes.POINTER(_SampleSpec), p
        )
        self.stream_connect = _function(
            lib, "pa_stream_connect_playback", i, p, char_p, ctypes.POINTER(_BufferAttr), i, p, p
        )
        self.stream_state = _function(lib, "pa_stream_get_state", i, p)
        self.stream_writable = _function(lib, "pa_stream_writable_size", ctypes.c_size_t, p)
        self.stream_write = _function(
            lib, "pa_stream_write", i, p, char_p, ctypes.c_size_t, p, ctypes.c_int64, i
        )
        self.stream_disconnect = _function(lib, "pa_stream_disconnect", i, p)
        self.stream_unref = _function(lib, "pa_stream_unref", None, p)


@dataclass(frozen=True)
class PulseStreamSpec:
    """What a stream is asked for: mono 16-bit at `rate_hz`, a buffer of `buffer_frames`, topped
    up whenever `request_frames` of it have played (the server's default waits for most of it to
    play, which leaves little to bridge a busy moment of the writer)."""

    rate_hz: int
    buffer_frames: int
    request_frames: int


class _Connection:
    """A threaded main loop and a context on it: one per device, kept while the app runs (as
    QtMultimedia keeps its own), so a stream opened after an idle pause finds it ready."""

    def __init__(self, library: _Library) -> None:
        self.lib = library
        self._loop: int | None = library.loop_new()
        self._context: int | None = None

    def locked(self) -> _Locked:
        return _Locked(self.lib, self._loop)

    def wait_for(
        self, state_of: Callable[[int], int], handle: int, ready: int, ended: frozenset[int]
    ) -> bool:
        """Wait (at most CONNECT_TIMEOUT_S) until `state_of(handle)` is `ready`; False if it is
        one of `ended` instead, or took too long."""
        deadline = time.monotonic() + CONNECT_TIMEOUT_S
        while True:
            with self.locked():
                state = int(state_of(handle))
            if state == ready:
                return True
            if state in ended or time.monotonic() > deadline:
                return False
            time.sleep(_POLL_S)

    @property
    def ready(self) -> bool:
        if not self._context:
            return False
        with self.locked():
            return int(self.lib.context_state(self._context)) == _ContextState.READY

    def connect(self) -> bool:
        lib, loop = self.lib, self._loop
        if not loop or lib.loop_start(loop) < 0:
            return False
        with self.locked():
            self._context = lib.context_new(lib.loop_api(loop), CLIENT_NAME)
            if not self._context or lib.context_connect(self._context, None, _NO_AUTOSPAWN, None):
                return False
        return self.wait_for(lib.context_state, self._context, _ContextState.READY, _CONTEXT_ENDED)

    def open_stream(self, spec: PulseStreamSpec) -> PulseOutput | None:
        lib = self.lib
        sample = _SampleSpec(_S16LE, spec.rate_hz, 1)
        attributes = _BufferAttr(
            maxlength=_SERVER_CHOOSES,
            tlength=spec.buffer_frames * _BYTES_PER_FRAME,
            prebuf=spec.request_frames * _BYTES_PER_FRAME,
            minreq=spec.request_frames * _BYTES_PER_FRAME,
            fragsize=_SERVER_CHOOSES,
        )
        with self.locked():
            stream = lib.stream_new(self._context, STREAM_NAME, ctypes.byref(sample), None)
            if not stream:
                return None
            output = PulseOutput(self, stream)
            if lib.stream_connect(stream, None, ctypes.byref(attributes), _FLAGS, None, None):
                output.close_locked()
                return None
        if not self.wait_for(lib.stream_state, stream, _StreamState.READY, _STREAM_ENDED):
            output.close()
            return None
        return output

    def close(self) -> None:
        lib, loop = self.lib, self._loop
        if not loop:
            return
        with self.locked():
            if self._context:
                lib.context_disconnect(self._context)
                lib.context_unref(self._context)
                self._context = None
        lib.loop_stop(loop)
        lib.loop_free(loop)
        self._loop = None


class _Locked:
    def __init__(self, library: _Library, loop: int | None) -> None:
        self._lib = library
        self._loop = loop

    def __enter__(self) -> None:
        self._lib.loop_lock(self._loop)

    def __exit__(self, *_exc: object) -> None:
        self._lib.loop_unlock(self._loop)


class PulseOutput:
    """One open playback stream (an `AudioOutput`); silent, never blocking, once it failed."""

    def __init__(self, connection: _Connection, stream: int) -> None:
        self._connection = connection
        self._lib = connection.lib
        self._stream: int | None = stream
        self.failed = False

    def free_frames(self) -> int:
        if self._stream is None or self.failed:
            return 0
        with self._connection.locked():
            size = int(self._lib.stream_writable(self._stream))
        if size == _SIZE_ERROR:
            self.failed = True
            return 0
        return size // _BYTES_PER_FRAME

    def write(self, pcm: bytes) -> None:
        if self._stream is None or self.failed or not pcm:
            return
        with self._connection.locked():  # copied by the library (no free callback)
            written = int(self._lib.stream_write(self._stream, pcm, len(pcm), None, 0, 0))
        self.failed = written != 0

    def close(self) -> None:
        if self._stream is not None:
            with self._connection.locked():
                self.close_locked()

    def close_locked(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            self._lib.stream_disconnect(stream)
            self._lib.stream_unref(stream)


class PulseAudioDevice:
    """The PulseAudio (or PipeWire) server's default output (an `AudioDevice`)."""

    def __init__(self, spec: PulseStreamSpec) -> None:
        self._spec = spec
        self._connection: _Connection | None = None

    def probe(self) -> str | None:
        """None once connected to a server (kept for the streams to come), else why not."""
        if self._connection is not None and self._connection.ready:
            return None
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        try:
            library = _Library()
        except (OSError, AttributeError):
            return NO_LIBRARY
        connection = _Connection(library)
        if not connection.connect():
            connection.close()
            return NO_SERVER
        self._connection = connection
        return None

    def open(self) -> PulseOutput | str:
        reason = self.probe()
        if reason is not None:
            return reason
        assert self._connection is not None
        output = self._connection.open_stream(self._spec)
        return NO_STREAM if output is None else output

    def close(self) -> None:
        """Let go of the server (the app is ending)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
