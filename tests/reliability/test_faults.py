"""Faults a deployment meets: SIGTERM under load, slow and vanishing clients. Real server, real sockets.

Time bounds here are generous functional limits ("exits at all", "answered while the slow client
was still sending"), not performance targets.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests

from evaluation.drawings.grid import encode
from tools.live_server import start_server
from tools.reliability.images import DIGIT, digit_image

pytestmark = [pytest.mark.live, pytest.mark.slow]  # the real server process


def big_digit() -> bytes:
    """A 2000x2000 drawing: a few tenths of a second of preprocessing, so requests overlap."""
    return encode(digit_image().resize((2000, 2000)))


def connect(url: str) -> socket.socket:
    address = urlsplit(url)
    return socket.create_connection((address.hostname, address.port), timeout=30)


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_sigterm_answers_every_request_already_sent_then_exits_0(model_path, tmp_path):
    """More requests than worker threads: the queued ones are answered too, not dropped."""
    image = big_digit()
    with start_server(model_path, log_dir=tmp_path) as server:
        def post(_: int) -> int:
            response = requests.post(server.url + "/predict_digit", data=image,
                                     headers={"Content-Type": "image/png"}, timeout=60)
            return response.status_code if response.json().get("prediction") == DIGIT else -1

        with ThreadPoolExecutor(12) as pool:
            answers = [pool.submit(post, n) for n in range(12)]
            time.sleep(0.5)  # every request is sent and accepted; most wait for the worker thread
            server.process.send_signal(signal.SIGTERM)
            statuses = [answer.result() for answer in answers]
        assert statuses == [200] * 12
        assert server.process.wait(timeout=15) == 0
        with pytest.raises(requests.ConnectionError):
            requests.get(server.url + "/healthz", timeout=2)


def test_slow_client_does_not_block_others(model_path, tmp_path):
    """One worker thread, a client trickling its body byte by byte: others are still answered."""
    body = digit_image().tobytes()[:2000]
    with start_server(model_path, {"DIGITS_THREADS": "1"}, log_dir=tmp_path) as server:
        slow = connect(server.url)
        slow.sendall(b"POST /predict_digit HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body))
        sent = 0
        stop = threading.Event()

        def trickle() -> None:
            nonlocal sent
            while sent < len(body) and not stop.is_set():
                slow.sendall(body[sent : sent + 1])
                sent += 1
                time.sleep(0.05)

        sender = threading.Thread(target=trickle)
        sender.start()
        try:
            for _ in range(5):
                response = requests.post(server.url + "/predict_digit", json={"pixels": [0, 16] * 32}, timeout=10)
                assert response.status_code == 200
            assert sent < len(body), "the slow client finished first: the test proved nothing"
        finally:
            stop.set()
            sender.join()
            slow.close()


def test_silent_connection_is_closed_after_channel_timeout(model_path, tmp_path):
    with start_server(model_path, {"DIGITS_CHANNEL_TIMEOUT": "2"}, log_dir=tmp_path) as server:
        stalled = connect(server.url)
        stalled.sendall(b"POST /predict_digit HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        stalled.settimeout(20)
        started = time.monotonic()
        assert stalled.recv(1024) == b""  # closed by the server, no answer
        assert time.monotonic() - started < 15
        stalled.close()


def test_clients_vanishing_mid_upload_leak_nothing(model_path, tmp_path):
    with start_server(model_path, log_dir=tmp_path) as server:
        pid = server.process.pid
        assert requests.get(server.url + "/healthz", timeout=5).status_code == 200
        baseline = open_fds(pid)
        for _ in range(50):
            vanishing = connect(server.url)
            vanishing.sendall(b"POST /predict_digit HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
                              b"Content-Length: 1000000\r\n\r\n" + b"\x00" * 300_000)
            vanishing.close()
        assert wait_until(lambda: open_fds(pid) <= baseline, timeout=10), (open_fds(pid), baseline)
        response = requests.post(server.url + "/predict_digit", data=encode(digit_image()),
                                 headers={"Content-Type": "image/png"}, timeout=10)
        assert response.status_code == 200 and response.json()["prediction"] == DIGIT
