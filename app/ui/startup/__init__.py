"""Starting the desktop process: whether Qt's display plugin can load, the screen to open with
`--start`, and the run statistics of `--stats`."""
