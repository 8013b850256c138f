"""The name and version of the Baseline JSON export: shared by its writer and its reader.

Version 2 writes stress before and after a session on the 1-5 scale; version 1 (older exports)
wrote them on 1-10, and its reader converts them (`app.store.scales.stress_from_ten`).
"""

from __future__ import annotations

FORMAT = "baseline-export"
VERSION = 2
READABLE_VERSIONS = (1, 2)
TEN_POINT_STRESS_VERSION = 1
