"""The name and version of the Baseline JSON export: shared by its writer and its reader."""

from __future__ import annotations

FORMAT = "baseline-export"
VERSION = 1
