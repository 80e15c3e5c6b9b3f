"""python -m tools.bench.run: every benchmark in one run -> tools/bench/results/<date>.json and the
tools/bench/README.md table.

Benchmarks are not tests: this writes what it measured (targets included, met or not) and exits 0
unless a benchmark could not run at all.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from digits.artifacts import FOREST_FILE
from digits.cli import OneLineParser
from server.config import Settings
from server.serving import waitress_options
from tools.bench import cold_start, docker_image, http_level, model_level, report, system, targets
from tools.bench.inputs import REPO, write_images
from tools.bench.servers import memory, running, server_commands

DEFAULT_RESULTS = REPO / "tools" / "bench" / "results"
DEFAULT_README = REPO / "tools" / "bench" / "README.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = OneLineParser(prog="python -m tools.bench.run", description=__doc__)
    parser.add_argument("--artifacts", type=Path, default=REPO / "artifacts",
                        help="directory with model.onnx and best_model.pkl (default: artifacts)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per cell (default 3)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--repetitions", type=int, default=30, help="model-level timing blocks (default 30)")
    parser.add_argument("--cold-starts", type=int, default=5, help="cold starts to take the median of")
    parser.add_argument("--docker-image", default="digits-onnx:latest",
                        help="image whose size and start-to-ready time are recorded (default digits-onnx:latest)")
    parser.add_argument("--results-dir", type=Path, default=DEFAULT_RESULTS)
    parser.add_argument("--readme", type=Path, help="README whose table to replace (default tools/bench/README.md; "
                        "none with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 1 round of 1 s at concurrency 1 and 8, few repetitions")
    args = parser.parse_args(argv)
    if args.quick:
        # Quick defaults; flags given explicitly still win.
        parser.set_defaults(duration=1, rounds=1, concurrency=[1, 8], repetitions=3, cold_starts=1)
        args = parser.parse_args(argv)
    elif args.readme is None:
        args.readme = DEFAULT_README
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    http_level.require_wrk()
    onnx_model, sklearn_model = args.artifacts / "model.onnx", args.artifacts / "best_model.pkl"
    for needed in (onnx_model, sklearn_model):
        if not needed.is_file():
            raise SystemExit(f"bench: {needed} is missing; run `make train export` first")
    settings = Settings.from_env()
    results: dict[str, Any] = {
        "schema": 1,
        "quick": args.quick,
        "started_at": _now(),
        "machine": system.machine(),
        "versions": system.versions(),
        "revision": system.revision(),
        "load_average": {"before": system.load_average()},
        "settings": {**waitress_options(settings), "ort_threads": settings.ort_threads},
    }
    work = Path(tempfile.mkdtemp(prefix="digits-bench-"))
    try:
        images = write_images(work / "images")
        results["images"] = {image.name: image.describe() for image in images}
        results["commands"] = {"bench": shlex.join(["python", "-m", "tools.bench.run",
                                                    *(argv if argv is not None else sys.argv[1:])])}
        _measure(args, settings, results, images, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["load_average"]["after"] = system.load_average()
    results["finished_at"] = _now()
    results["targets"] = targets.check(results)
    path = _write(results, args.results_dir)
    print(f"wrote {path}")
    table = report.markdown(results, str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path))
    print(table)
    if args.readme is not None:
        report.update_readme(args.readme, table)
        print(f"updated {args.readme}")
    return 0


def _measure(args: argparse.Namespace, settings: Settings, results: dict[str, Any], images: list,
             work: Path) -> None:
    """Model level, cold start, HTTP level, image size and container start, in that order."""
    onnx_model, sklearn_model = args.artifacts / "model.onnx", args.artifacts / "best_model.pkl"
    plan = http_level.LoadPlan(tuple(args.concurrency), args.duration, args.rounds)
    print("model level ...", flush=True)
    results["model_level"] = model_level.compare(sklearn_model, args.artifacts / FOREST_FILE, args.repetitions,
                                                 settings.ort_threads)
    print("cold start ...", flush=True)
    commands = server_commands(onnx_model, sklearn_model)
    icon = next(image for image in images if image.name == "icon_8x8")
    results["cold_start"] = {
        **cold_start.measure(commands["ours"], {}, icon, work, args.cold_starts),
        "interpreter_s": cold_start.interpreter_start(),
        "stages": cold_start.stages(onnx_model, _env()),
    }
    print("HTTP level ...", flush=True)
    results["http"], results["memory"] = _http(commands, images, plan, work)
    results["image_size"] = docker_image.size(args.docker_image)
    print("container start ...", flush=True)
    results["container_start"] = docker_image.start_to_ready(args.docker_image, icon, args.cold_starts)
    results["commands"].update({
        "wrk": shlex.join(http_level.wrk_command("http://127.0.0.1:PORT/predict_digit", Path("IMAGE.png"),
                                                 plan.concurrencies[-1], plan)).replace(f"{REPO}/", ""),
        "servers": {name: shlex.join([Path(argv_[0]).name, *argv_[1:]]) for name, argv_ in commands.items()},
    })


def _http(commands: dict[str, list[str]], images: list, plan: http_level.LoadPlan,
          work: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    icon = next(image for image in images if image.name == "icon_8x8")
    with running({name: (argv, {}) for name, argv in commands.items()}, work, icon) as servers:
        idle = {name: memory(server)["rss_mib"] for name, server in servers.items()}
        runs = http_level.interleaved_runs(servers, images, plan)
        after = {name: {"idle_rss_mib": idle[name], **memory(server)} for name, server in servers.items()}
    rows = http_level.medians(runs)
    return {"plan": vars(plan), "runs": runs, "medians": rows, "ratios": http_level.ratios(rows)}, after


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(REPO)}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _write(results: dict[str, Any], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = results["finished_at"].replace(":", "")
    path = directory / f"{stamp}{'-quick' if results['quick'] else ''}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.exit(main())
