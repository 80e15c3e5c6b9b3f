"""Decoding outside the server process: a pool of decode workers, and each request's budget.

`python -m server` installs `DecodeWorkers.decode` as digits/decode.py's decoder, so every
upload is decoded by a worker process (server/decode_worker.py) and only analysis-sized pixels
come back. The header checks in digits/decode.py refuse the known expensive files in
milliseconds; this is the backstop for the ones nobody has found yet:

- CPU: the images of one request share DIGITS_DECODE_CPU_MS of decoding CPU. The worker runs
  each image under a kernel CPU timer set to what is left, which ends the worker when it runs
  out, wherever the decoder is (a C loop holds no GIL and checks no flag).
- Memory: a worker's address space may grow DIGITS_DECODE_MEMORY_MIB beyond its start.
- Pixels: the images of one request have at most DIGITS_MAX_REQUEST_PIXELS together.
- Time: a worker that has not answered after WALL_SECONDS (it should not wait on anything) is
  killed too.

A worker that is killed or dies is replaced, and the upload is refused as too costly (413).
The waiting happens outside the GIL, so other threads serve meanwhile.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import socket
import tempfile
from dataclasses import dataclass
from typing import Any, Final

from flask import g, has_request_context
from PIL import Image

from digits import errors
from digits.decode import DEFAULT_MAX_IMAGE_PIXELS
from server import decode_worker
from server.observability import library_warnings

log = logging.getLogger(__name__)

WALL_SECONDS: Final = 5.0
SOCKET_BUFFER_BYTES: Final = 1024 * 1024  # the kernel doubles it, and caps it at net.core.*mem_max
# A reply's pixels are at most 320 x 320 x 4 bytes, and its header is small: read into one buffer
# per worker, so a request allocates (and page-faults in) no fresh mapping for them.
REPLY_BUFFER_BYTES: Final = 512 * 1024
# On a read-only root filesystem (`docker run --read-only`, readOnlyRootFilesystem) no directory
# tempfile tries is writable, and the fork server needs one for its socket. Container runtimes
# mount a tmpfs at /dev/shm even then.
SHARED_MEMORY_DIR: Final = "/dev/shm"
_CONTEXT: Final = multiprocessing.get_context("forkserver")
# The fork server imports only what a worker runs; without this it would import the parent's
# __main__ (the whole server, onnxruntime included) and every worker would carry it.
_CONTEXT.set_forkserver_preload([decode_worker.__name__])
_REFUSALS: Final = {cls.__name__: cls for cls in (errors.UndecodableImage, errors.UnsupportedImageFormat,
                                                    errors.ImageTooLarge, errors.ImageTooCostly)}


@dataclass
class RequestBudget:
    """What the images of one request may still spend."""

    cpu_seconds: float
    pixels: int


class Worker:
    """One decode worker process and the pipe to it."""

    def __init__(self, memory_bytes: int) -> None:
        self.connection, child_end = _CONTEXT.Pipe()
        for end in (self.connection, child_end):
            _widen(end)
        self.process = _CONTEXT.Process(target=decode_worker.serve, args=(child_end, memory_bytes),
                                        name="digits-decode", daemon=True)
        self.process.start()
        child_end.close()
        self._reply = bytearray(REPLY_BUFFER_BYTES)

    def run(self, data: bytes, job: dict[str, Any]) -> tuple[dict[str, Any], memoryview] | None:
        """The worker's reply, or None if it died or overran WALL_SECONDS (then it is dead)."""
        try:
            self.connection.send_bytes(decode_worker.pack(job, data))
            if self.connection.poll(WALL_SECONDS):
                return decode_worker.unpack(self._receive())
        except (EOFError, OSError, ValueError):
            pass
        self.stop()
        return None

    def _receive(self) -> memoryview:
        try:
            size = self.connection.recv_bytes_into(self._reply)
        except multiprocessing.BufferTooShort as exc:  # not a reply run() builds; read whole
            return memoryview(exc.args[0])
        return memoryview(self._reply)[:size]

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()

    @property
    def killed_by_cpu_timer(self) -> bool:
        return self.process.exitcode == -signal.SIGPROF


