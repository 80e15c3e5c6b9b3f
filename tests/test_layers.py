"""The layer rule of docs/architecture.md, enforced: the table there is read and every import checked."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO, imported_modules

ARCHITECTURE = REPO / "docs" / "architecture.md"
ROW = re.compile(r"^\| `(\w+)` \| (\d+) \| ([^|]*) \| ([^|]*) \|$")


def layer_table() -> dict[str, tuple[set[str], set[str]]]:
    """package -> (project packages it may import, third-party modules it must never import)."""
    table = {}
    for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line.strip())
        if match:
            package, _, allowed, forbidden = match.groups()
            table[package] = (_names(allowed), _names(forbidden))
    return table


def _names(cell: str) -> set[str]:
    return {name.strip() for name in cell.split(",") if name.strip() not in ("", "-")}


TABLE = layer_table()
PROJECT = set(TABLE)


def sources(package: str) -> list[Path]:
    return sorted(path for path in (REPO / package).rglob("*.py"))


def test_every_python_package_in_the_repo_has_a_row():
    packages = {path.parent.name for path in REPO.glob("*/__init__.py")}
    assert packages - PROJECT == set(), "add a row to docs/architecture.md's layer table"
    assert {"digits", "server", "train", "export", "tests"} <= PROJECT


@pytest.mark.parametrize("package", sorted(PROJECT))
def test_imports_follow_the_layer_table(package):
    allowed, forbidden = TABLE[package]
    offenders = []
    for path in sources(package):
        for name in imported_modules(path):
            wrong_project = name in PROJECT and name != package and name not in allowed
            if wrong_project or name in forbidden or name == "__import__":
                offenders.append(f"{path.relative_to(REPO)} imports {name}")
    assert offenders == []


def test_nothing_outside_tests_imports_tests():
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.split()
    offenders = [name for name in tracked
                 if not name.startswith("tests/") and "tests" in imported_modules(REPO / name)]
    assert offenders == []


@pytest.mark.parametrize(("packages", "absent"), [
    (["digits"], ["flask", "werkzeug", "waitress", "onnxruntime", "sklearn"]),
    (["train"], ["flask", "werkzeug", "waitress"]),
    (["drawings", "handwriting"], ["flask", "werkzeug", "waitress", "onnxruntime"]),
    (["export"], ["flask", "werkzeug", "waitress"]),
    (["server"], ["sklearn", "skl2onnx", "optuna", "scipy", "joblib"]),
], ids=["digits", "train", "drawings-handwriting", "export", "server"])
def test_importing_a_layer_loads_no_forbidden_module(packages, absent):
    """What the scan cannot see (imports made by the libraries themselves), seen in a fresh
    interpreter that imports every module of the packages."""
    modules = [
        ".".join(path.relative_to(REPO).with_suffix("").parts)
        for package in packages for path in sources(package) if path.name != "__main__.py"
    ]
    code = ("import importlib, sys\n"
            f"for name in {modules!r}: importlib.import_module(name.removesuffix('.__init__'))\n"
            f"print(sorted(m for m in {absent!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
