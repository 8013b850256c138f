"""Charts drawn with pyqtgraph: the baseline over weeks, the live plots, the assessment chart."""
