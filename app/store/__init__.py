"""SQLite storage (the standard `sqlite3` module): migrations, sessions, beats, heart rate, daily log, settings."""

from app.store.database import Store, default_db_path, open_store

__all__ = ["Store", "default_db_path", "open_store"]
