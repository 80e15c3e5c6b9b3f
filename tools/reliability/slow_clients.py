"""python -m tools.reliability slow-clients: how many slow connections deny service to everyone else.

Starts the real server (DIGITS_CONNECTION_LIMIT from --connection-limit), then opens slowloris
connections in steps: each sends a request line and one header, then one more header line every
--trickle-seconds, well inside the channel timeout, so it is never closed and never finishes.
With --bodies each connection is a slow upload instead: a Content-Length at the upload limit and
all but UNSENT bytes of the body, then one byte a tick: the most memory a connection can make
the server hold.
After each step a normal GET /healthz on a fresh connection is timed. The denial point is the
first number of held connections at which that request waits more than --deny-after seconds.
Writes artifacts/reliability/slow_clients.json.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import requests

from digits.cli import OneLineParser
from server.config import Settings
from tools.live_server import start_server
from tools.reliability.soak import rss_kib
from tools.reliability.tools import add_model_and_out, model_missing

UNSENT = 100  # body bytes a slow upload still owes when it starts trickling


def open_slow(url: str, body_bytes: int) -> socket.socket:
    address = urlsplit(url)
    sock = socket.create_connection((address.hostname, address.port), timeout=30)
    if body_bytes:
        sock.sendall(b"POST /predict_digit HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
                     b"Content-Length: %d\r\n\r\n" % body_bytes + b"\x00" * (body_bytes - UNSENT))
    else:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    return sock


def healthz_seconds(url: str, deny_after: float) -> float:
    """How long a normal request waits; 2 x deny_after if it gets no answer by then."""
    started = time.perf_counter()
    try:
        requests.get(url + "/healthz", timeout=2 * deny_after).raise_for_status()
    except requests.RequestException:
        return 2 * deny_after
    return time.perf_counter() - started


def measure(url: str, pid: int, limit: int, step: int, deny_after: float, trickle: float,
            body_bytes: int) -> dict[str, Any]:
    held: list[socket.socket] = []
    stop = threading.Event()

    def trickler() -> None:
        while not stop.wait(trickle):
            for sock in list(held):
                try:
                    sock.sendall(b"\x00" if body_bytes else b"X-Slow: a\r\n")
                except OSError:
                    held.remove(sock)

    thread = threading.Thread(target=trickler, daemon=True)
    thread.start()
    steps = []
    denial = None
    try:
        while len(held) <= 2 * limit:
            waited = healthz_seconds(url, deny_after)
            steps.append({"held": len(held), "healthz_s": round(waited, 3), "rss_mib": round(rss_kib(pid) / 1024, 1)})
            if waited > deny_after:
                denial = len(held)
                break
            for _ in range(step):
                held.append(open_slow(url, body_bytes))
            time.sleep(0.2)  # let the server accept them
    finally:
        stop.set()
        thread.join()
        for sock in held:
            sock.close()
    return {"connection_limit": limit, "stalled_upload_bytes": body_bytes, "step": step, "deny_after_s": deny_after,
            "denial_point": denial, "steps": steps}


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m tools.reliability slow-clients", description=__doc__.splitlines()[0])
    parser.add_argument("--connection-limit", type=int, action="append",
                        help="DIGITS_CONNECTION_LIMIT to measure at (repeatable; default: the server's default)")
    parser.add_argument("--step", type=int, default=5, help="slow connections added between probes")
    parser.add_argument("--deny-after", type=float, default=1.0, help="seconds a normal request may wait")
    parser.add_argument("--trickle-seconds", type=float, default=5.0)
    parser.add_argument("--bodies", action="store_true", help="stalled uploads at the upload limit, not slow headers")
    add_model_and_out(parser, "slow_clients.json")
    args = parser.parse_args(argv)
    if model_missing(args.model):
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    results = []
    for limit in args.connection_limit or [Settings().connection_limit]:
        env = {"DIGITS_CONNECTION_LIMIT": str(limit)}
        with start_server(args.model.resolve(), env, log_dir=args.out.parent) as server:
            body_bytes = Settings().max_upload_bytes if args.bodies else 0
            results.append(measure(server.url, server.process.pid, limit, args.step, args.deny_after,
                                   args.trickle_seconds, body_bytes))
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for result in results:
        print(json.dumps({key: value for key, value in result.items() if key != "steps"}))
        print("  held -> healthz s:", ", ".join(f"{s['held']}:{s['healthz_s']}" for s in result["steps"]))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
