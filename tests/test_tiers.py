"""The tier guard (tests/tiers.py): a test that uses a live fixture must say it is live, or the run
stops at collection and runs nothing. Checked on small test files run with the guard in a fresh pytest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO

CONFTEST = '''
import pytest

from tests.tiers import pytest_collection_modifyitems  # noqa: F401


@pytest.fixture
def model_path():
    return "model.onnx"
'''

UNMARKED = "def test_x(model_path):\n    pass\n"
MARKED = "import pytest\n\n\n@pytest.mark.live\ndef test_x(model_path):\n    pass\n"
MODULE_MARKED = "import pytest\n\npytestmark = pytest.mark.live\n\n\ndef test_x(model_path):\n    pass\n"
FAST = "def test_x(tmp_path):\n    pass\n"


def run(tmp_path: Path, test_source: str, conftest_extra: str = "", *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers =\n    live: a live test\n")
    (tmp_path / "conftest.py").write_text(CONFTEST + conftest_extra)
    (tmp_path / "test_sample.py").write_text(test_source)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        # Without the installed plugins: they add seconds to each start and nothing to the guard.
        env={**os.environ, "PYTHONPATH": str(REPO), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )


@pytest.mark.parametrize(("test_source", "conftest_extra", "args", "refused"), [
    (UNMARKED, "", [], True),
    (UNMARKED, "", ["-m", "live"], True),  # checked before -m deselects it
    (UNMARKED, "\npytestmark = pytest.mark.live\n", [], True),  # a conftest's pytestmark marks nothing
    (MARKED, "", [], False),
    (MODULE_MARKED, "", [], False),
    (FAST, "", [], False),
], ids=["unmarked", "unmarked-under-m-live", "marked-in-conftest-only", "marked-test", "marked-module",
        "no-live-fixture"])
def test_a_live_fixture_needs_the_live_mark(tmp_path, test_source, conftest_extra, args, refused):
    result = run(tmp_path, test_source, conftest_extra, *args)
    if refused:
        assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
        assert "test_sample.py::test_x: model_path" in result.stderr, result.stderr
        assert "passed" not in result.stdout
    else:
        assert result.returncode == pytest.ExitCode.OK, result.stdout + result.stderr
        assert "1 passed" in result.stdout, result.stdout
