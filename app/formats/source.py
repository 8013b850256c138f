"""A file handed to the importers: its name, bytes, content hash and (lazily) its text."""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from app.formats.errors import FormatError
from app.formats.text import decode_text

# Files larger than this are refused (a day of continuous beats is ~1 MB of text).
MAX_FILE_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class Source:
    """The content of one file. `name` is the file name (readers may read a start time from it)."""

    name: str
    data: bytes
    sha256: str = field(init=False)
    _text: list[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())
        object.__setattr__(self, "_text", [])

    @classmethod
    def from_path(cls, path: Path) -> Source:
        """Read a file (a `.gz` file is decompressed). Raises FormatError when it cannot be read."""
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise FormatError(f"file too large ({size} bytes)")
            data = path.read_bytes()
        except IsADirectoryError as exc:
            raise FormatError("is a folder, not a file") from exc
        except FileNotFoundError as exc:
            raise FormatError("file not found") from exc
        except OSError as exc:
            raise FormatError(f"cannot read the file: {exc.strerror or exc}") from exc
        name = path.name
        if data[:2] == b"\x1f\x8b":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError, zlib.error) as exc:
                raise FormatError("broken gzip file") from exc
            if name.lower().endswith(".gz"):
                name = name[:-3]
        return cls(name=name, data=data)

    @property
    def head(self) -> bytes:
        return self.data[:65536]

    def text(self) -> str:
        """The whole file as text (decoded once). Raises FormatError for binary data."""
        if not self._text:
            self._text.append(decode_text(self.data))
        return self._text[0]

    def head_text(self) -> str | None:
        """The first 64 KiB as text, or None when that is binary."""
        try:
            return decode_text(self.head)
        except FormatError:
            return None

    def stream(self) -> BinaryIO:
        return io.BytesIO(self.data)
