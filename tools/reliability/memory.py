"""python -m tools.reliability memory: the server's memory as a pod sees it, measured on the real server.

Starts `python -m server` with the model, then reads, for the server and every process it started
(fork server, decode workers), resident memory as the kernel charges a container for it: the sum
of each process's proportional set size (Pss: a page shared by n processes counts 1/n in each).

- at start-up: the server's VmHWM when it first answers (the peak while the model loads) and the
  whole tree's Pss then;
- idle: the tree's Pss after a warm-up of valid requests;
- under attack: the tree's largest Pss, sampled every 20 ms while four clients send the costly
  uploads of the catalogue and one sends valid digits (tools/reliability/hostile.py's attack).

Writes tools/reliability/results/memory.json, the one place these figures live:
tests/deploy/test_manifests.py checks the Kubernetes and Compose memory limits against it.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any, Final

from digits.cli import OneLineParser
from tools.live_server import start_server
from tools.proctree import status_kib, tree
from tools.reliability.hostile import costly_cases, under_load, warm_up
from tools.reliability.tools import model_missing

RESULTS: Final = Path(__file__).resolve().parent / "results" / "memory.json"
SAMPLE_SECONDS: Final = 0.02


def pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pss_mib(pid: int) -> float:
    return round(sum(pss_kib(each) for each in tree(pid)) / 1024, 1)


def snapshot(pid: int) -> dict[str, Any]:
    children = [each for each in tree(pid) if each != pid]
    return {
        "tree_pss_mib": tree_pss_mib(pid),
        "server_rss_mib": round(status_kib(pid, "VmRSS") / 1024, 1),
        "server_pss_mib": round(pss_kib(pid) / 1024, 1),
        "server_peak_mib": round(status_kib(pid, "VmHWM") / 1024, 1),
        "other_processes": len(children),
        "other_processes_pss_mib": round(sum(pss_kib(each) for each in children) / 1024, 1),
    }


def peak_under_attack(base_url: str, pid: int, seconds: float) -> dict[str, Any]:
    stop = threading.Event()
    peak = [0.0]

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], tree_pss_mib(pid))
            stop.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        _, rate, wrong, sent = under_load(base_url, seconds, costly_cases())
    finally:
        stop.set()
        sampler.join()
    return {"tree_pss_peak_mib": peak[0], "seconds": seconds, "hostile_requests": sent,
            "valid_req_per_s": round(rate, 1), "wrong_answers": wrong[:5]}


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m tools.reliability memory", description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path("artifacts/model.onnx"))
    parser.add_argument("--seconds", type=float, default=20.0, help="of attack")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if model_missing(args.model):
        return 2
    with start_server(args.model.resolve(), log_dir=Path("/tmp")) as server:
        pid = server.process.pid
        report: dict[str, Any] = {"model": str(args.model), "model_bytes": args.model.stat().st_size,
                                  "at_start": snapshot(pid)}
        warm_up(server.url)
        report["idle"] = snapshot(pid)
        report["attack"] = peak_under_attack(server.url, pid, args.seconds)
        report["after"] = snapshot(pid)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.out.with_suffix(".tmp")
    temporary.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    temporary.replace(args.out)
    print(json.dumps(report, indent=2))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
