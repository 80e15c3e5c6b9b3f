"""`python -m tools.bench.run --quick` end to end: real servers, real wrk, a results file and a table.

Only the shape of what is written is checked, never a time: benchmarks do not fail on speed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO, need
from tools.bench.http_level import medians, ratios
from tools.bench.report import END, START

pytestmark = pytest.mark.live  # real servers under wrk

SERVERS = {"ours", "pickle", "ceiling"}
IMAGES = {"paint_280", "icon_8x8"}


@pytest.fixture(scope="module")
def quick_run(exported_artifacts: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    need(shutil.which("wrk") is not None, "wrk is not installed (make bench-deps)")
    out = tmp_path_factory.mktemp("bench")
    readme = out / "README.md"
    shutil.copyfile(REPO / "tools" / "bench" / "README.md", readme)
    completed = subprocess.run(
        [sys.executable, "-m", "tools.bench.run", "--quick", "--artifacts", str(exported_artifacts),
         "--results-dir", str(out / "results"), "--readme", str(readme)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    [results_file] = (out / "results").glob("*-quick.json")
    return json.loads(results_file.read_text()), readme.read_text()


def test_results_record_the_machine_versions_and_commands(quick_run):
    results, _ = quick_run
    assert results["machine"]["cpus_usable"] >= 1
    assert {"python", "onnxruntime", "scikit-learn", "waitress", "wrk"} <= set(results["versions"])
    assert len(results["load_average"]["before"]) == 3 and len(results["load_average"]["after"]) == 3
    assert results["commands"]["bench"].startswith("python -m tools.bench.run --quick")
    assert set(results["commands"]["servers"]) == SERVERS
    assert results["settings"]["threads"] >= 1


def test_every_server_image_and_concurrency_was_measured_without_errors(quick_run):
    results, _ = quick_run
    cells = {(row["server"], row["image"], row["concurrency"]) for row in results["http"]["medians"]}
    assert cells == {(s, i, c) for s in SERVERS for i in IMAGES for c in (1, 8)}
    for row in results["http"]["medians"]:
        assert row["requests"] > 0 and row["errors"] == 0, row
        assert 0 < row["p50_ms"] <= row["p99_ms"], row


def test_model_level_cold_start_memory_and_targets_are_reported(quick_run):
    results, _ = quick_run
    assert set(results["model_level"]["cases"]) == {"1 row", "1000 rows", "1 row, caches flushed"}
    assert results["model_level"]["cases"]["1 row"]["speedup"] > 0
    assert results["cold_start"]["median_s"] > 0
    assert "create_app (model load + warm-up)" in results["cold_start"]["stages"]
    assert set(results["memory"]) == SERVERS
    started = results["container_start"]  # measured when Docker and the image are there, else says why not
    assert (started["median_s"] > 0 and len(started["runs_s"]) == 1) if started["median_s"] is not None \
        else started["why"]
    assert all(isinstance(target["met"], bool) for target in results["targets"])


def test_readme_table_is_replaced_between_the_markers(quick_run):
    _, readme = quick_run
    table = readme.split(START, 1)[1].split(END, 1)[0]
    assert "| paint_280 | 8 | ours |" in table
    assert "(no run yet)" not in table


RUNS = [
    {"round": r, "server": s, "image": "png", "concurrency": 8, "req_per_s": rps, "p50_ms": p50, "p99_ms": p99,
     "cpu_ms_per_request": cpu, "requests": 100, "errors": 0}
    for r, s, rps, p50, p99, cpu in [
        (0, "ours", 400.0, 10.0, 20.0, 2.0), (1, "ours", 600.0, 12.0, 40.0, 2.0), (2, "ours", 500.0, 11.0, 30.0, 2.0),
        (0, "pickle", 20.0, 300.0, 400.0, 40.0), (1, "pickle", 25.0, 300.0, 400.0, 40.0),
        (2, "pickle", 30.0, 300.0, 400.0, 40.0),
        (0, "ceiling", 1000.0, 5.0, 9.0, 0.5), (1, "ceiling", 1000.0, 5.0, 9.0, 0.5),
        (2, "ceiling", 1000.0, 5.0, 9.0, 0.5),
    ]
]


@pytest.mark.parametrize("key, expected", [
    ("ours_over_pickle", 20.0),  # median 500 / median 25
    ("ours_over_ceiling", 0.5),
    ("p99_over_p50", 2.73),  # median 30 / median 11
    ("ours_over_pickle_by_cpu", 20.0),  # 40 ms / 2 ms
    ("ours_over_ceiling_by_cpu", 0.25),
])
def test_ratios_are_taken_between_medians(key, expected):
    [ratio] = ratios(medians(RUNS))
    assert ratio[key] == expected
