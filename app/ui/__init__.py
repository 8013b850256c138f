"""The thin PySide6 + pyqtgraph layer: windows, the pacer, plots. The only place Qt is imported."""
