"""SQLite storage (standard `sqlite3`): migrations, sessions, beats, heart rate, log, settings."""

from app.store.database import Store, default_db_path, open_store

__all__ = ["Store", "default_db_path", "open_store"]
