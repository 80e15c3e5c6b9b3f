"""Decoding in the decode workers, as `python -m server` does, for the server tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from digits.decode import use_decoder
from server.config import Settings
from server.decoding import DecodeWorkers


@contextmanager
def isolated_decoding(settings: Settings, count: int = 1) -> Iterator[DecodeWorkers]:
    """digits.decode.decode runs in decode workers with `settings`' budgets, as in the server."""
    workers = DecodeWorkers(count, settings.decode_cpu_ms, settings.decode_memory_mib, settings.max_request_pixels)
    use_decoder(workers.decode)
    try:
        yield workers
    finally:
        use_decoder(None)
        workers.close()
