"""python -m tools.reliability fuzz: hostile requests against the real server, then a health check.

Starts `python -m server` on a free 127.0.0.1 port (or uses --url), sends the catalogue and then
random mutants (tools/reliability/cases.py) from a few client threads, and checks every answer: the
right 4xx status, a JSON error body, no 5xx, no stack trace. It checks the server is still up
and answers the reference digit exactly as it did before the run, then sends each catalogue
request alone and measures the server's CPU and peak memory for it against the per-request
budgets (tools/reliability/costs.py). Exit 1 on any problem.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from digits.cli import OneLineParser
from tools.live_server import start_server
from tools.reliability.cases import Case, catalogue, problems, requests_stream, send
from tools.reliability.costs import case_costs
from tools.reliability.images import DIGIT, digit
from tools.reliability.tools import model_missing

BATCH = 200
_local = threading.local()


def reference_answer(base_url: str) -> dict[str, Any]:
    """The server's answer for the clean reference digit (a 200 and the right label, or it fails)."""
    response = requests.post(base_url + "/predict_digit", files={"image": ("d.png", digit("PNG"))}, timeout=30)
    if response.status_code != 200 or response.json().get("prediction") != DIGIT:
        raise SystemExit(f"reference digit answered {response.status_code} {response.text[:200]}")
    return response.json()


def check_one(base_url: str, case: Case) -> tuple[int, list[str]]:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()  # one keep-alive connection per client thread
    try:
        outcome = send(_local.session, base_url, case)
    except (requests.RequestException, OSError) as exc:
        _local.session = requests.Session()  # the connection is gone: start a fresh one
        return 0, [f"no answer: {exc!r}"[:300]]
    return outcome.status, problems(case, outcome)


def run(base_url: str, count: int, seed: int, clients: int) -> dict[str, Any]:
    before = reference_answer(base_url)
    statuses: Counter[int] = Counter()
    failures: list[dict[str, Any]] = []
    started = time.monotonic()
    stream = requests_stream(random.Random(seed), count)
    with ThreadPoolExecutor(clients) as pool:
        # In batches, so only a few hundred generated bodies are in memory at a time.
        while batch := list(itertools.islice(stream, BATCH)):
            for case, (status, found) in zip(batch, pool.map(lambda case: check_one(base_url, case), batch)):
                statuses[status] += 1
                if found:
                    failures.append({"case": case.name, "status": status, "problems": found})
    elapsed = time.monotonic() - started
    after = reference_answer(base_url)
    return {
        "requests": count,
        "seed": seed,
        "clients": clients,
        "seconds": round(elapsed, 1),
        "statuses": {str(status): n for status, n in sorted(statuses.items())},
        "server_errors": sum(n for status, n in statuses.items() if status >= 500),
        "no_answer": statuses.get(0, 0),
        "failures": failures[:50],
        "failure_count": len(failures),
        "same_answer_after": before == after,
    }


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m tools.reliability fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    parser.add_argument("--model", type=Path, default=Path("artifacts/model.onnx"))
    parser.add_argument("--url", help="fuzz a server that is already running instead of starting one")
    parser.add_argument("--out", type=Path, default=Path("artifacts/reliability/fuzz.json"))
    args = parser.parse_args(argv)

    if args.url:
        report = run(args.url.rstrip("/"), args.requests, args.seed, args.clients)
    else:
        if model_missing(args.model):
            return 2
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with start_server(args.model.resolve(), log_dir=args.out.parent) as server:
            report = run(server.url, args.requests, args.seed, args.clients)
            # Then each catalogue request alone, its CPU and peak memory measured.
            report["costs"] = case_costs(server.url, server.process.pid, list(catalogue()))
            report["server_exit_code_before_stop"] = server.process.poll()
            report["tracebacks_in_log"] = sum("Traceback" in line for line in server.log_lines())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    shown = {key: value for key, value in report.items() if key not in ("failures", "costs")}
    if "costs" in report:
        shown["costs"] = {key: value for key, value in report["costs"].items() if key != "per_case"}
    print(json.dumps(shown, indent=2))
    for failure in report["failures"][:10]:
        print("FAIL", failure, file=sys.stderr)
    ok = (
        report["failure_count"] == 0
        and not report.get("costs", {}).get("over_budget_or_wrong")
        and report["same_answer_after"]
        and report.get("server_exit_code_before_stop") is None
        and not report.get("tracebacks_in_log")
    )
    print(f"wrote {args.out}: {'ok' if ok else 'PROBLEMS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
