"""Helpers shared by the test modules (fixtures live in the conftest.py files).

REPO, `run_module` (run `python -m ...` as a user would) and `need` (skip locally, fail in CI)
are imported from here; the real server launcher is tools.live_server.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tools.live_server import REPO

HANDWRITTEN = REPO / "handwritten-digits"
_SAMPLE_NAME = re.compile(r"digit_(\d)(_[a-z0-9]+)?\.png")

# Small but real: enough trials for Optuna's importance plot, few folds and one copy per image to
# tune fast. The final fit keeps the default six copies: with one, the font glyphs outnumber the
# Digits rows and the forest misreads the clear drawings the server tests send (a 1 read as 4).
QUICK_TRAIN_ARGS = ["--trials", "4", "--folds", "3", "--augment-copies", "1", "--fit-copies", "6", "--no-progress"]


def run_module(module: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run `python -m module args` from the repo root, as a user would, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO, capture_output=True, text=True, timeout=timeout,
    )


def need(available: bool, why: str) -> None:
    """Skip a test whose real dependency is missing on a developer's machine; in CI, fail it.

    CI installs everything (`make test` runs tools/system-deps.sh), so a skip there would hide
    a broken install step.
    """
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide this: {why}")
    pytest.skip(why)


def imported_names(path: Path) -> set[str]:
    """Dotted names of the modules a source file imports (absolute imports; relative ones stay inside
    their package): `from a.b import c` gives both "a.b" and "a.b.c", since c may be a module. A call
    to __import__ shows up as "__import__": a dynamic import would dodge every rule built on this scan."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            names.add("__import__")
    return names


def imported_modules(path: Path) -> set[str]:
    """Top-level names of the modules a source file imports (see imported_names)."""
    return {name.split(".")[0] for name in imported_names(path)}


def handwritten_samples() -> list[tuple[Path, int]]:
    """The committed handwritten-digits/digit_<label>[_<suffix>].png files with their labels; a file
    named any other way fails the caller's test rather than being skipped."""
    samples = []
    for path in sorted(HANDWRITTEN.glob("*.png")):
        match = _SAMPLE_NAME.fullmatch(path.name)
        assert match, f"{path.name} does not follow digit_<label>[_<suffix>].png"
        samples.append((path, int(match.group(1))))
    return samples


def assert_usage_error(result: subprocess.CompletedProcess, module: str, message: str) -> None:
    """A bad argument: exit 2, nothing on stdout, one line on stderr naming the command."""
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"python -m {module}: error:") and message in result.stderr, result.stderr
