"""PySide6 reads every module imported after it, whole; this keeps it from keeping the text.

Once PySide6 is imported, each module imported later is checked for the word "PySide6" in its
source (`PySide6.support.feature._mod_uses_pyside`, to know which modules may switch on
`from __feature__ import snake_case`). It reads the source through `inspect.getsource`, which
keeps every line of every such module in `linecache`: for Baseline's live session (NumPy,
pyqtgraph, the app: about 500 files) that is some 20 MB of Python strings held for the life of
the process, and the time to split them into lines.

`read_sources_uncached()` gives PySide the same answer (the file's text holds "PySide6") from a
plain read of the file, which keeps nothing. Baseline uses no `__feature__`; the answer is the
same as PySide's own for every module with its source beside it. Call it right after importing
PySide6 and before importing anything else. When a PySide6 release no longer has this check,
it does nothing and says so (False).
"""

from __future__ import annotations

import sys
from types import ModuleType

_FEATURE_MODULE = "PySide6.support.feature"
_CHECK = "_mod_uses_pyside"
_MARK = b"PySide6"


def uses_pyside(module: ModuleType) -> bool:
    """Whether `module`'s source file holds "PySide6" (False without a source file)."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return False
    try:
        with open(path, "rb") as source:
            return _MARK in source.read()
    except OSError:
        return False


def read_sources_uncached() -> bool:
    """Make PySide's check of new modules read their files without keeping them; True when
    the check was found and replaced."""
    feature = sys.modules.get(_FEATURE_MODULE)
    if feature is None:
        import PySide6.QtCore  # noqa: F401 (it installs the check)

        feature = sys.modules.get(_FEATURE_MODULE)
    if feature is None or not callable(getattr(feature, _CHECK, None)):
        return False
    setattr(feature, _CHECK, uses_pyside)
    return True