def _widen(end: Any) -> None:
    """Socket buffers that hold a whole message (an upload, or analysis-sized pixels), so each
    is one write and one wake-up instead of several."""
    with socket.socket(fileno=os.dup(end.fileno())) as sock:
        for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
            sock.setsockopt(socket.SOL_SOCKET, option, SOCKET_BUFFER_BYTES)


def _writable_temp_dir() -> None:
    try:
        tempfile.gettempdir()
    except FileNotFoundError:
        tempfile.tempdir = SHARED_MEMORY_DIR


class DecodeWorkers:
    """`count` decode workers shared by the request threads (one each is never waited for)."""

    def __init__(self, count: int, cpu_ms: int, memory_mib: int,
                 request_pixels: int = 2 * DEFAULT_MAX_IMAGE_PIXELS) -> None:
        _writable_temp_dir()
        self.cpu_seconds = cpu_ms / 1000
        self.memory_bytes = memory_mib * 1024 * 1024
        self.request_pixels = request_pixels
        self._idle: queue.LifoQueue[Worker] = queue.LifoQueue()
        for _ in range(count):
            self._idle.put(Worker(self.memory_bytes))

    def pids(self) -> list[int]:
        return [worker.process.pid for worker in list(self._idle.queue) if worker.process.pid]

    def close(self) -> None:
        while not self._idle.empty():
            self._idle.get_nowait().stop()

    def decode(self, data: bytes, max_pixels: int) -> Image.Image:
        """digits.decode.decode's contract, in a worker, within the current request's budget."""
        budget = self._budget()
        if budget.cpu_seconds <= 0:
            raise errors.ImageTooCostly(self._over_cpu())
        job = {"cpu_seconds": budget.cpu_seconds, "max_pixels": max_pixels, "pixels_left": budget.pixels,
               "request_pixels": self.request_pixels}
        worker = self._idle.get()
        reply = worker.run(data, job)
        if reply is None:
            cpu_timer = worker.killed_by_cpu_timer
            self._idle.put(Worker(self.memory_bytes))
            budget.cpu_seconds = 0
            log.warning("decode worker stopped", extra={"reason": "cpu budget" if cpu_timer else "died or hung",
                                                        "exit_code": worker.process.exitcode})
            raise errors.ImageTooCostly(self._over_cpu() if cpu_timer else
                                        "image too costly to decode: the decoder did not finish it")
        try:
            # Before the worker goes back: the reply's pixels are in its buffer until copied.
            return self._image(reply, budget)
        finally:
            if reply[0].get("retire"):
                worker.stop()
                worker = Worker(self.memory_bytes)
            self._idle.put(worker)

    def _image(self, reply: tuple[dict[str, Any], memoryview], budget: RequestBudget) -> Image.Image:
        header, pixels = reply
        budget.cpu_seconds -= float(header.get("cpu_seconds", 0))
        for category, where, message, times in header.get("warnings", []):
            library_warnings.log(str(category), str(where), str(message), int(times))
        if "error" in header:
            if "failure" in header:
                log.warning("decoder failed", extra={"failure": str(header["failure"])})
            raise _REFUSALS.get(str(header["error"]), errors.UndecodableImage)(str(header.get("message", "")))
        budget.pixels -= int(header["pixels"])
        try:
            return decode_worker.to_image(header, pixels)
        except (KeyError, TypeError, ValueError):
            raise errors.UndecodableImage(decode_worker.FAILED) from None

    def _budget(self) -> RequestBudget:
        fresh = RequestBudget(self.cpu_seconds, self.request_pixels)
        if not has_request_context():
            return fresh
        if "decode_budget" not in g:
            g.decode_budget = fresh
        return g.decode_budget

    def _over_cpu(self) -> str:
        return (f"image too costly to decode: the images of one request may take "
                f"{round(self.cpu_seconds * 1000)} ms of CPU together")

