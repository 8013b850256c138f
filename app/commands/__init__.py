"""Sub-commands of the `baseline` command line, one module each (Qt-free)."""
