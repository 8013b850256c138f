"""Qt-free import and export of RR files and other apps' exports.

Entry points:
- `preview.preview(path) -> ImportPreview`: parse one file, write nothing (File > Import preview).
- `importer.read_file(path) -> ReadFile` / `read_all(paths)`, then `importer.write_all(store, items,
  kind=..., at=...)`: every file parsed first, then one transaction; `import_files` does both.
- `registry.read_path(path)` / `read_source(Source)`: detect the format from the content and read
  it into an `ImportedRecording`, `ImportedDailyValues` or `ImportedArchive` (`recording.py`).
- `export.export_json / export_csv / export_kubios`: exports; `backup.backup_connection /
  backup_database / restore_database / validate_backup`: whole-database backup and restore.
- `atomic.check_target / atomic_write / PartialFile`: every file written for the user goes through
  a private partial file moved into place when complete; never over a database.
Readers, one module per producer: plain_text (with `plain`), polar_hrm, polar_sensor_logger,
kubios, selfloops, empatica, hrv_logger, suunto_sml, garmin_fit, daily_summary (Elite HRV
readings, HRV4Training), apple_health, baseline_json. All raise `errors.FormatError` on bad input.
"""
