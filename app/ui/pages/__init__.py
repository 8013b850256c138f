"""The app's pages: one module per page in the main window."""
