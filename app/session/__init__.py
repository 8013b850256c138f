"""Qt-free session engine: consumes heart-rate samples, stores every beat, keeps live metrics."""
