"""python -m tools.bench.deploy: throughput through HAProxy with 1 and 2 replicas, and the balancer's cost.

Three targets run side by side: the Compose deployment (deploy/) with 1 replica, the same with 2
replicas, and one container of the same image published directly on 127.0.0.1. Each round gives
every target one bounded wrk run in turn (A B C A B C ...), so drift in the machine's load hits
them alike; medians over the rounds, and ratios between those medians, are written to
tools/bench/results/deploy-<date>.json. Everything binds to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from digits.cli import OneLineParser
from tools.bench import http_level, system
from tools.bench.inputs import REPO
from tools.compose_stack import Stack, docker
from tools.live_server import free_port

SAMPLE = REPO / "handwritten-digits" / "digit_7.png"
DIRECT = "digits-deploy-bench-direct"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = OneLineParser(prog="python -m tools.bench.deploy", description=__doc__)
    parser.add_argument("--image", default="digits-onnx:latest", help="model image (default digits-onnx:latest)")
    parser.add_argument("--lb-image", default="digits-onnx-lb:latest", help="balancer image (make lb-image)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--results-dir", type=Path, default=REPO / "tools" / "bench" / "results")
    return parser.parse_args(argv)


def start_direct(image: str) -> str:
    """One container of the image on a free loopback port, as `make run` starts it."""
    docker("rm", "--force", DIRECT, check=False)
    port = free_port()
    docker("run", "--detach", "--name", DIRECT, "--read-only", "--publish", f"127.0.0.1:{port}:5000", image)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while docker("inspect", "--format", "{{.State.Health.Status}}", DIRECT).stdout.strip() != "healthy":
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: {DIRECT} did not become healthy:\n{docker('logs', DIRECT).stderr[-2000:]}")
        time.sleep(0.5)
    return url


def measure(urls: dict[str, str], plan: http_level.LoadPlan) -> list[dict[str, Any]]:
    runs = []
    for round_index in range(plan.rounds):
        for connections in plan.concurrencies:
            for name, url in urls.items():
                command = http_level.wrk_command(url + "/predict_digit", SAMPLE, connections, plan)
                result = http_level.run_wrk(command, time_limit_s=plan.duration_s + plan.timeout_s + 30)
                runs.append({"round": round_index, "server": name, "image": SAMPLE.name,
                             "concurrency": connections, "cpu_ms_per_request": None, **result})
                print(f"  round {round_index + 1}/{plan.rounds} c={connections:<2} {name:<14} "
                      f"{result['req_per_s']:>7.1f} req/s  p50 {result['p50_ms']:.2f} ms  "
                      f"p99 {result['p99_ms']:.2f} ms  errors {result['errors']}", flush=True)
    return runs


def compare(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per concurrency: 2 vs 1 replica throughput, and the balancer against a direct connection."""
    cell = {(r["concurrency"], r["server"]): r for r in rows}
    out = []
    for connections in sorted({r["concurrency"] for r in rows}):
        one, two, direct = (cell[(connections, n)] for n in ("lb-1-replica", "lb-2-replicas", "direct"))
        out.append({
            "concurrency": connections,
            "two_over_one_replica": round(two["req_per_s"] / one["req_per_s"], 2),
            "lb_over_direct_req_per_s": round(one["req_per_s"] / direct["req_per_s"], 2),
            "lb_added_p50_ms": round(one["p50_ms"] - direct["p50_ms"], 3),
        })
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    http_level.require_wrk()
    plan = http_level.LoadPlan(tuple(args.concurrency), args.duration, args.rounds)
    started, load_before = _now(), system.load_average()
    stacks = {name: Stack(f"digits-deploy-bench-{n}", args.image, args.lb_image, free_port())
              for name, n in (("lb-1-replica", 1), ("lb-2-replicas", 2))}
    try:
        urls = {"direct": start_direct(args.image)}
        for (name, stack), replicas in zip(stacks.items(), (1, 2)):
            stack.up(replicas)
            urls[name] = stack.url
        runs = measure(urls, plan)
    finally:
        docker("rm", "--force", DIRECT, check=False)
        for stack in stacks.values():
            stack.down()
    rows = http_level.medians(runs)
    results = {
        "schema": 1, "kind": "deploy", "started_at": started, "finished_at": _now(),
        "command": "python -m tools.bench.deploy " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": system.machine(), "versions": system.versions(), "revision": system.revision(),
        # A shared machine: the load average says how busy it was around the run.
        "load_average": {"before": load_before, "after": system.load_average()},
        "images": {"model": args.image, "balancer": args.lb_image},
        "plan": vars(plan), "runs": runs, "medians": rows, "comparison": compare(rows),
    }
    args.results_dir.mkdir(parents=True, exist_ok=True)
    path = args.results_dir / f"deploy-{results['finished_at'].replace(':', '')}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    print(json.dumps(results["comparison"], indent=2))
    return 0


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


if __name__ == "__main__":
    raise SystemExit(main())
