"""Driving Docker and the project's build scripts from the image tests: `docker`, `make`, `build`,
a running `Container` and waiting until it is ready (the fixtures are in conftest.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass

from tests.support import REPO
from tools.live_server import wait_ready as wait_ready_at

# The base `make base-image` builds, reused across sessions because it takes minutes to make. The
# runtime image's final stage takes its interpreter and libraries from it, so DIGITS_TEST_BASE must
# name a Debian python3 image too (deploy/docker/rootfs.py reads the owner of each file from dpkg).
LOCAL_BASE = "digits-onnx-base:bookworm"
BASE = os.environ.get("DIGITS_TEST_BASE", LOCAL_BASE)
IMAGE = "digits-onnx:test"
PICKLE_IMAGE = "digits-onnx-pickle:test"


def docker(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def engine_answers() -> bool:
    return shutil.which("docker") is not None and docker("info", timeout=30, check=False).returncode == 0


def image_size(tag: str) -> int:
    return int(docker("image", "inspect", "--format", "{{.Size}}", tag).stdout)


def make(*targets: str, timeout: float = 900) -> None:
    result = subprocess.run(["make", "-s", *targets], cwd=REPO, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"make {' '.join(targets)}:\n{result.stdout}\n{result.stderr}"


def build(*args: str) -> None:
    result = subprocess.run([str(REPO / "deploy/docker-build.sh"), *args],
                            cwd=REPO, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"docker-build.sh {' '.join(args)}:\n{result.stdout[-4000:]}\n{result.stderr}"


@dataclass(frozen=True)
class Container:
    id: str
    url: str

    def state(self) -> dict:
        return json.loads(docker("inspect", "--format", "{{json .State}}", self.id).stdout)


def wait_ready(container: Container, timeout: float = 60) -> None:
    wait_ready_at(container.url, lambda: container.state()["Status"] != "running",
                  lambda: docker("logs", container.id).stderr[-3000:], timeout, interval=0.2)
