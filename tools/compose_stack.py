"""A Compose deployment (deploy/docker-compose.yml: model replicas behind HAProxy) driven from Python.

The deployment tests and `python -m tools.bench.deploy` start, scale, roll and inspect it through this
one class, with the same commands `make up` / `make rollout` / `make down` run.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tools.live_server import HOST, REPO

COMPOSE_FILE = REPO / "deploy" / "docker-compose.yml"
ROLLOUT = REPO / "deploy" / "rollout.sh"
MODEL_SERVICE = "model"


class StackError(RuntimeError):
    """A docker or compose command failed, or the deployment did not become ready (message: why)."""


def docker(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise StackError(f"docker {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@dataclass
class Stack:
    project: str
    image: str
    lb_image: str
    port: int
    compose: Sequence[str] = ("docker-compose",)
    # deploy/docker-compose.yml, then any override files on top (Compose merges them in order).
    overrides: Sequence[Path] = ()
    env: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        # COMPOSE_FILE rather than -f: deploy/rollout.sh then sees the same files.
        files = os.pathsep.join(str(path) for path in (COMPOSE_FILE, *self.overrides))
        self.env = {**os.environ, "COMPOSE_PROJECT_NAME": self.project, "COMPOSE_FILE": files,
                    "DIGITS_IMAGE": self.image, "DIGITS_LB_IMAGE": self.lb_image, "DIGITS_LB_PORT": str(self.port)}

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def run_compose(self, *args: str, timeout: float = 180) -> str:
        command = [*self.compose, "-p", self.project, *args]
        result = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=timeout, cwd=REPO)
        if result.returncode != 0:
            raise StackError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def up(self, replicas: int, timeout: float = 120) -> None:
        """Start (or rescale to) `replicas` replicas; return once the balancer routes to all of them."""
        self.run_compose("up", "--detach", "--scale", f"{MODEL_SERVICE}={replicas}")
        self.wait_routed(replicas, timeout)

    def wait_routed(self, replicas: int, timeout: float = 120) -> None:
        """Until `replicas` replicas are healthy and HAProxy's round robin reaches every one of them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            running = self.replicas()
            if len(running) == replicas and all(self.health(r) == "healthy" for r in running):
                if self._served_by() >= {self.ip(r) for r in running}:
                    return
            time.sleep(0.5)
        raise StackError(f"{self.project}: HAProxy does not route to {replicas} healthy replicas after "
                         f"{timeout} s:\n{self.lb_logs()[-3000:]}")

    def _served_by(self) -> set[str]:
        """The replicas' addresses that answered a few GET /readyz sent through the balancer now."""
        count = 2 * len(self.replicas()) + 2
        logged = len(self.access_log("/readyz", timeout=0))
        with requests.Session() as session:
            for _ in range(count):
                try:
                    if session.get(self.url + "/readyz", timeout=2).status_code != 200:
                        return set()
                except requests.RequestException:
                    return set()
        return {line["server_ip"] for line in self.access_log("/readyz", at_least=logged + count)[logged:]}

    def health(self, container: str) -> str:
        return docker("inspect", "--format", "{{.State.Health.Status}}", container).stdout.strip()

    def replicas(self) -> list[str]:
        """Ids of the running model replicas."""
        out = docker("ps", "--quiet", "--no-trunc", "--filter", f"label=com.docker.compose.project={self.project}",
                     "--filter", f"label=com.docker.compose.service={MODEL_SERVICE}").stdout
        return out.split()

    def lb_container(self) -> str:
        out = docker("ps", "--all", "--quiet", "--filter", f"label=com.docker.compose.project={self.project}",
                     "--filter", "label=com.docker.compose.service=lb").stdout.split()
        if len(out) != 1:
            raise StackError(f"{self.project}: expected one balancer container, found {out}")
        return out[0]

    def ip(self, container: str) -> str:
        fmt = "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}"
        return docker("inspect", "--format", fmt, container).stdout.split()[0]

    def lb_logs(self) -> str:
        result = docker("logs", self.lb_container(), check=False)
        return result.stdout + result.stderr

    def access_log(self, path: str, at_least: int = 0, timeout: float = 10) -> list[dict[str, Any]]:
        """HAProxy's JSON lines (deploy/haproxy/haproxy.cfg, log-format) for requests to `path`.

        Log lines reach `docker logs` a moment after the answers: wait for `at_least` of them."""
        deadline = time.monotonic() + timeout
        while True:
            lines = [json.loads(line) for line in docker("logs", self.lb_container()).stdout.splitlines()
                     if line.startswith("{")]
            lines = [line for line in lines if line["path"] == path]
            if len(lines) >= at_least or time.monotonic() > deadline:
                return lines
            time.sleep(0.2)

    def rollout(self, new_image: str, timeout: float = 300) -> str:
        """deploy/rollout.sh NEW_IMAGE, as `make rollout` runs it; returns its output."""
        env = {**self.env, "COMPOSE": " ".join(self.compose)}
        result = subprocess.run([str(ROLLOUT), new_image], env=env, capture_output=True, text=True,
                                timeout=timeout, cwd=REPO)
        if result.returncode != 0:
            raise StackError(f"rollout to {new_image} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def down(self) -> None:
        self.run_compose("down", "--remove-orphans", "--timeout", "5")


@contextmanager
def running_stack(stack: Stack, replicas: int) -> Iterator[Stack]:
    """The deployment up with `replicas` replicas for the block; always taken down after."""
    try:
        stack.up(replicas)
        yield stack
    finally:
        stack.down()
