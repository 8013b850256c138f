"""Entry point of the PyInstaller bundle: the same `baseline` command as the installed script."""

from __future__ import annotations

import multiprocessing

from app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # no-op unless a frozen child process is being started
    raise SystemExit(main())
