"""python -m reliability.hostile: what hostile clients cost the others, measured on the real server.

1. /healthz latency, alone and while 4 clients send the v2 amplification requests of the
   catalogue (repeated outputs; the largest answer the server gives) back to back. Bound: no
   /healthz under attack takes more than --max-delay-ms (200) longer than the median alone.
2. Resident memory (VmRSS) after a warm-up of valid requests, then after the hostile run (the
   attack of 1., --amplification-rounds of the amplification cases, --requests fuzz requests:
   the catalogue and seeded mutants) and a --soak-seconds soak of valid requests. Bound: RSS
   after is at most --max-rss-ratio (1.25) times RSS before.

Writes artifacts/reliability/hostile.json; exit 1 if a bound is not met.
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
from typing import Any

import requests

from devtools.live_server import start_server
from digits.cli import OneLineParser
from reliability import fuzz_http
from reliability.cases import Case, catalogue, problems, send
from reliability.soak import payloads, rss_kib, soak
from reliability.tools import add_model_and_out, model_missing

HOSTILE_CLIENTS = 4
PROBE_INTERVAL = 0.05  # seconds between /healthz probes
WARM_UP_REQUESTS = 200


def amplification_cases() -> list[Case]:
    """The v2 requests whose answer (or refusal) costs the most per request byte."""
    return [case for case in catalogue() if case.path.startswith("/v2/") and
            ("repeated" in case.name or "rows, both outputs" in case.name)]


def healthz_latencies(base_url: str, seconds: float) -> list[float]:
    """/healthz every PROBE_INTERVAL for `seconds`, each on a fresh connection: seconds each."""
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        requests.get(base_url + "/healthz", timeout=30).raise_for_status()
        latencies.append(time.perf_counter() - started)
        time.sleep(PROBE_INTERVAL)
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def healthz_under_attack(base_url: str, seconds: float) -> dict[str, Any]:
    quiet = healthz_latencies(base_url, seconds)
    cases = amplification_cases()
    stop = threading.Event()
    sent: list[int] = []
    wrong: list[str] = []

    def attacker(offset: int) -> None:
        session = requests.Session()
        index = offset
        while not stop.is_set():
            case = cases[index % len(cases)]
            found = problems(case, send(session, base_url, case))
            sent.append(1)
            if found:
                wrong.append(f"{case.name}: {found}")
            index += 1

    threads = [threading.Thread(target=attacker, args=(n,)) for n in range(HOSTILE_CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        loud = healthz_latencies(base_url, seconds)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    ms = 1000
    return {
        "hostile_clients": HOSTILE_CLIENTS,
        "hostile_cases": [case.name for case in cases],
        "hostile_requests_sent": len(sent),
        "hostile_answers_wrong": wrong[:10],
        "healthz_ms_alone": {"p50": round(statistics.median(quiet) * ms, 1),
                             "p99": round(percentile(quiet, 0.99) * ms, 1)},
        "healthz_ms_under_attack": {"p50": round(statistics.median(loud) * ms, 1),
                                    "p99": round(percentile(loud, 0.99) * ms, 1), "max": round(max(loud) * ms, 1)},
        "delay_ms_p99": round((percentile(loud, 0.99) - statistics.median(quiet)) * ms, 1),
        "delay_ms_max": round((max(loud) - statistics.median(quiet)) * ms, 1),
    }


def settled_rss_mib(pid: int, seconds: float = 5.0) -> float:
    samples = []
    for _ in range(int(seconds)):
        samples.append(rss_kib(pid))
        time.sleep(1.0)
    return round(statistics.mean(samples) / 1024, 1)


def warm_up(base_url: str) -> None:
    """Every kind of valid request, so the first allocations (arenas, caches) are in the baseline."""
    session = requests.Session()
    kinds = payloads()
    for index in range(WARM_UP_REQUESTS):
        session.post(base_url + "/predict_digit", timeout=30, **kinds[index % len(kinds)]).raise_for_status()


def run(base_url: str, pid: int, args: Any) -> dict[str, Any]:
    warm_up(base_url)
    rss_before = settled_rss_mib(pid)  # before any hostile request, the /healthz attack included
    report: dict[str, Any] = {"healthz": healthz_under_attack(base_url, args.probe_seconds)}
    session = requests.Session()
    for _ in range(args.amplification_rounds):
        for case in amplification_cases():
            send(session, base_url, case)
    fuzz = fuzz_http.run(base_url, args.requests, args.seed, clients=4)
    rss_after_fuzz = settled_rss_mib(pid)
    soaked = soak(base_url, pid, args.soak_seconds, args.soak_clients)
    rss_after = settled_rss_mib(pid)
    report["memory"] = {
        "rss_mib_before": rss_before,
        "rss_mib_after_hostile_run": rss_after_fuzz,
        "rss_mib_after_soak": rss_after,
        "rss_mib_peak_in_soak": soaked["rss_mib"]["peak"],
        "ratio": round(rss_after / rss_before, 3),
        "hostile_run": {key: fuzz[key] for key in ("requests", "seconds", "statuses", "server_errors", "no_answer",
                                                    "failure_count", "same_answer_after")},
        "amplification_rounds": args.amplification_rounds,
        "soak": {key: soaked[key] for key in ("seconds", "concurrency", "requests", "errors", "latency_ms")},
    }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m reliability.hostile", description=__doc__.splitlines()[0])
    parser.add_argument("--probe-seconds", type=float, default=10.0, help="/healthz probing, alone and under attack")
    parser.add_argument("--requests", type=int, default=10_000, help="fuzz requests in the hostile run")
    parser.add_argument("--amplification-rounds", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--soak-seconds", type=float, default=60.0)
    parser.add_argument("--soak-clients", type=int, default=8)
    parser.add_argument("--max-delay-ms", type=float, default=200.0)
    parser.add_argument("--max-rss-ratio", type=float, default=1.25)
    add_model_and_out(parser, "hostile.json")
    args = parser.parse_args(argv)
    if model_missing(args.model):
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with start_server(args.model.resolve(), log_dir=args.out.parent) as server:
        report = run(server.url, server.process.pid, args)
    report["bounds"] = {"max_delay_ms": args.max_delay_ms, "max_rss_ratio": args.max_rss_ratio}
    ok = (
        report["healthz"]["delay_ms_max"] <= args.max_delay_ms
        and not report["healthz"]["hostile_answers_wrong"]
        and report["memory"]["ratio"] <= args.max_rss_ratio
        and report["memory"]["hostile_run"]["failure_count"] == 0
    )
    report["ok"] = ok
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    print(f"wrote {args.out}: {'ok' if ok else 'PROBLEMS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
