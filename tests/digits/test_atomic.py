"""Atomic writes: a failed writer leaves the old file and no temporary behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from digits.artifacts import atomic_path, write_json, write_text


def test_success_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "metrics.json"
    write_text(target, "old")
    write_json(target, {"accuracy": 0.97})
    assert target.read_text() == '{\n  "accuracy": 0.97\n}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json"]


@pytest.mark.parametrize("error", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_failure_keeps_the_old_file(tmp_path: Path, error: BaseException) -> None:
    target = tmp_path / "best_model.pkl"
    write_text(target, "previous good model")
    with pytest.raises(type(error)):
        with atomic_path(target) as tmp:
            tmp.write_text("half a mod")
            raise error
    assert target.read_text() == "previous good model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best_model.pkl"]
