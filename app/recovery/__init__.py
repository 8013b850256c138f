"""Qt-free recovery models: the daily baseline, its normal range, and recovery speed.

- `baseline`: the daily table (7-day baseline, 60-day normal range, status, CV) as read-only arrays.
- `daily_values`: which value each day gets (first readiness session, else the manual log),
  the cached readiness analysis, `finish_readiness` for a just-recorded check.
- `readiness`: the morning check's value with the 5% artifact refusal, and the orthostatic rise.
- `manual_log`: validation of log entries, moments of ease and the weekly check-in.
- `reading`: one plain, warm sentence about the state.
- `what_changed`: the sentence under the Home chart (where the resting HRV sits, how it moved).
- `recovery_speed`, `recovery_history`: how fast heart rate settles after stress, and its trend.
- `overview`: everything the home screen's "over weeks" side needs, in one value.
"""
