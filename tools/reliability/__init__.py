"""Reliability and security checks of the real server: fuzzing, soak and fault injection."""
