"""The parser hook (server/http1.py) is written against one waitress version and the internals
it relies on; a waitress upgrade fails here first, before the hook silently stops applying.

What the hook does is checked by the raw-HTTP cases of the catalogue (reliability/cases.py),
against the real server, in tests/reliability/test_fuzz.py.
"""

from __future__ import annotations

import inspect
import re
from importlib.metadata import version

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.receiver import ChunkedReceiver

from server.http1 import WAITRESS_VERSION, StrictRequestParser
from server.serving import JsonErrorChannel
from tests.support import REPO


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
