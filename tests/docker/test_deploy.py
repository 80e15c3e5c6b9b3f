"""The Compose deployment for real: replicas of the session's image behind the HAProxy image.

A replica killed under load, a rolling update to a second model under load, and every replica
down, each on its own Compose project (digits-deploy-test<pid>-*) with the balancer on a free
127.0.0.1 port. The client counts every request; HAProxy's JSON access log says who answered.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import onnx
import pytest
import requests

from digits.contract import MODEL_VERSION_KEY
from tests.docker.helpers import build, docker, make
from tests.docker.load import Outcome, failures, for_seconds, run_load
from tests.support import REPO, need
from tools.compose_stack import Stack, running_stack
from tools.live_server import free_port

pytestmark = [pytest.mark.live, pytest.mark.docker, pytest.mark.slow]  # a Docker engine

LB_BASE = "digits-onnx-lb-base:bookworm"
LB_IMAGE = "digits-onnx-lb:test"
NEXT_IMAGE = "digits-onnx:test-next"
CONCURRENCY = 16
LOAD_SECONDS = 20
KILL_AFTER = 6  # seconds into the load: traffic has settled on all three replicas
SAMPLE = REPO / "handwritten-digits" / "digit_7.png"
# An 8x8 RGBA image, as v2 infer takes it: a vertical stroke of ink (alpha) on a clear page.
PIXELS = [[[0, 0, 0, 255 if column == 4 else 0] for column in range(8)] for _ in range(8)]


def served_version(answer: dict) -> str:
    """The model version an answer was computed with: the one place the tests read it from."""
    return str(answer["model_version"])


def predict_png(session: requests.Session, url: str) -> requests.Response:
    return session.post(url + "/predict_digit", files={"image": ("d.png", SAMPLE.read_bytes(), "image/png")},
                        timeout=15)


def infer_v2(session: requests.Session, url: str) -> requests.Response:
    body = {"inputs": [{"name": "image", "datatype": "UINT8", "shape": [8, 8, 4], "data": PIXELS}]}
    return session.post(url + "/v2/models/digits/infer", json=body, timeout=15)


@pytest.fixture(scope="session")
def compose_command() -> tuple[str, ...]:
    need(shutil.which("docker-compose") is not None, "the deployment tests need docker-compose (make deploy-deps)")
    return ("docker-compose",)


@pytest.fixture(scope="session")
def lb_image(docker_engine: None) -> str:
    if docker("image", "inspect", LB_BASE, check=False).returncode != 0:
        need(shutil.which("debootstrap") is not None, "building the balancer's base image needs debootstrap")
    make(f"LB_BASE={LB_BASE}", f"LB_IMAGE={LB_IMAGE}", "lb-image")
    return LB_IMAGE


@pytest.fixture(scope="session")
def next_image(image: str, base_image: str, model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The image again with another model.onnx: the same forest under a new model_version (the
    metadata entry export writes and the server reports everywhere)."""
    model = onnx.load(str(model_path))
    for entry in model.metadata_props:
        if entry.key == MODEL_VERSION_KEY:
            entry.value += "-next"
    path = tmp_path_factory.mktemp("next-model") / "model.onnx"
    onnx.save(model, str(path))
    build("--model", str(path), "--tag", NEXT_IMAGE, "--base", base_image)
    return NEXT_IMAGE


@pytest.fixture(scope="module")
def new_stack(image: str, lb_image: str, compose_command: tuple[str, ...]) -> Callable[..., Stack]:
    """new_stack(name, *override_files) -> a Stack of the session's images on a free port (not started)."""
    return lambda name, *overrides: Stack(f"digits-deploy-test{os.getpid()}-{name}", image, lb_image, free_port(),
                                          compose_command, overrides)


@pytest.fixture
def make_stack(new_stack) -> Iterator[Callable[..., Stack]]:
    """make_stack(name, replicas) -> a deployment routed to all its replicas; taken down after the test."""
    stacks: list[Stack] = []

    def start(name: str, replicas: int, *overrides: Path) -> Stack:
        stacks.append(new_stack(name, *overrides))
        stacks[-1].up(replicas)
        return stacks[-1]

    yield start
    for stack in stacks:
        stack.down()


