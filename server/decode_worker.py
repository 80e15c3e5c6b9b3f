"""The decode worker: a process that turns upload bytes into analysis-sized pixels, under limits.

Started by server/decoding.py (forked from a small server process that has only Pillow loaded;
no onnxruntime, no Flask). Each job runs digits/decode.py under two limits the kernel enforces,
whatever the decoder is doing: the CPU time left in the request's budget (ITIMER_PROF, whose
signal ends the process) and the address space (RLIMIT_AS, so an oversized allocation fails
with MemoryError instead of growing the pod towards its limit). A worker that dies is replaced
by the parent.

The parent and the worker exchange plain bytes: a JSON header, then raw pixels. Nothing is
unpickled on either side, so a worker subverted by a hostile file cannot make the server run
code by what it sends back.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any, Final

from PIL import Image

from digits.decode import decode_full, has_alpha, open_checked, reduce_for_analysis
from digits.errors import ImageTooCostly, InputError, UndecodableImage
from server.allocator import configure_malloc

# Modes sent as they are; any other (P, PA, CMYK, YCbCr, La, RGBa) is converted to RGB or RGBA
# here, the conversion the preprocessing makes of them first anyway.
WORKER_NICENESS: Final = 10
OUT_OF_MEMORY: Final = "image too costly to decode: it needs more memory than allowed"
MEMORY_MARGIN: Final = 8 * 1024 * 1024  # a job whose peak came this close to the limit ran out of memory
# Pillow registers its format plug-ins on the first open (docs/reliability.md, "Bounded
# decoding"): done once here, in the fork server every worker is forked from, not in each new
# worker's first job.
Image.init()
FAILED: Final = "cannot decode image: the decoder failed on it"
MAX_WARNING_KINDS: Final = 10  # source lines whose warnings a reply carries
PLAIN_MODES: Final = frozenset({"1", "L", "LA", "RGB", "RGBA", "I", "F", "I;16", "I;16B", "I;16L"})


def serve(connection: Any, memory_bytes: int) -> None:
    """Answer jobs on `connection` until the parent closes it."""
    # A decoded image's buffers go back to the OS, not to this worker's heap; what a typical job
    # allocates (an upload, analysis-sized pixels) stays below the threshold and reuses the heap.
    configure_malloc()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which then closes us
    signal.signal(signal.SIGPROF, signal.SIG_DFL)  # the CPU timer's signal terminates
    # Decoding yields the CPU to the server's own work (parsing, features, inference, /healthz):
    # costly uploads slow each other down, not everyone else.
    os.nice(WORKER_NICENESS)
    # Every warning is collected for the parent's log (once per job would cost time in every job;
    # docs/reliability.md, "Bounded decoding").
    warnings.simplefilter("always")
    warnings.showwarning = _collect_warning
    limit = _limit_address_space(memory_bytes)
    while True:
        try:
            job, data = unpack(connection.recv_bytes())
        except (EOFError, OSError):
            return
        header, pixels = run(data, job)
        # Decoders turn a failed allocation into their own errors ("truncated", "broken data
        # stream"): one that ran close to the limit was out of memory. The worker then leaves
        # (the parent starts another), so no later job sees this job's peak.
        # A job that succeeded but came close leaves too, so its peak cannot misname a later error.
        out_of_memory = _peak_address_space() > limit - MEMORY_MARGIN
        if out_of_memory:
            header = {**header, "retire": True}
            if header.get("error") == UndecodableImage.__name__:
                header.update(error=ImageTooCostly.__name__, message=OUT_OF_MEMORY)
        connection.send_bytes(pack(header, pixels))
        if out_of_memory:
            return


def run(data: bytes, job: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """One job: (reply header, raw pixels); an input error is a header with "error"."""
    started = time.process_time()
    signal.setitimer(signal.ITIMER_PROF, job["cpu_seconds"])
    _caught.clear()
    try:
        header, pixels = _decode(data, job["max_pixels"], job["pixels_left"], job["request_pixels"])
    except InputError as exc:
        header, pixels = {"error": type(exc).__name__, "message": exc.message}, b""
    except MemoryError:
        header, pixels = {"error": ImageTooCostly.__name__, "message": OUT_OF_MEMORY}, b""
    except Exception as exc:  # a decoder failing in a way nobody listed: refuse the file, say why in the log
        header, pixels = {"error": UndecodableImage.__name__, "message": FAILED,
                          "failure": f"{type(exc).__name__}: {exc}"[:500]}, b""
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    header["cpu_seconds"] = time.process_time() - started
    if _caught:
        header["warnings"] = _warnings()
    return header, pixels


_caught: list[tuple[str, str, str]] = []  # (category, source line, message) of the current job


def _collect_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                     file: object = None, line: str | None = None) -> None:
    _caught.append((category.__name__, f"{Path(filename).name}:{lineno}", str(message)[:300]))


def _warnings() -> list[list[Any]]:
    """[category, source line, first message, times] per source line, for the parent to log."""
    first: dict[tuple[str, str], str] = {}
    times: Counter[tuple[str, str]] = Counter()
    for category, where, message in _caught:
        key = (category, where)
        first.setdefault(key, message)
        times[key] += 1
    return [[*key, first[key], times[key]] for key in list(first)[:MAX_WARNING_KINDS]]


def _decode(data: bytes, max_pixels: int, pixels_left: int, request_pixels: int) -> tuple[dict[str, Any], bytes]:
    image = open_checked(data, max_pixels)
    width, height = image.size
    if width * height > pixels_left:
        raise ImageTooCostly(f"image too costly to decode: the images of one request may have "
                             f"{request_pixels} pixels together")
    image = reduce_for_analysis(decode_full(image))
    if image.mode not in PLAIN_MODES:
        image = image.convert("RGBA" if has_alpha(image) else "RGB")
    header: dict[str, Any] = {"mode": image.mode, "size": list(image.size), "pixels": width * height}
    transparency = image.info.get("transparency")
    if isinstance(transparency, (int, tuple)):
        header["transparency"] = transparency
    return header, image.tobytes()


def pack(header: dict[str, Any], payload: bytes) -> bytes:
    """One message: the header's length, the header as JSON, the payload. One message a way per
    job, not two: each is a write, a wake-up and a read on the other side."""
    encoded = json.dumps(header).encode()
    return len(encoded).to_bytes(4, "big") + encoded + payload


def unpack(message: bytes | memoryview) -> tuple[dict[str, Any], memoryview]:
    length = int.from_bytes(message[:4], "big")
    view = memoryview(message)
    return json.loads(bytes(view[4 : 4 + length])), view[4 + length :]


def to_image(header: dict[str, Any], pixels: bytes | memoryview) -> Image.Image:
    """A worker's reply -> the image (the caller checks the header came from a worker's `run`)."""
    image = Image.frombytes(header["mode"], tuple(header["size"]), pixels)
    if "transparency" in header:
        value = header["transparency"]
        image.info["transparency"] = tuple(value) if isinstance(value, list) else value
    return image


def _limit_address_space(memory_bytes: int) -> int:
    """Let the address space grow `memory_bytes` beyond what the worker maps when it starts."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    limit = mapped + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return limit


def _peak_address_space() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    return 0
