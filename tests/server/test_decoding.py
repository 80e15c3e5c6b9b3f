"""Decoding in worker processes (server/decoding.py, server/decode_worker.py): the same pixels as
in process, and each budget enforced by the kernel, with the worker replaced after an overrun."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from PIL import Image

from digits.decode import decode_here
from digits.errors import ImageTooCostly, InputError
from digits.preprocess import image_to_views
from server.config import Settings
from tests.server.helpers import isolated_decoding
from tools.reliability.images import blank_lossless, costly_images, digit, valid_images


@pytest.fixture(scope="module")
def workers() -> Iterator:
    with isolated_decoding(Settings()) as pool:
        yield pool


@pytest.mark.parametrize("name", sorted(valid_images()))
def test_a_worker_gives_the_features_decoding_in_process_gives(workers, name: str):
    data = valid_images()[name]
    here, there = decode_here(data), workers.decode(data, Settings().max_image_pixels)
    assert there.size == here.size
    assert outcome(there) == outcome(here)


def outcome(image: Image.Image) -> bytes | str:
    """The features' bytes, or the refusal."""
    try:
        return image_to_views(image).tobytes()
    except InputError as exc:
        return exc.message


@pytest.mark.parametrize(
    "settings, data, message",
    [
        (Settings(decode_cpu_ms=5), blank_lossless("PNG", 2048, 2048), "may take 5 ms of CPU together"),
        (Settings(decode_memory_mib=16), blank_lossless("PNG", 2048, 2048), "needs more memory than allowed"),
        (Settings(max_request_pixels=1000), digit("PNG"), "may have 1000 pixels together"),
    ],
    ids=["cpu", "memory", "pixels"],
)
def test_each_budget_is_enforced(settings: Settings, data: bytes, message: str):
    with isolated_decoding(settings) as pool, Flask(__name__).test_request_context():
        with pytest.raises(ImageTooCostly, match=message):
            pool.decode(data, settings.max_image_pixels)


def test_a_killed_worker_is_replaced(workers):
    before = workers.pids()
    with Flask(__name__).test_request_context():
        with pytest.raises(ImageTooCostly):
            workers.decode(costly_images()["png 4096x4096 rgba"][0], Settings().max_image_pixels)
    assert workers.decode(digit("PNG"), Settings().max_image_pixels).size == (256, 256)
    assert len(workers.pids()) == len(before)


def test_one_requests_images_share_the_cpu_budget():
    """Each image alone fits; the request's images together do not."""
    settings = Settings(decode_cpu_ms=60)
    with isolated_decoding(settings) as pool, Flask(__name__).test_request_context():
        with pytest.raises(ImageTooCostly, match="of CPU together"):
            for _ in range(20):
                pool.decode(blank_lossless("PNG", 1024, 1024), settings.max_image_pixels)
