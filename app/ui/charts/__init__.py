"""Charts: the baseline over weeks and the assessment chart (pyqtgraph), and the live plots
(painted with QPainter, so a live session imports no pyqtgraph)."""
