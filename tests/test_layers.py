"""The layer rule of docs/architecture.md, enforced: the table there is read and every import checked.

Every folder holding Python is covered by a row, packages and folders of scripts (no __init__.py)
alike. A row names a top-level folder or a subpackage (`evaluation/drawings`); a file belongs to the
longest row its path starts with, and an import to the longest row its dotted name starts with. The
files are the ones git tracks or would track; a copy that is not a git checkout (an unpacked
archive) is walked instead, so the rule holds there too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO, imported_modules, imported_names

ARCHITECTURE = REPO / "docs" / "architecture.md"
ROW = re.compile(r"^\| `([\w-]+(?:/\w+)*)` \| (\d+) \| ([^|]*) \| ([^|]*) \|$")
# Not source: the virtualenv, Node's packages, trained artifacts, and hidden folders (.git, caches).
NOT_SOURCE = frozenset({".venv", "node_modules", "artifacts", "__pycache__"})


def layer_table() -> dict[str, tuple[set[str], set[str]]]:
    """folder -> (project folders it may import, third-party modules it must never import)."""
    table = {}
    for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line.strip())
        if match:
            folder, _, allowed, forbidden = match.groups()
            table[folder] = (_names(allowed), _names(forbidden))
    return table


def _names(cell: str) -> set[str]:
    return {name.strip() for name in cell.split(",") if name.strip() not in ("", "-")}


def python_files(root: Path) -> list[Path]:
    """The .py files of the tree at `root`, relative to it: in a git checkout, those git tracks or
    would track (not ignored); elsewhere, every one outside NOT_SOURCE and hidden folders."""
    listed = _git_python_files(root)
    return listed if listed is not None else _walked_python_files(root)


def _git_python_files(root: Path) -> list[Path] | None:
    """None when `root` is not the top of a git checkout (or git is missing)."""
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True,
                             timeout=30)
    except FileNotFoundError:
        return None
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != root.resolve():
        return None
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.py"],
                            cwd=root, capture_output=True, text=True, timeout=30, check=True).stdout
    # --cached still lists a tracked file deleted in the work tree.
    return sorted({Path(name) for name in listed.split("\0") if name and (root / name).is_file()})


def _walked_python_files(root: Path) -> list[Path]:
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in NOT_SOURCE and not name.startswith(".")]
        found += [Path(folder, name).relative_to(root) for name in files if name.endswith(".py")]
    return sorted(found)


def importers_of_tests(root: Path) -> list[str]:
    """Files outside tests/ that import the tests package."""
    return [str(path) for path in python_files(root)
            if path.parts[0] != "tests" and "tests" in imported_modules(root / path)]


def row_of(parts: tuple[str, ...], rows: set[str]) -> str | None:
    """The longest row that `parts` (a folder path or a dotted module name, split) starts with."""
    for length in range(len(parts), 0, -1):
        if "/".join(parts[:length]) in rows:
            return "/".join(parts[:length])
    return None


TABLE = layer_table()
PROJECT = set(TABLE)
TREE = python_files(REPO)


def folder_of(path: Path) -> str | None:
    return row_of(path.parent.parts, PROJECT)


def sources(folder: str) -> list[Path]:
    return [REPO / path for path in TREE if folder_of(path) == folder]


@pytest.mark.parametrize(("parts", "owner"), [
    (("evaluation", "drawings", "grid"), "evaluation/drawings"),
    (("evaluation", "drawings"), "evaluation/drawings"),
    (("evaluation",), "evaluation"),
    (("evaluation", "elsewhere", "x"), "evaluation"),
    (("evaluationx",), None),
    (("numpy", "linalg"), None),
])
def test_a_name_belongs_to_the_longest_row_it_starts_with(parts, owner):
    assert row_of(parts, {"evaluation", "evaluation/drawings", "digits"}) == owner


def test_every_folder_with_python_in_the_repo_has_a_row():
    unowned = sorted(str(path) for path in TREE if len(path.parts) > 1 and folder_of(path) is None)
    assert unowned == [], "add a row to docs/architecture.md's layer table"
    folders = {folder_of(path) for path in TREE if len(path.parts) > 1}
    assert {"digits", "server", "train", "export", "tests", "evaluation/drawings"} <= folders <= PROJECT


@pytest.mark.parametrize("folder", sorted(PROJECT))
def test_imports_follow_the_layer_table(folder):
    allowed, forbidden = TABLE[folder]
    offenders = []
    for path in sources(folder):
        for name in imported_names(path):
            row = row_of(tuple(name.split(".")), PROJECT)
            wrong_project = row is not None and row != folder and row not in allowed
            if wrong_project or name.split(".")[0] in forbidden or name == "__import__":
                offenders.append(f"{path.relative_to(REPO)} imports {name}")
    assert offenders == []


def test_nothing_outside_tests_imports_tests():
    assert importers_of_tests(REPO) == []


def test_no_module_imports_a_conftest():
    """conftest.py holds fixtures, which pytest hands out; what tests share as code lives in plain
    modules (tests/support.py, tests/samples.py, a folder's helpers.py)."""
    offenders = [str(path) for path in TREE
                 if any(name == "conftest" or name.endswith(".conftest") for name in imported_names(REPO / path))]
    assert offenders == []


def test_the_scan_works_in_a_copy_that_is_not_a_git_checkout(tmp_path):
    """Real files copied into a plain folder, beside .py files where no source lives: the walk finds
    the sources (in packages and script folders), skips the rest, and the tests-import rule still bites."""
    copied = [Path("digits/__init__.py"), Path("digits/cli.py"), Path("tools/render_terminal.py"),
              Path("examples/python/predict.py")]
    for path in copied:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / path, tmp_path / path)
    for not_source in [".venv/lib/site.py", "node_modules/pkg/x.py", "artifacts/y.py", ".hidden/z.py",
                       "digits/__pycache__/cli.py"]:
        (tmp_path / not_source).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / not_source).write_text("import tests\n")
    (tmp_path / "examples" / "leak.py").write_text("from tests.support import REPO\n")

    assert _git_python_files(tmp_path) is None
    assert python_files(tmp_path) == sorted([*copied, Path("examples/leak.py")])
    assert importers_of_tests(tmp_path) == ["examples/leak.py"]


@pytest.mark.parametrize(("packages", "absent"), [
    (["digits"], ["flask", "werkzeug", "waitress", "onnxruntime", "sklearn"]),
    (["train"], ["flask", "werkzeug", "waitress"]),
    (["evaluation/drawings", "evaluation/handwriting"], ["flask", "werkzeug", "waitress", "onnxruntime"]),
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
