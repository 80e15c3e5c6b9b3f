"""Start the real inference server (`python -m server`) on a free 127.0.0.1 port, for as long as needed.

Tests, `make eval-drawings`, `make fuzz`, `make soak` and the benchmarks all talk HTTP to a server
started by this one function, so they exercise exactly what a user runs.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


class ServerNotReady(RuntimeError):
    """The server died or did not answer GET /readyz in time (the message holds its log)."""


@dataclass(frozen=True)
class LiveServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def start_server(
    model_path: Path,
    extra_env: Mapping[str, str] | None = None,
    python: str = sys.executable,
    log_dir: Path | None = None,
    timeout: float = 30.0,
) -> Iterator[LiveServer]:
    """Run `python -m server` on a free 127.0.0.1 port until /readyz answers; stop it after."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), **(extra_env or {})}
    log_dir = log_dir or Path(os.environ.get("TMPDIR", "/tmp"))
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [python, "-m", "server", "--host", HOST, "--port", str(port), "--model", str(model_path)],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://{HOST}:{port}", process, log_path)
    try:
        wait_ready(server.url, lambda: process.poll() is not None, lambda: "\n".join(server.log_lines()), timeout)
        yield server
    finally:
        stop_process(process, grace=10)


def stop_process(process: subprocess.Popen, grace: float) -> None:
    """SIGTERM, then SIGKILL if it has not exited after `grace` seconds; always reaped."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_ready(url: str, exited: Callable[[], bool], logs: Callable[[], str], timeout: float,
               interval: float = 0.1) -> None:
    """Poll `url`/readyz until it answers 200; ServerNotReady (with `logs()`) if the server process
    `exited()` first or `timeout` seconds pass. Shared by this launcher and the container tests."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if exited():
            raise ServerNotReady(f"server exited:\n{logs()}")
        try:
            if requests.get(url + "/readyz", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(interval)
    raise ServerNotReady(f"server not ready after {timeout}s:\n{logs()}")
