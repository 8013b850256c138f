"""Qt-free HRV analysis: artifact correction, time, frequency and nonlinear metrics, coherence."""
