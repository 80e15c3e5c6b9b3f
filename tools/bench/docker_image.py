"""The runtime image, measured: its size above the base it was built on, and container start to ready.

Start to ready is timed the way a user or an orchestrator sees it: from just before
`docker run --detach` (the engine creates the container, its network and its published port, then
starts it) to the first 200 with the right digit through the published 127.0.0.1 port, polled
every 5 ms. Beside it the floor: `docker run` of the same image doing nothing but `python -c pass`,
so what the server's own start-up adds is the difference.
"""

from __future__ import annotations

import shutil
import statistics
import time
from typing import Any

from tools.bench.inputs import BenchImage
from tools.bench.servers import good_answer_after
from tools.compose_stack import docker
from tools.live_server import free_port

CONTAINER_PORT = 5000  # the image's DIGITS_PORT
def size(image: str) -> dict[str, Any]:
    """The whole image's size (it is built FROM scratch: everything in it is the image's own)."""
    why = _unavailable(image)
    if why is not None:
        return {"name": image, "mib": None, "image_mb": None, "why": why}
    total = int(_inspect(image, "{{.Size}}"))
    return {"name": image, "mib": round(total / 2**20, 1), "image_mb": round(total / 1e6, 1)}


def start_to_ready(image: str, probe: BenchImage, repeats: int) -> dict[str, Any]:
    """Median seconds from `docker run` to the first good answer, and the `python -c pass` floor."""
    why = _unavailable(image)
    if why is not None:
        return {"image": image, "median_s": None, "why": why}
    times = [_start_to_answer(image, probe) for _ in range(repeats)]
    floor = [_python_pass(image) for _ in range(repeats)]
    return {"image": image, "median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
            "runs_s": [round(t, 3) for t in times],
            "docker_run_python_pass_s": round(statistics.median(floor), 3)}


def _unavailable(image: str) -> str | None:
    if shutil.which("docker") is None:
        return "docker is not installed"
    if docker("image", "inspect", image, check=False).returncode != 0:
        return f"image {image} not built (`make image`) or docker not running"
    return None


def _inspect(image: str, template: str) -> str:
    return docker("image", "inspect", "--format", template, image).stdout.strip()


def _start_to_answer(image: str, probe: BenchImage) -> float:
    port = free_port()
    name = f"digits-bench-start-{port}"
    started = time.perf_counter()
    docker("run", "--detach", "--rm", "--read-only", "--name", name,
           "--publish", f"127.0.0.1:{port}:{CONTAINER_PORT}", image)
    try:
        return good_answer_after(started, port, probe.path.read_bytes(), probe.label, lambda: None, 60.0,
                                 lambda: f"{name} gave no good answer within 60 s:\n"
                                         f"{docker('logs', name, check=False).stderr[-2000:]}")
    finally:
        docker("rm", "--force", name, check=False)


def _python_pass(image: str) -> float:
    started = time.perf_counter()
    docker("run", "--rm", "--read-only", "--entrypoint", "python", image, "-c", "pass")
    return time.perf_counter() - started
