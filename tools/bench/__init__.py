"""Benchmarks: `make bench` -> tools/bench/results/<date>.json and the table in tools/bench/README.md.

Benchmarks write results; they never fail on a time. Everything binds to 127.0.0.1 and every
load run is bounded in duration.
"""
