"""Qt-side services that the composition root builds and injects.

Sound cues, settings, crash handling and data actions.
"""
