"""python -m tools.bench.revisions REV [REV ...]: the same model served by several revisions of this
project, measured side by side -> tools/bench/results/revisions-<date>.json.

Each revision is checked out into a temporary git worktree and served by its own `python -m
server` (this virtualenv's packages, that revision's code), then every server gets the same wrk
runs, interleaved (A B C A B C ...), as `make bench` does. What changes between the rows is the
code alone: a before/after table for a refactoring or an optimisation. CPU per request is the
steadier figure on a shared machine; req/s moves with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from digits.cli import OneLineParser
from tools.bench import http_level, system
from tools.bench.inputs import REPO, write_images
from tools.bench.servers import first_good_answer, start, stop

DEFAULT_RESULTS = REPO / "tools" / "bench" / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = OneLineParser(prog="python -m tools.bench.revisions", description=__doc__.split("\n\n")[0])
    parser.add_argument("revisions", nargs="+", help="git revisions to compare (commits, tags, HEAD)")
    parser.add_argument("--model", type=Path, default=REPO / "artifacts" / "model.onnx",
                        help="the model.onnx every revision serves (default artifacts/model.onnx)")
    parser.add_argument("--model-of", nargs=2, action="append", default=[], metavar=("REV", "PATH"),
                        help="serve PATH at revision REV instead (a revision from before the server ran the "
                             "whole recognizer needs the forest alone, artifacts/forest.onnx)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per cell (default 3)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--results-dir", type=Path, default=DEFAULT_RESULTS)
    return parser.parse_args(argv)


def commit_of(revision: str) -> str:
    result = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"],
                            cwd=REPO, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"python -m tools.bench.revisions: error: unknown revision {revision!r}")
    return result.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    http_level.require_wrk()
    if not args.model.is_file():
        raise SystemExit(f"python -m tools.bench.revisions: error: {args.model} is missing; "
                         "run `make train export` first")
    commits = {revision: commit_of(revision) for revision in args.revisions}
    models = dict.fromkeys(args.revisions, args.model) | {rev: Path(path) for rev, path in args.model_of}
    for revision, model in models.items():
        if revision not in commits or not model.is_file():
            raise SystemExit(f"python -m tools.bench.revisions: error: --model-of {revision} {model}: "
                             "not one of the revisions, or no such file")
    plan = http_level.LoadPlan(tuple(args.concurrency), args.duration, args.rounds)
    work = Path(tempfile.mkdtemp(prefix="digits-revisions-"))
    trees: list[Path] = []
    servers = {}
    try:
        images = write_images(work / "images")
        for revision, commit in commits.items():
            tree = work / commit[:12]
            subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(tree), commit], cwd=REPO, check=True)
            trees.append(tree)
            argv_ = [sys.executable, "-m", "server", "--host", "127.0.0.1", "--model", str(models[revision].resolve())]
            servers[revision] = start(revision, argv_, {"DIGITS_LOG_LEVEL": "INFO"}, work, tree=tree)
        for server in servers.values():
            first_good_answer(server, images[0].path.read_bytes(), expected=None)
        load_before = system.load_average()
        runs = http_level.interleaved_runs(servers, images, plan)
    finally:
        for server in servers.values():
            stop(server)
        for tree in trees:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, check=False)
        shutil.rmtree(work, ignore_errors=True)
    rows = http_level.medians(runs)
    results = {
        "schema": 1, "started_at": datetime.now(UTC).strftime("%Y-%m-%dT%H%M%SZ"),
        "machine": system.machine(), "load_average": {"before": load_before, "after": system.load_average()},
        "models": {revision: str(model) for revision, model in models.items()},
        "revisions": commits, "plan": vars(plan), "medians": rows, "runs": runs,
    }
    args.results_dir.mkdir(parents=True, exist_ok=True)
    out = args.results_dir / f"revisions-{results['started_at']}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n| image | c | {' | '.join(args.revisions)} | (req/s; CPU ms per request) |")
    print(f"|---|---:|{'---:|' * len(args.revisions)}---|")
    by_key = {(r["image"], r["concurrency"], r["server"]): r for r in rows}
    for image in images:
        for connections in plan.concurrencies:
            cells = [by_key[(image.name, connections, revision)] for revision in args.revisions]
            print(f"| {image.name} | {connections} | "
                  + " | ".join(f"{c['req_per_s']:.0f}; {c['cpu_ms_per_request']} ms" for c in cells) + " | |")
    print(f"results: {out.relative_to(REPO) if out.is_relative_to(REPO) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
