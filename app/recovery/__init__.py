"""Qt-free recovery models: the daily baseline, its normal range, and recovery speed."""
