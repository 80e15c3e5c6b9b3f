"""HTTP level: one load generator (wrk + tools/bench/multipart.lua) against every server, interleaved.

For each round, concurrency and image, every server gets one bounded wrk run in turn
(A B C A B C ...), so drift in a shared machine's load hits them all alike. Medians over the
rounds are reported, and ratios are taken between those medians.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.bench.inputs import REPO, BenchImage
from tools.bench.servers import Server, cpu_seconds

LUA_SCRIPT = REPO / "tools" / "bench" / "multipart.lua"
RESULT_MARKER = "BENCH_JSON "


@dataclass(frozen=True)
class LoadPlan:
    concurrencies: tuple[int, ...] = (1, 8, 32)
    duration_s: int = 5
    rounds: int = 3
    timeout_s: int = 5


def wrk_command(url: str, image: Path, connections: int, plan: LoadPlan) -> list[str]:
    # One wrk thread: on ~1 core of real throughput the load generator must stay cheap.
    return ["wrk", "-t1", f"-c{connections}", f"-d{plan.duration_s}s", f"--timeout={plan.timeout_s}s",
            "-s", str(LUA_SCRIPT), url, "--", str(image)]


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("bench: wrk is not installed; `apt-get install -y wrk` (Debian) or `make bench-deps`")
    return path


def run_wrk(command: Sequence[str], time_limit_s: float) -> dict[str, Any]:
    completed = subprocess.run(command, capture_output=True, text=True, timeout=time_limit_s)
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            return summarise_wrk(json.loads(line[len(RESULT_MARKER):]))
    raise RuntimeError(f"wrk printed no results (exit {completed.returncode}):\n{completed.stdout}{completed.stderr}")


def summarise_wrk(raw: dict[str, Any]) -> dict[str, Any]:
    seconds = raw["duration_us"] / 1e6
    latency = raw["latency_us"]
    return {
        "requests": raw["requests"],
        "seconds": round(seconds, 3),
        "req_per_s": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(latency["p50"] / 1000, 3),
        "p90_ms": round(latency["p90"] / 1000, 3),
        "p99_ms": round(latency["p99"] / 1000, 3),
        "max_ms": round(latency["max"] / 1000, 3),
        "errors": sum(raw["errors"].values()),
        "error_kinds": raw["errors"],
    }


def interleaved_runs(
    servers: dict[str, Server],
    images: Sequence[BenchImage],
    plan: LoadPlan,
    progress: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """Every (round, concurrency, image, server) once, servers innermost: A B C A B C ..."""
    runs = []
    for round_index in range(plan.rounds):
        for connections in plan.concurrencies:
            for image in images:
                for name, server in servers.items():
                    command = wrk_command(server.url, image.path, connections, plan)
                    cpu_before = cpu_seconds(server)
                    result = run_wrk(command, time_limit_s=plan.duration_s + plan.timeout_s + 30)
                    # CPU per request barely moves with the machine's load, unlike req/s.
                    cpu = cpu_seconds(server) - cpu_before
                    count = result["requests"]
                    result["cpu_ms_per_request"] = round(1000 * cpu / count, 3) if count else None
                    runs.append({"round": round_index, "server": name, "image": image.name,
                                 "concurrency": connections, **result})
                    progress(f"  round {round_index + 1}/{plan.rounds} c={connections:<2} {image.name:<9} "
                             f"{name:<7} {result['req_per_s']:>8.1f} req/s  p50 {result['p50_ms']:.2f} ms  "
                             f"p99 {result['p99_ms']:.2f} ms  cpu/req {result['cpu_ms_per_request']} ms  "
                             f"errors {result['errors']}")
    return runs


def medians(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (image, concurrency, server): medians over the rounds, errors summed."""
    cells: dict[tuple[str, int, str], list[dict[str, Any]]] = {}
    for run in runs:
        cells.setdefault((run["image"], run["concurrency"], run["server"]), []).append(run)
    rows = []
    for (image, connections, server), group in cells.items():
        rows.append({
            "image": image, "concurrency": connections, "server": server, "rounds": len(group),
            "req_per_s": round(statistics.median(r["req_per_s"] for r in group), 1),
            "p50_ms": round(statistics.median(r["p50_ms"] for r in group), 3),
            "p99_ms": round(statistics.median(r["p99_ms"] for r in group), 3),
            "cpu_ms_per_request": _median_or_none(r["cpu_ms_per_request"] for r in group),
            "requests": sum(r["requests"] for r in group),
            "errors": sum(r["errors"] for r in group),
        })
    return rows


def ratios(rows: Sequence[dict[str, Any]], ours: str = "ours") -> list[dict[str, Any]]:
    """Per (image, concurrency): ours/pickle and ours/ceiling throughput, and ours' p99/p50."""
    by_key = {(r["image"], r["concurrency"], r["server"]): r for r in rows}
    out = []
    for (image, connections, server), row in by_key.items():
        if server != ours:
            continue
        entry: dict[str, Any] = {"image": image, "concurrency": connections,
                                 "p99_over_p50": _ratio(row["p99_ms"], row["p50_ms"])}
        for other in ("pickle", "ceiling"):
            peer = by_key.get((image, connections, other))
            entry[f"ours_over_{other}"] = _ratio(row["req_per_s"], peer["req_per_s"]) if peer else None
            # The same ratio predicted from CPU per request: steadier on a shared machine.
            entry[f"ours_over_{other}_by_cpu"] = (
                _ratio(peer["cpu_ms_per_request"], row["cpu_ms_per_request"])
                if peer and peer["cpu_ms_per_request"] and row["cpu_ms_per_request"] else None)
        out.append(entry)
    return out


def _median_or_none(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 3) if present else None


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None
