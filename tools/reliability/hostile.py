"""python -m tools.reliability hostile: what hostile clients cost the others, measured on the real server.

1. /healthz latency, alone and while 4 clients send the v2 amplification requests of the
   catalogue (repeated outputs; the largest answer the server gives) back to back. Bound: no
   /healthz under attack takes more than --max-delay-ms (200) longer than the median alone.
2. The same with 4 clients sending the costly uploads of the catalogue (files built to make a
   decoder loop or allocate, and the costliest ones still accepted), while one client sends
   valid digits back to back. Bounds: no /healthz waits more than --max-healthz-ms (300), and
   the valid client keeps at least --min-throughput (0.5) of its rate alone. Then each costly
   upload alone, its CPU and peak memory against the per-request budgets (tools/reliability/costs.py).
3. Resident memory (VmRSS) after a warm-up of valid requests, then after the hostile run (the
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

from digits.cli import OneLineParser
from tools.live_server import start_server
from tools.proctree import status_kib, tree, tree_rss_kib
from tools.reliability import fuzz_http
from tools.reliability.cases import Case, catalogue, problems, send
from tools.reliability.costs import case_costs
from tools.reliability.images import costly_images, digit
from tools.reliability.soak import payloads, rss_kib, soak
from tools.reliability.tools import add_model_and_out, model_missing

HOSTILE_CLIENTS = 4
PROBE_INTERVAL = 0.05  # seconds between /healthz probes
WARM_UP_REQUESTS = 200


def amplification_cases() -> list[Case]:
    """The v2 requests whose answer (or refusal) costs the most per request byte."""
    return [case for case in catalogue() if case.path.startswith("/v2/") and
            ("repeated" in case.name or "rows, both outputs" in case.name)]


def costly_cases() -> list[Case]:
    """The uploads whose decoding costs the most per request byte, alone or many in one request."""
    names = set(costly_images())
    return [case for case in catalogue() if case.name.partition(" ")[2] in names or "in one request" in case.name]


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


def normal_client(base_url: str, stop: threading.Event, done: list[float]) -> None:
    """Valid digits back to back until `stop`: the time each answer arrived."""
    session = requests.Session()
    files = {"image": ("d.png", digit("PNG"))}
    while not stop.is_set():
        session.post(base_url + "/predict_digit", files=files, timeout=30).raise_for_status()
        done.append(time.monotonic())


def under_load(base_url: str, seconds: float, cases: list[Case]) -> tuple[list[float], float, list[str], int]:
    """/healthz latencies and the valid client's req/s while HOSTILE_CLIENTS send `cases` (none:
    no attack), plus the wrong answers and how many hostile requests were sent."""
    stop = threading.Event()
    sent: list[int] = []
    wrong: list[str] = []
    answered: list[float] = []

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

    threads = [threading.Thread(target=attacker, args=(n,)) for n in range(HOSTILE_CLIENTS if cases else 0)]
    threads.append(threading.Thread(target=normal_client, args=(base_url, stop, answered)))
    for thread in threads:
        thread.start()
    started = time.monotonic()
    try:
        latencies = healthz_latencies(base_url, seconds)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    rate = len([t for t in answered if t <= started + seconds]) / seconds
    return latencies, rate, wrong, len(sent)


def healthz_under_attack(base_url: str, seconds: float, cases: list[Case]) -> dict[str, Any]:
    quiet, rate_alone, _, _ = under_load(base_url, seconds, [])
    loud, rate_attacked, wrong, sent = under_load(base_url, seconds, cases)
    ms = 1000
    return {
        "hostile_clients": HOSTILE_CLIENTS,
        "hostile_cases": [case.name for case in cases],
        "hostile_requests_sent": sent,
        "hostile_answers_wrong": wrong[:10],
        "healthz_ms_alone": {"p50": round(statistics.median(quiet) * ms, 1),
                             "p99": round(percentile(quiet, 0.99) * ms, 1), "max": round(max(quiet) * ms, 1)},
        "healthz_ms_under_attack": {"p50": round(statistics.median(loud) * ms, 1),
                                    "p99": round(percentile(loud, 0.99) * ms, 1), "max": round(max(loud) * ms, 1)},
        "delay_ms_p99": round((percentile(loud, 0.99) - statistics.median(quiet)) * ms, 1),
        "delay_ms_max": round((max(loud) - statistics.median(quiet)) * ms, 1),
        "valid_req_per_s_alone": round(rate_alone, 1),
        "valid_req_per_s_under_attack": round(rate_attacked, 1),
        "valid_throughput_kept": round(rate_attacked / rate_alone, 3) if rate_alone else None,
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


def process_memory(pid: int) -> dict[str, Any]:
    """The server's VmRSS and VmHWM and its decode processes' VmRSS, MiB."""
    children = [each for each in tree(pid) if each != pid]
    return {"server_rss_mib": round(status_kib(pid, "VmRSS") / 1024, 1),
            "server_peak_mib": round(status_kib(pid, "VmHWM") / 1024, 1),
            "decode_processes": len(children),
            "decode_processes_rss_mib": round(sum(status_kib(each, "VmRSS") for each in children) / 1024, 1),
            "tree_rss_mib": round(tree_rss_kib(pid) / 1024, 1)}


def run(base_url: str, pid: int, args: Any) -> dict[str, Any]:
    started = process_memory(pid)  # before any request: the start-up peak is the server's VmHWM
    warm_up(base_url)
    rss_before = settled_rss_mib(pid)  # before any hostile request, the /healthz attack included
    report: dict[str, Any] = {"memory_at_start": started,
                              "healthz": healthz_under_attack(base_url, args.probe_seconds, amplification_cases()),
                              "costly_uploads": healthz_under_attack(base_url, args.probe_seconds, costly_cases()),
                              "costs": case_costs(base_url, pid, costly_cases())}
    session = requests.Session()
    for _ in range(args.amplification_rounds):
        for case in amplification_cases():
            send(session, base_url, case)
    fuzz = fuzz_http.run(base_url, args.requests, args.seed, clients=4)
    rss_after_fuzz = settled_rss_mib(pid)
    soaked = soak(base_url, pid, args.soak_seconds, args.soak_clients)
    rss_after = settled_rss_mib(pid)
    report["memory"] = {
        "after": process_memory(pid),
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
    parser = OneLineParser(prog="python -m tools.reliability hostile", description=__doc__.splitlines()[0])
    parser.add_argument("--probe-seconds", type=float, default=10.0, help="/healthz probing, alone and under attack")
    parser.add_argument("--requests", type=int, default=10_000, help="fuzz requests in the hostile run")
    parser.add_argument("--amplification-rounds", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--soak-seconds", type=float, default=60.0)
    parser.add_argument("--soak-clients", type=int, default=8)
    parser.add_argument("--max-delay-ms", type=float, default=200.0)
    parser.add_argument("--max-rss-ratio", type=float, default=1.25)
    parser.add_argument("--max-healthz-ms", type=float, default=300.0)
    parser.add_argument("--min-throughput", type=float, default=0.5)
    add_model_and_out(parser, "hostile.json")
    args = parser.parse_args(argv)
    if model_missing(args.model):
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with start_server(args.model.resolve(), log_dir=args.out.parent) as server:
        report = run(server.url, server.process.pid, args)
    report["bounds"] = {"max_delay_ms": args.max_delay_ms, "max_rss_ratio": args.max_rss_ratio,
                        "max_healthz_ms": args.max_healthz_ms, "min_throughput": args.min_throughput}
    costly = report["costly_uploads"]
    ok = (
        report["healthz"]["delay_ms_max"] <= args.max_delay_ms
        and not report["healthz"]["hostile_answers_wrong"]
        and costly["healthz_ms_under_attack"]["max"] <= args.max_healthz_ms
        and (costly["valid_throughput_kept"] or 0) >= args.min_throughput
        and not costly["hostile_answers_wrong"]
        and not report["costs"]["over_budget_or_wrong"]
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
