"""python -m tools.bench.profile: sample `python -m server` with py-spy while wrk loads it.

Writes tools/bench/results/profile-<image>-c<N>.<svg|txt>: a flame graph, or (--format raw) py-spy's
collapsed stacks plus a summary of where the samples fall (inclusive share per function).
"""

from __future__ import annotations

import collections
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from digits.cli import OneLineParser
from tools.bench import http_level
from tools.bench.inputs import REPO, write_images
from tools.bench.servers import first_good_answer, server_commands, start, stop

SUMMARY_ROWS = 30


def summarise(collapsed: str, rows: int = SUMMARY_ROWS) -> str:
    """py-spy raw output (`frame;frame;... count` lines) -> top functions by inclusive share."""
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        total += int(count)
        for frame in set(stack.split(";")):
            inclusive[frame] += int(count)
    lines = [f"{total} samples; inclusive share per frame:"]
    lines += [f"{100 * n / total:6.1f}%  {frame}" for frame, n in inclusive.most_common(rows)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m tools.bench.profile", description=__doc__)
    parser.add_argument("--artifacts", type=Path, default=REPO / "artifacts")
    parser.add_argument("--image", choices=("paint_280", "icon_8x8"), default="paint_280")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--format", choices=("flamegraph", "raw"), default="flamegraph")
    parser.add_argument("--out-dir", type=Path, default=REPO / "tools" / "bench" / "results")
    args = parser.parse_args(argv)
    http_level.require_wrk()
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    args.out_dir.mkdir(parents=True, exist_ok=True)
    suffix = "svg" if args.format == "flamegraph" else "txt"
    out = args.out_dir / f"profile-{args.image}-c{args.concurrency}.{suffix}"
    with tempfile.TemporaryDirectory(prefix="digits-profile-") as tmp:
        work = Path(tmp)
        images = {image.name: image for image in write_images(work / "images")}
        image = images[args.image]
        command = server_commands(args.artifacts / "model.onnx", args.artifacts / "best_model.pkl")["ours"]
        server = start("ours", command, {}, work)
        try:
            first_good_answer(server, image.path.read_bytes(), image.label)
            recorder = subprocess.Popen(
                [py_spy, "record", "--pid", str(server.process.pid), "--duration", str(args.duration + 1),
                 "--rate", "200", "--format", args.format, "--output", str(out)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            plan = http_level.LoadPlan((args.concurrency,), args.duration, 1)
            load = http_level.run_wrk(http_level.wrk_command(server.url, image.path, args.concurrency, plan),
                                      time_limit_s=args.duration + 60)
            _, errors = recorder.communicate(timeout=args.duration + 60)
            if recorder.returncode != 0:
                raise SystemExit(f"py-spy failed: {errors}")
        finally:
            stop(server)
    print(f"load: {load['req_per_s']} req/s, p50 {load['p50_ms']} ms, p99 {load['p99_ms']} ms, "
          f"errors {load['errors']}")
    if args.format == "raw":
        summary = summarise(out.read_text())
        out.with_suffix(".summary.txt").write_text(summary + "\n")
        print(summary)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
