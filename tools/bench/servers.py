"""Start the servers under test as subprocesses on free 127.0.0.1 ports, wait, measure, stop."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tools.bench.inputs import REPO, BenchImage, multipart
from tools.live_server import free_port
from tools.proctree import tree_cpu_seconds

POLL_INTERVAL_S = 0.005


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log_path: Path
    started: float  # time.perf_counter() just before Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/predict_digit"


def server_commands(model_path: Path, sklearn_model: Path) -> dict[str, list[str]]:
    """name -> argv (without the port): ours, the pickle design and the stack's ceiling."""
    return {
        "ours": [sys.executable, "-m", "server", "--host", "127.0.0.1", "--model", str(model_path)],
        "pickle": [sys.executable, "-m", "tools.bench.serve", "pickle", "--sklearn-model", str(sklearn_model)],
        "ceiling": [sys.executable, "-m", "tools.bench.serve", "ceiling"],
    }


def start(name: str, argv: Sequence[str], env: Mapping[str, str], log_dir: Path, tree: Path = REPO) -> Server:
    """Run argv (+ --port) from `tree`, a checkout of the project (another revision's worktree too)."""
    port = free_port()
    log_path = log_dir / f"{name}-{port}.log"
    full_env = {**os.environ, "PYTHONPATH": str(tree), **env}
    with log_path.open("wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen([*argv, "--port", str(port)], cwd=tree, env=full_env,
                                   stdout=log, stderr=subprocess.STDOUT)
    return Server(name, port, process, log_path, started)


@contextmanager
def running(specs: Mapping[str, tuple[Sequence[str], Mapping[str, str]]], log_dir: Path,
            probe: BenchImage) -> Iterator[dict[str, Server]]:
    """Every name -> (argv, env) started and answering `probe` (its digit; "ceiling" answers a
    constant), for the block; all stopped afterwards, whatever happened."""
    servers: dict[str, Server] = {}
    try:
        for name, (argv, env) in specs.items():
            servers[name] = start(name, argv, env, log_dir)
        for name, server in servers.items():
            first_good_answer(server, probe.path.read_bytes(), None if name == "ceiling" else probe.label)
        yield servers
    finally:
        for server in servers.values():
            stop(server)


def first_good_answer(server: Server, image: bytes, expected: int | None, timeout: float = 60.0) -> float:
    """Poll POST /predict_digit until it answers 200 (with `expected`, unless None); seconds since Popen."""
    def gone() -> str | None:
        if server.process.poll() is None:
            return None
        return f"{server.name} exited with {server.process.returncode}:\n{_tail(server)}"
    return good_answer_after(server.started, server.port, image, expected, gone, timeout,
                             lambda: f"{server.name} gave no good answer within {timeout}s:\n{_tail(server)}")


def good_answer_after(started: float, port: int, image: bytes, expected: int | None,
                      gone: Callable[[], str | None], timeout: float, late: Callable[[], str]) -> float:
    """Seconds from `started` (perf_counter) to the first 200 from 127.0.0.1:port with `expected`
    (unless None), polling every POLL_INTERVAL_S; `gone()` says why to give up early, if it must."""
    body, content_type = multipart(image)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reason = gone()
        if reason is not None:
            raise RuntimeError(reason)
        try:
            status, answer = post(port, body, content_type)
        except OSError:
            time.sleep(POLL_INTERVAL_S)
            continue
        elapsed = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"127.0.0.1:{port} answered {status}: {answer!r}")
        if expected is not None and answer.get("prediction") != expected:
            raise RuntimeError(f"127.0.0.1:{port} predicted {answer.get('prediction')}, expected {expected}")
        return elapsed
    raise RuntimeError(late())


def post(port: int, body: bytes, content_type: str) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/predict_digit", body, {"Content-Type": content_type})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def memory(server: Server) -> dict[str, float]:
    """Resident memory now and at its peak (MiB), from /proc (Linux)."""
    fields = {}
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mib": fields.get("VmRSS", 0.0), "peak_rss_mib": fields.get("VmHWM", 0.0)}


def cpu_seconds(server: Server) -> float:
    """User + system CPU the server has used so far: all its threads, and the processes it started
    (its decode workers, exited ones included), from /proc."""
    return tree_cpu_seconds(server.process.pid)


def stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def _tail(server: Server, lines: int = 20) -> str:
    return "\n".join(server.log_path.read_text(errors="replace").splitlines()[-lines:])
