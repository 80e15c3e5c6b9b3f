"""Cold start: `python -m server` from process start to its first good answer, and where it goes.

`stages()` runs tools/bench/startup_stages.py in a fresh interpreter: it times each import and
create_app() in order, so the sum shows what a start-up spends its time on.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tools.bench.inputs import REPO, BenchImage
from tools.bench.servers import first_good_answer, memory, start, stop

STAGES_SCRIPT = REPO / "tools" / "bench" / "startup_stages.py"


def measure(argv: list[str], env: dict[str, str], image: BenchImage, log_dir: Path, repeats: int) -> dict[str, Any]:
    """Median seconds from Popen to the first 200 with the right digit, and the idle RSS."""
    times, rss = [], []
    for _ in range(repeats):
        server = start("ours", argv, env, log_dir)
        try:
            times.append(first_good_answer(server, image.path.read_bytes(), image.label))
            rss.append(memory(server)["rss_mib"])
        finally:
            stop(server)
    return {"median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
            "runs_s": [round(t, 3) for t in times], "idle_rss_mib": statistics.median(rss)}


def interpreter_start(repeats: int = 5) -> float:
    """Median seconds for `python -c pass`: the floor under any Python server's cold start."""
    samples = []
    for _ in range(repeats):
        begin = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        samples.append(time.perf_counter() - begin)
    return round(statistics.median(samples), 3)


def stages(model_path: Path, env: dict[str, str]) -> dict[str, float]:
    completed = subprocess.run([sys.executable, str(STAGES_SCRIPT), str(model_path)], cwd=REPO,
                               env=env, capture_output=True, text=True, check=True, timeout=120)
    return json.loads(completed.stdout)


