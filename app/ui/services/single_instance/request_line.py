"""What a later start sends the first app: one line, UTF-8, newline-terminated, at most
`MAX_MESSAGE_BYTES` with its newline. A longer line is dropped by the first app."""

from __future__ import annotations

MAX_MESSAGE_BYTES = 4096
SHOW = "show"  # the request of a plain second start: bring the window forward


def encode_request(message: str) -> bytes:
    """`message` as the line sent (newlines inside it become spaces; cut to fit)."""
    line = message.replace("\n", " ").encode("utf-8", "replace")[: MAX_MESSAGE_BYTES - 1]
    return line + b"\n"


def decode_request(data: bytes) -> str:
    """The request in what a later start sent (its first line); an empty one asks for `SHOW`."""
    return data.split(b"\n", 1)[0].decode("utf-8", "replace").strip() or SHOW
