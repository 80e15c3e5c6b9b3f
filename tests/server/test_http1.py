"""The parser hook (server/http1.py) is written against one waitress version and the internals
it relies on; a waitress upgrade fails here first, before the hook silently stops applying.

What the hook does is checked by the raw-HTTP cases of the catalogue (tools/reliability/cases.py),
against the real server, in tests/reliability/test_fuzz.py.
"""

from __future__ import annotations

import inspect
import re
import socket
from importlib.metadata import version
from urllib.parse import urlsplit

import pytest
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.receiver import ChunkedReceiver

from server.http1 import WAITRESS_VERSION, StrictRequestParser
from server.serving import JsonErrorChannel
from tests.support import REPO
from tools.reliability.cases import split_answers
from tools.reliability.images import digit


def test_the_installed_and_pinned_waitress_are_the_one_the_hook_was_written_for():
    pinned = re.search(r"^waitress==(\S+)", (REPO / "requirements/runtime.txt").read_text(), re.MULTILINE)
    assert pinned and pinned.group(1) == WAITRESS_VERSION
    assert version("waitress") == WAITRESS_VERSION


def test_the_channel_still_builds_its_parser_from_parser_class():
    assert JsonErrorChannel.parser_class is StrictRequestParser
    assert "self.parser_class(self.adj)" in inspect.getsource(HTTPChannel.received)


def test_the_internals_the_hook_reads_are_still_there():
    # received() calls parse_header(); the chunked receiver keeps what its size line promised.
    assert "self.parse_header(header_plus)" in inspect.getsource(HTTPRequestParser.received)
    assert "self.chunk_remainder = sz" in inspect.getsource(ChunkedReceiver.received)
    # The int() that raises past 4300 digits, which the hook turns into a 413.
    assert "cl = int(cl)" in inspect.getsource(HTTPRequestParser.parse_header)


@pytest.mark.live
def test_expect_continue_with_a_body_still_gets_100_then_the_answer(live_server):
    """The Expect fix answers a request complete at its headers at once; one with a body within
    the limit is still sent 100 Continue before the client sends it."""
    body = digit("PNG")
    head = (f"POST /predict_digit HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
            f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n").encode()
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(head)
        assert sock.recv(64).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(body)
        sock.shutdown(socket.SHUT_WR)
        received = b"".join(iter(lambda: sock.recv(65536), b""))
    answers = split_answers(received)
    assert [status for status, _, _ in answers] == [200]
