"""The one error type the file readers raise: the file cannot be read as RR intervals."""

from __future__ import annotations


class FormatError(ValueError):
    """A file or text is not a readable recording; the message is one clear line for the user."""
