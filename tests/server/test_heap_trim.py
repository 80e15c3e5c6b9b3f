"""Which requests give the heap's free pages back after the model has run (server/runtime.py)."""

from __future__ import annotations

import numpy as np
import pytest
from flask import Flask

import server.runtime
from server.runtime import runtime_of


def drawing(height: int, width: int) -> np.ndarray:
    pixels = np.full((height, width, 4), 255, np.uint8)
    pixels[height // 4: 3 * height // 4, width // 3: 2 * width // 3, :3] = 0
    return pixels


@pytest.mark.parametrize(("shapes", "trimmed"), [
    ([(280, 280)], False),               # a typical drawing: 306 KiB of RGBA
    ([(8, 8)] * 16, False),              # a batch of icons
    ([(512, 512)], False),               # exactly the 1 MiB of RGBA the mmap threshold keeps on the heap
    ([(512, 513)], True),
    ([(720, 720)], True),
    ([(64, 8192)], True),
    ([(400, 400), (400, 400)], True),   # the request's images together
])
def test_a_large_request_trims_the_heap_after_its_run(app: Flask, monkeypatch, shapes, trimmed) -> None:
    calls: list[None] = []
    monkeypatch.setattr(server.runtime, "release_free_heap", lambda: calls.append(None))
    with app.app_context():
        runtime_of(app).read([drawing(*shape) for shape in shapes], refuse_blank=False)
    assert bool(calls) is trimmed
