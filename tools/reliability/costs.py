"""What each catalogue request costs the real server: CPU and peak resident memory, one at a time.

The server and its decode workers are measured as one: CPU summed over the process tree (exited
workers included), and each process's VmHWM reset before the request and sampled while it runs
(a worker killed for overrunning takes its own peak with it). The budgets are the ones
SECURITY.md states for any single request within the limits.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Final

import requests

from tools.proctree import reset_peaks, rss_by_process, status_kib, tree, tree_cpu_seconds
from tools.reliability.cases import Case, problems, send

CPU_BUDGET_MS: Final = 250.0
PEAK_BUDGET_MIB: Final = 96.0
SAMPLE_SECONDS: Final = 0.005


def case_cost(base_url: str, pid: int, case: Case, session: requests.Session) -> dict[str, Any]:
    """One request, alone: its status, the tree's CPU, and the largest rise of resident memory
    over the request summed over the tree's processes."""
    time.sleep(0.02)  # let the previous answer's bookkeeping finish outside this measurement
    reset_peaks(pid)
    before = rss_by_process(pid)
    rises: dict[int, int] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for each in tree(pid):
                rises[each] = max(rises.get(each, 0), status_kib(each, "VmHWM") - before.get(each, 0))
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample)
    cpu_before = tree_cpu_seconds(pid)
    sampler.start()
    try:
        outcome = send(session, base_url, case)
        status, found = outcome.status, problems(case, outcome)
    except (requests.RequestException, OSError) as exc:
        status, found = 0, [f"no answer: {exc!r}"[:200]]
    finally:
        cpu = tree_cpu_seconds(pid) - cpu_before
        done.set()
        sampler.join()
    # A process started during the request (a replacement worker) counts from zero.
    peak_kib = sum(max(0, rise) for rise in rises.values())
    return {"case": case.name, "status": status, "cpu_ms": round(cpu * 1000, 1),
            "peak_rise_mib": round(peak_kib / 1024, 1), "problems": found}


def case_costs(base_url: str, pid: int, cases: list[Case]) -> dict[str, Any]:
    """Every case's cost, and the ones over a budget or wrongly answered."""
    session = requests.Session()
    costs = [case_cost(base_url, pid, case, session) for case in cases]
    over = [cost for cost in costs
            if cost["cpu_ms"] > CPU_BUDGET_MS or cost["peak_rise_mib"] > PEAK_BUDGET_MIB or cost["problems"]]
    return {
        "budgets": {"cpu_ms": CPU_BUDGET_MS, "peak_rise_mib": PEAK_BUDGET_MIB},
        "cases": len(costs),
        "max_cpu_ms": max((cost["cpu_ms"] for cost in costs), default=0.0),
        "max_peak_rise_mib": max((cost["peak_rise_mib"] for cost in costs), default=0.0),
        "server_errors": sum(cost["status"] >= 500 for cost in costs),
        "no_answer": sum(cost["status"] == 0 for cost in costs),
        "over_budget_or_wrong": over,
        "per_case": costs,
    }
