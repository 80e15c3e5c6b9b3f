"""Session fixtures for the image tests: a Docker engine, the local base, one built image, one container.

The engine is the running one when `docker info` answers; otherwise (as root, e.g. in CI) the
session starts dockerd itself and stops it at teardown. Images are built once per session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docker.helpers import (
    BASE,
    IMAGE,
    LOCAL_BASE,
    PICKLE_IMAGE,
    Container,
    build,
    docker,
    engine_answers,
    make,
    wait_ready,
)
from tests.support import need
from tools.live_server import stop_process


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


@pytest.fixture(scope="session")
def container(start_container) -> Container:
    """The image run as a user would: default flags, one instance for the session."""
    return start_container()
