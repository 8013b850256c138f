"""The one error type a command raises for bad input: exit status 2, one clear line."""


class CommandError(Exception):
    """Bad input or an unusable file; the message is shown as is, on one line."""
