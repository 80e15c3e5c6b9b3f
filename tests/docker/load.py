"""Closed-loop HTTP load for the deployment tests: N client threads, each one request at a time.

Every request's start, end and outcome is kept, so a test can say which answers came before or
after an event (a replica killed, a rollout finished) and that none of them failed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

Send = Callable[[requests.Session], requests.Response]


@dataclass(frozen=True)
class Outcome:
    started: float  # time.time(), comparable with HAProxy's log and docker events
    ended: float
    status: int | None  # None: no HTTP answer at all (connection refused, reset, timeout)
    body: dict | None
    problem: str | None  # why it failed, None when it did not


def run_load(send: Send, concurrency: int, until: Callable[[], bool], max_seconds: float) -> list[Outcome]:
    """`concurrency` threads call send() back to back until `until()` is true or max_seconds pass."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        with requests.Session() as session:
            while not until() and time.monotonic() < deadline:
                started = time.time()
                try:
                    response = send(session)
                    status, problem = response.status_code, None
                    try:
                        body = response.json()
                    except ValueError:
                        body, problem = None, f"{status}, not JSON: {response.text[:200]!r}"
                    if status != 200:
                        problem = f"{status}: {response.text[:200]}"
                except requests.RequestException as exc:
                    status, body, problem = None, None, repr(exc)[:300]
                with lock:
                    outcomes.append(Outcome(started, time.time(), status, body, problem))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max_seconds + 60)
    return sorted(outcomes, key=lambda o: o.started)


def for_seconds(seconds: float) -> Callable[[], bool]:
    end = time.monotonic() + seconds
    return lambda: time.monotonic() >= end


def failures(outcomes: list[Outcome]) -> list[str]:
    return [o.problem for o in outcomes if o.problem is not None]
