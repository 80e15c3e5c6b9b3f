"""Development-side helpers shared by tests, benchmarks, fuzzing and evaluation (never shipped)."""
