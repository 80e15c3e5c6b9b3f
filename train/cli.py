"""Command-line plumbing shared by `python -m train`, `train.evaluate` and `export`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from server.cli import OneLineParser  # noqa: F401 (re-exported for train/ and export/)


def checked(convert: Callable[[str], float], accept: Callable[[float], bool], expected: str):
    """An argparse type: `convert` the text, then require `accept(value)`, else say `expected`."""

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not accept(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


def missing_inputs(artifacts: Path, names: tuple[str, ...]) -> str | None:
    """One-line error naming the inputs a stage lacks, or None when all are there."""
    missing = [name for name in names if not (artifacts / name).exists()]
    if not missing:
        return None
    return f"error: {artifacts} lacks {', '.join(missing)}; run `make train` first"


class UsageError(Exception):
    """A mistake the user can fix (bad storage URL, mismatched study settings): one line, exit 1."""
