"""Reusable widgets: the pacer, live numbers, the source picker, the pattern editor."""
