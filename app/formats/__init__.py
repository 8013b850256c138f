"""Qt-free import and export of RR files and other apps' exports."""
