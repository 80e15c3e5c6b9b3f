"""The runtime image, built from the session's real model and run on a real Docker engine."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import requests

from tests.docker.conftest import Container, docker, image_size
from tests.support import REPO

pytestmark = [pytest.mark.docker, pytest.mark.slow]

SAMPLES = sorted((REPO / "handwritten-digits").glob("digit_*.png"))
LABEL = re.compile(r"digit_(\d)")
# Packages the image must not carry: the training stack and the installers.
ABSENT = ["sklearn", "scipy", "skl2onnx", "optuna", "matplotlib", "pip", "google.protobuf"]
# What docker/slim-venv.sh removes from packages the server does use; the answer tests above run
# on what is left.
PRUNED = ["numpy.random", "numpy.fft", "numpy.polynomial", "numpy.ma", "packaging", "onnxruntime.tools",
          "PIL._avif", "PIL._imagingft"]


def predict(url: str, path: Path) -> dict:
    with path.open("rb") as image:
        response = requests.post(url + "/predict_digit", files={"image": (path.name, image, "image/png")}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_answers_as_the_host_server_does(container: Container, live_server) -> None:
    """Same model, same code: the container's JSON equals the host server's for every sample."""
    assert len(SAMPLES) >= 20
    for path in SAMPLES:
        assert predict(container.url, path) == predict(live_server.url, path), path.name


def test_reads_the_handwritten_samples(container: Container) -> None:
    right = [p.name for p in SAMPLES if predict(container.url, p)["prediction"] == int(LABEL.match(p.name)[1])]
    # The session's model is a quick 4-trial fit: allow it two misses on the hand-drawn set.
    assert len(right) >= len(SAMPLES) - 2, sorted({p.name for p in SAMPLES} - set(right))


def test_a_bad_upload_is_a_json_4xx(container: Container) -> None:
    response = requests.post(container.url + "/predict_digit", files={"image": ("x.png", b"not a png")}, timeout=10)
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_healthcheck_reports_healthy(container: Container) -> None:
    deadline = time.monotonic() + 30
    while container.state()["Health"]["Status"] != "healthy":
        assert time.monotonic() < deadline, container.state()["Health"]
        time.sleep(0.5)


@pytest.mark.parametrize("module", ABSENT + PRUNED)
def test_training_stack_and_pruned_parts_are_absent(container: Container, module: str) -> None:
    result = docker("exec", container.id, "python", "-c", f"import {module}", check=False)
    assert result.returncode != 0 and "ModuleNotFoundError" in result.stderr, result.stderr


def test_libraries_are_bytecode_only(container: Container) -> None:
    """site-packages ships .pyc without sources, and the server's imports load from them."""
    script = ("import pathlib, flask, numpy, onnxruntime, PIL.Image, prometheus_client, waitress;"
              "site = pathlib.Path(flask.__file__).parents[1];"
              "print(flask.__file__, len(list(site.rglob('*.py'))), len(list(site.rglob('__pycache__'))))")
    module_file, sources, caches = docker("exec", container.id, "python", "-c", script).stdout.split()
    assert module_file.endswith("flask/__init__.pyc")
    assert (sources, caches) == ("0", "0")


def test_runs_as_non_root(container: Container) -> None:
    """Both the server (PID 1) and what `docker exec` starts run as the image's user, not uid 0."""
    status = docker("exec", container.id, "cat", "/proc/1/status").stdout
    uids = re.search(r"^Uid:\s+(.*)$", status, re.M)[1].split()
    assert uids == ["10001"] * 4
    assert docker("exec", container.id, "id", "-un").stdout.strip() == "digits"


def test_pid_1_is_the_server(container: Container) -> None:
    assert "python -m server" in docker("exec", container.id, "cat", "/proc/1/cmdline").stdout.replace("\0", " ")


def test_runs_with_a_read_only_root_filesystem(start_container, live_server) -> None:
    readonly = start_container("--read-only")
    path = SAMPLES[0]
    assert predict(readonly.url, path) == predict(live_server.url, path)
    assert docker("exec", readonly.id, "touch", "/app/x", check=False).returncode != 0


def test_docker_stop_is_quick_and_clean(start_container) -> None:
    """SIGTERM reaches python as PID 1 and closes waitress: exit 0 well before the 10 s SIGKILL."""
    victim = start_container()
    started = time.monotonic()
    docker("stop", victim.id, timeout=30)
    elapsed = time.monotonic() - started
    state = victim.state()
    assert (state["Status"], state["ExitCode"], state["OOMKilled"]) == ("exited", 0, False)
    # Not a performance target: a missed SIGTERM shows up as Docker's 10 s kill timeout.
    assert elapsed < 5, f"docker stop took {elapsed:.1f} s"


def test_image_config(image: str) -> None:
    config = docker("image", "inspect", "--format", "{{json .Config}}", image).stdout
    assert '"5000/tcp"' in config and '"Healthcheck"' in config and '"User":"digits"' in config


def test_runtime_layers_are_smaller_than_the_pickle_design_image(
        image: str, pickle_image: str, base_image: str) -> None:
    """What the runtime adds above the base is a fraction of what scikit-learn + Flask + pickle add."""
    base = image_size(base_image)
    runtime, pickle = image_size(image) - base, image_size(pickle_image) - base
    assert runtime < pickle * 0.6, (runtime, pickle)
