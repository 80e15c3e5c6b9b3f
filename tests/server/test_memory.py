"""The real server's allocator settings (server/allocator.py `configure_malloc`) hold under requests."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tools.bench.inputs import write_images

pytestmark = pytest.mark.live  # the real server process

WARM_UP, MEASURED = 20, 50


def minor_faults(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[7])  # proc(5) field 10


def test_a_typical_upload_reuses_the_heap_instead_of_faulting_in_pages(live_server, tmp_path) -> None:
    """With glibc's trim threshold left at 128 KiB, each 280x280 drawing freed more than that at the
    heap's top, so the heap shrank and regrew every request: ~230 page faults per request. With the
    mmap threshold at 128 KiB, its RGBA pixels were mapped and unmapped every request: ~220."""
    paint = next(image for image in write_images(tmp_path) if image.name == "paint_280").path.read_bytes()

    def post() -> None:
        response = requests.post(live_server.url + "/predict_digit", files={"image": ("p.png", paint)}, timeout=10)
        assert response.status_code == 200, response.text

    for _ in range(WARM_UP):
        post()
    before = minor_faults(live_server.process.pid)
    for _ in range(MEASURED):
        post()
    per_request = (minor_faults(live_server.process.pid) - before) / MEASURED
    assert per_request < 20, per_request
