"""Session fixtures for both tiers.

In-process tier: `small_model_path` is the whole recognizer around a small forest
(`small_forest_path`), fitted, converted and composed by training's and export's own functions
(seconds, no subprocess); `app` is `create_app()` on it and `client` Flask's test client,
which every route and error row is checked with first.

Live tier (tests/tiers.py): `trained_artifacts` -> `exported_artifacts` -> `model_path` run the real `python -m train`
and `python -m export`; `live_server` is the real waitress server for the session, started by
`tools.live_server.start_server()` (which tests, benchmarks and fuzzing all share).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from server.app import create_app
from server.config import Settings
from tests.support import QUICK_TRAIN_ARGS, run_module
from tests.tiers import pytest_collection_modifyitems  # noqa: F401 (the guard: live fixtures need the live mark)
from tools.live_server import LiveServer, start_server


@pytest.fixture(scope="session")
def small_forest_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """forest.onnx of a 30-tree forest on Digits plus one rendered copy of each row: training's own
    augment/fit and export's own converter, just a smaller forest, in seconds and in process."""
    from export.convert import to_onnx
    from train.augment import augment
    from train.data import load_xy
    from train.fit import fit_best

    training = augment(*load_xy(), copies=1, seed=0)
    forest = fit_best({"n_estimators": 30, "max_depth": 15}, training.X, training.y, seed=0)
    path = tmp_path_factory.mktemp("small-forest") / "forest.onnx"
    path.write_bytes(to_onnx(forest).SerializeToString())
    return path


@pytest.fixture(scope="session")
def small_model_path(small_forest_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """model.onnx, the whole recognizer (export's own composition) around the small forest."""
    import onnx

    from recognizer.compose import recognizer_model

    path = tmp_path_factory.mktemp("small-model") / "model.onnx"
    path.write_bytes(recognizer_model(onnx.load(str(small_forest_path))).SerializeToString())
    return path


@pytest.fixture(scope="session")
def app(small_model_path: Path) -> Flask:
    """The app as create_app() builds it from default Settings, on the small model."""
    return create_app(Settings(model_path=str(small_model_path)))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def trained_artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An artifacts/ directory produced by the real `python -m train`."""
    artifacts = tmp_path_factory.mktemp("artifacts")
    result = run_module("train", *QUICK_TRAIN_ARGS, "--artifacts", str(artifacts))
    assert result.returncode == 0, result.stderr
    return artifacts


@pytest.fixture(scope="session")
def exported_artifacts(trained_artifacts: Path) -> Path:
    """The same directory after the real `python -m export` published model.onnx."""
    result = run_module("export", "--artifacts", str(trained_artifacts))
    assert result.returncode == 0, result.stderr
    return trained_artifacts


@pytest.fixture(scope="session")
def model_path(exported_artifacts: Path) -> Path:
    return exported_artifacts / "model.onnx"


@pytest.fixture(scope="session")
def forest_path(exported_artifacts: Path) -> Path:
    return exported_artifacts / "forest.onnx"


@pytest.fixture(scope="session")
def live_server(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with start_server(model_path, log_dir=tmp_path_factory.mktemp("server-logs")) as server:
        yield server
