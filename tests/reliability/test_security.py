"""Security properties that are checked, not promised: no unpickling, no tracebacks, pinned deps."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from server.app import create_app
from server.config import Settings
from tests.support import REPO, imported_modules

SERVER_MODULES = sorted((REPO / "server").glob("*.py"))
# Anything that can execute code while loading data, and the training stack that brings it.
FORBIDDEN_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "shelve", "marshal", "sklearn"}


def keyword_values(path: Path, keyword: str) -> list[object]:
    return [
        kw.value.value
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        for kw in node.keywords
        if kw.arg == keyword and isinstance(kw.value, ast.Constant)
    ]


def test_the_scan_sees_the_runtime_the_server_imports():
    """The forbidden-module check below is only as good as the scan: it must see the server's own
    stack, whatever form its imports take (`import x`, `from x.y import z`)."""
    seen = set().union(*(imported_modules(path) for path in SERVER_MODULES))
    assert {"flask", "werkzeug", "waitress", "onnxruntime", "prometheus_client", "numpy", "digits"} <= seen


@pytest.mark.parametrize("path", SERVER_MODULES, ids=[p.name for p in SERVER_MODULES])
def test_server_never_imports_an_unpickler(path):
    assert not imported_modules(path) & (FORBIDDEN_MODULES | {"__import__"})


@pytest.mark.parametrize("path", SERVER_MODULES, ids=[p.name for p in SERVER_MODULES])
def test_server_never_enables_debug_or_pickle(path):
    assert True not in keyword_values(path, "debug")
    assert True not in keyword_values(path, "allow_pickle")
    assert True not in keyword_values(path, "expose_tracebacks")


@pytest.mark.live
def test_a_bug_answers_json_500_without_a_traceback(model_path):
    """The app's last-resort handler: the real app, with one route that fails like a bug would."""
    app = create_app(Settings(model_path=str(model_path)))
    app.add_url_rule("/boom", view_func=lambda: 1 / 0)
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.get_json() == {"error": "internal server error"}
    assert not app.debug and b"Traceback" not in response.data and b"ZeroDivision" not in response.data


def test_runtime_dependencies_are_pinned_with_hashes():
    """Every runtime requirement is an exact version with a hash (the image installs with --require-hashes)."""
    text = (REPO / "requirements/runtime.txt").read_text(encoding="utf-8")
    entries = [block for block in re.split(r"\n(?=\S)", text) if block.strip() and not block.startswith("#")]
    assert len(entries) >= 6
    for entry in entries:
        assert "==" in entry.split()[0] and "--hash=sha256:" in entry, entry[:100]


@pytest.mark.live  # PyPI's advisory service, over the network
def test_pip_audit_of_the_runtime_lock(tmp_path):
    """Known vulnerabilities in requirements/runtime.txt (PyPI's advisory database via pip-audit).

    Skips, never fails, when the service cannot answer for these pins: CI must not depend on an
    outside service being reachable. Any vulnerability it does report fails the test.
    """
    report = tmp_path / "audit.json"
    result = subprocess.run(
        [sys.executable, "-m", "pip_audit", "-r", str(REPO / "requirements/runtime.txt"), "--disable-pip",
         "--no-deps", "--progress-spinner", "off", "--format", "json", "--output", str(report)],
        capture_output=True, text=True, timeout=300,
    )
    if not report.exists():
        pytest.skip(f"pip-audit could not run (vulnerability service unreachable?): {result.stderr.strip()[-300:]}")
    dependencies = json.loads(report.read_text())["dependencies"]
    audited = [dep for dep in dependencies if "skip_reason" not in dep]
    if not audited:
        pytest.skip(f"the vulnerability service knows none of the {len(dependencies)} pinned versions")
    vulnerable = {dep["name"]: [v["id"] for v in dep["vulns"]] for dep in audited if dep["vulns"]}
    assert not vulnerable
