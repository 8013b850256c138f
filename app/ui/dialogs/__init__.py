"""Dialogs and secondary windows.

Import, export, morning check, reflection, welcome, log, session summaries and the report.
"""