@pytest.fixture(scope="module")
def nothing_up(new_stack) -> Iterator[Stack]:
    """A deployment whose only replica has been stopped: the balancer has nowhere to send anything."""
    with running_stack(new_stack("none"), 1) as stack:
        docker("stop", "--time", "5", *stack.replicas())
        yield stack


def test_a_killed_replica_costs_no_request(make_stack) -> None:
    stack = make_stack("kill", 3)
    ips = {replica: stack.ip(replica) for replica in stack.replicas()}
    victim = next(iter(ips))
    killed_at: list[float] = []

    def kill() -> None:
        time.sleep(KILL_AFTER)
        docker("kill", victim)
        killed_at.append(time.time())

    with ThreadPoolExecutor(max_workers=1) as background:
        killing = background.submit(kill)
        outcomes = run_load(lambda s: predict_png(s, stack.url), CONCURRENCY, for_seconds(LOAD_SECONDS),
                            max_seconds=LOAD_SECONDS + 20)
        killing.result(timeout=30)  # re-raises what went wrong in it

    assert len(outcomes) > 100 and failures(outcomes) == []
    log = stack.access_log("/predict_digit", at_least=len(outcomes), timeout=3)
    # HAProxy drops a log line rather than block when stdout's pipe is full: nearly all are there.
    assert 0.95 * len(outcomes) <= len(log) <= len(outcomes)
    before = Counter(line["server_ip"] for line in log if line["time"] < killed_at[0] - 1)
    after = Counter(line["server_ip"] for line in log if line["time"] > killed_at[0])
    assert set(before) == set(ips.values())
    survivors = set(ips.values()) - {ips[victim]}
    assert set(after) == survivors
    # Round robin over the two that are left: each takes a fair part of the killed one's traffic.
    assert min(after.values()) >= 0.3 * sum(after.values()), after
    assert victim not in stack.replicas()  # killed by hand: the restart policy leaves it down


def test_a_rolling_update_costs_no_request(make_stack, next_image: str) -> None:
    stack = make_stack("roll", 3)
    with requests.Session() as session:
        old = served_version(infer_v2(session, stack.url).json())
    finished_at: list[float] = []
    replica_counts: list[int] = []

    def roll() -> None:
        time.sleep(2)
        stack.rollout(next_image)
        finished_at.append(time.time())

    def watch() -> None:
        while not finished_at and not rolling.done():
            replica_counts.append(len(stack.replicas()))
            time.sleep(0.25)

    with ThreadPoolExecutor(max_workers=2) as background:
        rolling = background.submit(roll)
        watching = background.submit(watch)
        # Load until three seconds after the rollout returns (bounded: 3 replacements take ~25 s here).
        outcomes = run_load(lambda s: infer_v2(s, stack.url), CONCURRENCY, max_seconds=150,
                            until=lambda: rolling.done() and (not finished_at or time.time() > finished_at[0] + 3))
        rolling.result(timeout=30)
        watching.result(timeout=5)

    assert len(outcomes) > 100 and failures(outcomes) == []
    with requests.Session() as session:
        new = served_version(infer_v2(session, stack.url).json())
    assert new != old, "the two images must serve different model versions"
    versions = [served_version(o.body) for o in outcomes]
    assert set(versions) == {old, new}
    late: list[Outcome] = [o for o in outcomes if o.started > finished_at[0]]
    assert late and {served_version(o.body) for o in late} == {new}
    # One at a time: never fewer replicas than before, never more than one extra.
    assert set(replica_counts) <= {3, 4} and 4 in replica_counts, Counter(replica_counts)
    assert {docker("inspect", "--format", "{{.Config.Image}}", r).stdout.strip() for r in stack.replicas()} \
        == {next_image}


@pytest.mark.parametrize("method, path", [
    ("POST", "/predict_digit"),
    ("POST", "/v2/models/digits/infer"),
    ("GET", "/readyz"),
])
def test_no_replica_up_is_a_json_503(nothing_up: Stack, method: str, path: str) -> None:
    stack = nothing_up
    deadline = time.monotonic() + 15
    while (response := requests.request(method, stack.url + path, timeout=10)).status_code != 503:
        assert time.monotonic() < deadline, f"still {response.status_code} with every replica stopped"
        time.sleep(0.3)
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"error": "no model replica is available"}
