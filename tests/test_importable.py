"""Every module of the project imports: a tool run only by hand (a benchmark, a reliability
check) cannot rot unnoticed when a module it uses moves."""

from __future__ import annotations

import importlib

import pytest

from tests.support import REPO

PACKAGES = ("digits", "server", "train", "export", "evaluation", "tools")


def modules() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


@pytest.mark.parametrize("module", modules())
def test_module_imports(module: str) -> None:
    importlib.import_module(module)
