"""Session fixtures for the image tests: a Docker engine, the local base, one built image, one container.

The engine is the running one when `docker info` answers; otherwise (as root, e.g. in CI) the
session starts dockerd itself and stops it at teardown. Images are built once per session.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devtools.live_server import stop_process
from devtools.live_server import wait_ready as wait_ready_at
from tests.support import REPO, need

# The base `make base-image` builds, reused across sessions because it takes minutes to make. The
# runtime image's final stage takes its interpreter and libraries from it, so DIGITS_TEST_BASE must
# name a Debian python3 image too (docker/rootfs.py reads the owner of each file from dpkg).
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


@pytest.fixture(scope="session")
def docker_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    if engine_answers():
        yield
        return
    need(shutil.which("dockerd") is not None and os.geteuid() == 0,
         "no Docker engine answers and dockerd cannot be started here (needs docker.io and root)")
    state = tmp_path_factory.mktemp("dockerd")
    with (state / "dockerd.log").open("wb") as log:
        daemon = subprocess.Popen(["dockerd", "--pidfile", str(state / "dockerd.pid")],
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not engine_answers():
            assert daemon.poll() is None, (state / "dockerd.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "dockerd did not answer within 60 s"
            time.sleep(0.5)
        yield
    finally:
        stop_process(daemon, grace=60)  # dockerd stops its containers first


@pytest.fixture(scope="session")
def base_image(docker_engine: None) -> str:
    if docker("image", "inspect", BASE, check=False).returncode == 0:
        return BASE
    if BASE == LOCAL_BASE:
        need(shutil.which("debootstrap") is not None, "building the base image needs debootstrap")
        make(f"LOCAL_BASE={BASE}", "base-image")
    else:
        docker("pull", BASE, timeout=600)
    return BASE


def build(*args: str) -> None:
    result = subprocess.run([str(REPO / "scripts/docker-build.sh"), *args],
                            cwd=REPO, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"docker-build.sh {' '.join(args)}:\n{result.stdout[-4000:]}\n{result.stderr}"


@pytest.fixture(scope="session")
def image(base_image: str, model_path: Path) -> str:
    make("wheels")
    build("--model", str(model_path), "--tag", IMAGE, "--base", base_image)
    return IMAGE


@pytest.fixture(scope="session")
def pickle_image(base_image: str, trained_artifacts: Path) -> str:
    make("wheels-pickle")
    build("--pickle", "--model", str(trained_artifacts / "best_model.pkl"), "--tag", PICKLE_IMAGE, "--base", base_image)
    return PICKLE_IMAGE


@dataclass(frozen=True)
class Container:
    id: str
    url: str

    def state(self) -> dict:
        return json.loads(docker("inspect", "--format", "{{json .State}}", self.id).stdout)


@pytest.fixture(scope="session")
def start_container(image: str) -> Iterator:
    """start_container(*docker_run_flags) -> a ready Container; all are removed at session end."""
    started: list[str] = []

    def start(*flags: str) -> Container:
        # Port 0 on loopback: Docker picks a free host port; nothing listens beyond this machine.
        cid = docker("run", "--detach", "--publish", "127.0.0.1::5000", "--health-interval", "1s",
                     *flags, image).stdout.strip()
        started.append(cid)
        host_port = docker("port", cid, "5000/tcp").stdout.split("\n")[0].rsplit(":", 1)[1]
        container = Container(cid, f"http://127.0.0.1:{host_port}")
        wait_ready(container)
        return container

    yield start
    for cid in started:
        docker("rm", "--force", cid, check=False)


def wait_ready(container: Container, timeout: float = 60) -> None:
    wait_ready_at(container.url, lambda: container.state()["Status"] != "running",
                  lambda: docker("logs", container.id).stderr[-3000:], timeout, interval=0.2)


@pytest.fixture(scope="session")
def container(start_container) -> Container:
    """The image run as a user would: default flags, one instance for the session."""
    return start_container()
