"""python -m tools.reliability soak: steady load on the real server; errors, latency and memory growth.

`--concurrency` client threads POST valid digits (PNG, JPEG, JSON pixels, a batch) for
`--seconds`, while the server's resident memory (VmRSS in /proc/<pid>/status) is sampled every
second. Passes with 0 errors and RSS growth under --max-growth from the mean of the first 10 s
to the mean of the last 10 s. Writes artifacts/reliability/soak.json.
"""

from __future__ import annotations

import itertools
import json
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests

from digits.cli import OneLineParser
from tools.live_server import start_server
from tools.reliability.images import digit
from tools.reliability.tools import add_model_and_out, model_missing

WINDOW = 10.0  # seconds at each end compared for memory growth


def payloads() -> list[dict[str, Any]]:
    """The request kinds a real client mix sends, as requests.post keyword arguments."""
    png, jpeg = digit("PNG"), digit("JPEG", quality=90)
    pixels = [0, 0, 5, 13, 9, 1, 0, 0] * 8
    return [
        {"files": {"image": ("d.png", png, "image/png")}},
        {"data": jpeg, "headers": {"Content-Type": "image/jpeg"}},
        {"json": {"pixels": pixels}},
        {"json": {"instances": [pixels] * 16}},
    ]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def soak(base_url: str, pid: int, seconds: float, concurrency: int) -> dict[str, Any]:
    kinds = payloads()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(offset: int) -> None:
        session = requests.Session()
        for kind in itertools.islice(itertools.cycle(kinds), offset, None):
            if time.monotonic() >= deadline:
                return
            started = time.perf_counter()
            try:
                response = session.post(base_url + "/predict_digit", timeout=30, **kind)
                ok = response.status_code == 200
                problem = f"{response.status_code} {response.text[:100]}"
            except requests.RequestException as exc:
                ok, problem = False, repr(exc)[:200]
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors.append(problem)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    samples: list[tuple[float, int]] = []
    while any(thread.is_alive() for thread in threads):
        samples.append((time.monotonic() - start, rss_kib(pid)))
        time.sleep(1.0)
    for thread in threads:
        thread.join()
    duration = time.monotonic() - start

    first = [kib for at, kib in samples if at < WINDOW]
    last = [kib for at, kib in samples if at >= duration - WINDOW]
    growth = statistics.mean(last) / statistics.mean(first) - 1
    ordered = sorted(latencies)
    return {
        "seconds": round(duration, 1),
        "concurrency": concurrency,
        "requests": len(latencies),
        "throughput_rps": round(len(latencies) / duration, 1),
        "errors": len(errors),
        "error_samples": errors[:10],
        "latency_ms": {
            "p50": round(1000 * ordered[len(ordered) // 2], 1),
            "p99": round(1000 * ordered[int(len(ordered) * 0.99)], 1),
            "max": round(1000 * ordered[-1], 1),
        },
        "rss_mib": {
            "first_10s_mean": round(statistics.mean(first) / 1024, 1),
            "last_10s_mean": round(statistics.mean(last) / 1024, 1),
            "peak": round(max(kib for _, kib in samples) / 1024, 1),
        },
        "rss_growth": round(growth, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m tools.reliability soak", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--max-growth", type=float, default=0.10, help="allowed RSS growth, first to last 10 s")
    add_model_and_out(parser, "soak.json")
    args = parser.parse_args(argv)
    if args.seconds < 2 * WINDOW:
        parser.error(f"--seconds must be at least {2 * WINDOW:g} to compare the first and last {WINDOW:g} s")
    if model_missing(args.model):
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with start_server(args.model.resolve(), log_dir=args.out.parent) as server:
        report = soak(server.url, server.process.pid, args.seconds, args.concurrency)
    report["max_growth"] = args.max_growth
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    ok = report["errors"] == 0 and report["rss_growth"] < args.max_growth
    print(f"wrote {args.out}: {'ok' if ok else 'PROBLEMS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
