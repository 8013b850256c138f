"""Baseline: guided slow breathing, live heart-rate biofeedback and an HRV recovery baseline."""

__version__ = "0.1.0"
APP_NAME = "Baseline"
