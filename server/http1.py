"""What waitress's HTTP/1.1 parser is made to refuse, and the answers it is made to give.

Written against waitress 3.0.2 (`WAITRESS_VERSION`; tests/server/test_http1.py fails on any
other version, so a bump re-reads this file). `StrictRequestParser` subclasses waitress's
HTTPRequestParser and is installed through the channel's `parser_class` (server/serving.py); it
changes nothing inside waitress. What it adds, each an answer where waitress 3.0.2 gives none or a
risky one:

- a Content-Length too long for int() (over 4300 digits) raised out of waitress's parser and the
  connection closed without an answer: now 413, like any other length over the limit;
- a chunked body whose chunk-size line alone announces more than the limit waited for bytes that
  would be refused anyway, until the channel timed out: now 413 as soon as the line is read;
- both Content-Length and Transfer-Encoding, or Transfer-Encoding in HTTP/1.0 (RFC 9112 6.1,
  6.3): refused with 400 and the connection closed, never kept for a pipelined request;
- obs-fold (a header line continued on the next line, RFC 9112 5.2): refused with 400;
- HTTP/1.1 without Host, or more than one Host line (RFC 9112 3.2): 400;
- HTTP/1.2..1.9 are read as HTTP/1.1, the highest minor version implemented (RFC 9110 2.5);
  waitress read them as neither 1.0 nor 1.1, so it skipped Transfer-Encoding and Host entirely.
  Any other version, or none (HTTP/0.9), is refused with 400;
- a transfer coding other than chunked: 400, not waitress's 501 (SECURITY.md says why); chunked
  applied more than once (RFC 9112 6.1 forbids it): 400, where waitress read it as plain chunked;
- `Expect: 100-continue` on a request without a body was sent 100 Continue and then nothing until
  the channel timed out, and on a request whose Content-Length is over the limit it was sent
  100 Continue and its body read before the 413: a request complete at its headers (no body, or
  refused) is now answered at once, with no 100 Continue;
- a request whose lines end in a bare LF (RFC 9112 2.2 allows either accepting or refusing it)
  waited for a CRLF CRLF that never came: now 400 as soon as an empty LF-ended line arrives;
- anything else the parser raises: 400 and a logged traceback, not a silent close.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Final

from waitress.parser import HTTPRequestParser, ParsingError, TransferEncodingNotImplemented, get_header_lines
from waitress.utilities import BadRequest, RequestEntityTooLarge

WAITRESS_VERSION: Final = "3.0.2"

log = logging.getLogger(__name__)

_OBS_FOLD: Final = re.compile(rb"\r\n[ \t]")
_LATER_MINOR: Final = re.compile(rb" HTTP/1\.[2-9]\Z")
_VERSIONS: Final = ("1.0", "1.1")


class StrictRequestParser(HTTPRequestParser):
    # Set by parse_header(); read by waitress's logging and ours even when it never ran.
    command = ""
    path = ""

    def received(self, data: bytes) -> int:
        if self.body_rcv is None and not self.completed and _bare_lf_head(self.header_plus + data):
            self.parse_header(b"GET / HTTP/1.0\r\n")  # the fields waitress's error answer reads
            self.error = BadRequest("malformed request: header lines must end with CRLF")
            self.completed = True
            return len(data)
        try:
            consumed = super().received(data)
        except Exception:
            # A bug in the parser, or a request it was never meant to see: the client is
            # answered anyway, and the traceback stays in the log.
            log.exception("HTTP parser failed on a request")
            self.error = BadRequest("malformed request")
            self.completed = True
            return len(data)
        body = self.body_rcv
        if self.chunked and not self.completed and body is not None:
            # len(body): bytes decoded so far; chunk_remainder: what the current chunk-size line
            # still promises. Together they are a lower bound on the body, known before any of
            # the promised bytes arrive.
            limit = self.adj.max_request_body_size
            if len(body) + body.chunk_remainder >= limit:
                self.error = RequestEntityTooLarge(f"exceeds max_body of {limit}")
                self.completed = True
        if self.completed:
            # Waitress sends 100 Continue whenever the header asked for it, and then un-completes
            # the request to read a body: a request already complete (no body, or refused) would
            # wait for bytes that never come, or read a body only to refuse it.
            self.expect_continue = False
        return consumed

    def parse_header(self, header_plus: bytes) -> None:
        first_line, _, fields = header_plus.partition(b"\r\n")
        if _OBS_FOLD.search(fields):
            raise ParsingError("a header line continued on the next line (obs-fold) is not accepted")
        if _LATER_MINOR.search(first_line):
            header_plus = first_line[:-1] + b"1\r\n" + fields
        names = Counter(line.partition(b":")[0].lower() for line in get_header_lines(fields))
        if names[b"host"] > 1:
            raise ParsingError("more than one Host header")
        if names[b"transfer-encoding"] and names[b"content-length"]:
            raise ParsingError("a request may not carry both Content-Length and Transfer-Encoding")
        if _codings(fields).count(b"chunked") > 1:
            raise ParsingError("chunked may be applied only once (Transfer-Encoding)")
        try:
            super().parse_header(header_plus)
        except TransferEncodingNotImplemented:
            raise ParsingError("unsupported Transfer-Encoding: only chunked is accepted") from None
        except ValueError:
            # int() refuses a string of more than 4300 digits (sys.get_int_max_str_digits), and
            # waitress calls it on a Content-Length it has only checked to be all digits.
            limit = self.adj.max_request_body_size
            if len(self.headers.get("CONTENT_LENGTH", "").lstrip("0")) > len(str(limit)):
                self.content_length = limit  # received() answers 413, as for any length over it
                return
            raise ParsingError("malformed request line or Content-Length") from None
        if self.version not in _VERSIONS:
            raise ParsingError("unsupported HTTP version: send HTTP/1.1 or HTTP/1.0")
        if self.version == "1.1" and not names[b"host"]:
            raise ParsingError("missing Host header")
        if self.version == "1.0" and names[b"transfer-encoding"]:
            raise ParsingError("Transfer-Encoding is not allowed in an HTTP/1.0 request")


def _codings(fields: bytes) -> list[bytes]:
    """Every transfer coding the Transfer-Encoding lines name, in order, lower-cased."""
    return [coding.strip().lower()
            for line in get_header_lines(fields) if line.partition(b":")[0].strip().lower() == b"transfer-encoding"
            for coding in line.partition(b":")[2].split(b",")]


def _bare_lf_head(received: bytes) -> bool:
    """An empty line ended by a bare LF comes before the CRLF CRLF that ends a header."""
    lf = received.find(b"\n\n")
    crlf = received.find(b"\r\n\r\n")
    return lf >= 0 and (crlf < 0 or lf < crlf)
