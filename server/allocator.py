"""glibc's allocator, set for a long-running server: large buffers go back to the OS when freed.

`python -m server` and its decode workers call configure_malloc() first thing; the server calls
release_free_heap() once its model is loaded, and after each request whose images are large.
Embedders of create_app() set these themselves.
"""

from __future__ import annotations

import ctypes
import os

M_TRIM_THRESHOLD = -1  # glibc's mallopt() parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
# Above a typical upload's buffers (a 280x280 drawing's RGBA pixels are 306 KiB, and so is the
# decode worker's message that carries them): below it, each of them was mapped and unmapped per
# request (docs/reliability.md, "Measured"). Bodies near the 2 MiB limit and larger decoded images
# stay mappings of their own.
MMAP_THRESHOLD_BYTES = 1024 * 1024
TRIM_THRESHOLD_BYTES = 4 * 1024 * 1024
# The model's buffers for a large image leave holes in the heap below live blocks, where the trim
# threshold never reaches, and a hostile run (make hostile) left the server's RSS over its bound.
# malloc_trim gives them back at a cost small beside a large image's run but not beside a typical
# one's, so typical uploads (up to 1 MiB of RGBA, the mmap threshold) skip it (docs/reliability.md,
# "Measured").
LARGE_REQUEST_PIXELS = MMAP_THRESHOLD_BYTES // 4


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


def configure_malloc() -> None:
    """Fix glibc's mmap threshold, so every large buffer (large request bodies, large decoded
    images) is its own mapping and goes back to the OS when freed, and let the heap keep a few MiB
    free at its top, so a typical request's buffers reuse pages instead of faulting in new ones.

    By default glibc raises the mmap threshold to the size of each large block freed (up to
    32 MiB), so after one 2 MiB upload the next ones come from the heap, which fragments and rarely
    shrinks: RSS after a hostile run grew and stayed grown (docs/reliability.md, "Measured").
    Fixing it also pins the trim threshold at 128 KiB, and a request frees more than that at the
    heap's top: the heap shrank and regrew every request, faulting its pages in again each time
    (tools/bench/README.md, tuning log). 4 MiB covers
    uploads up to ~640x480. The server and its decode workers use the same settings.
    MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ / MALLOC_ARENA_MAX in the environment still win;
    an allocator other than glibc's is left alone. Embedders of create_app() set them themselves.
    """
    libc = _libc()
    if libc is None:
        return
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    # One heap for all threads: glibc gives each new thread its own arena, each trimmed and
    # regrown on its own, so with several waitress threads the settings above held only for the
    # thread that happened to serve a request before (the threads take turns at the GIL anyway).
    if "MALLOC_ARENA_MAX" not in os.environ:
        libc.mallopt(M_ARENA_MAX, 1)


def release_free_heap() -> None:
    """Give the heap's free pages back to the OS: once the model is loaded, and after a request
    with more than LARGE_REQUEST_PIXELS pixels.

    Building the onnxruntime session parses the model into temporary structures and frees them,
    but the holes they leave sit below live blocks, where the trim threshold never reaches: this
    call gives back most of the session's resident memory (docs/reliability.md, "Memory"). An
    allocator other than glibc's is left alone.
    """
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
