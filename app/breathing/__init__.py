"""Qt-free breathing pacer math: a pattern gives the phase, size and cues at any instant."""
