"""The catalogue of malformed requests, as data, and the random mutants built from it.

The one table of bad requests: tests/server/test_errors.py runs every case that an HTTP library
can send through create_app() in process, tests/reliability/test_fuzz.py runs all of them
against the real server, and `make fuzz` runs them before its random mutants. A Case is one HTTP
request plus the statuses that are right for it and a fragment its error message must contain;
whatever the request, the server must answer below 500 with a JSON {"error": ...} body (or a
200 prediction), with the headers every answer carries, and stay up.
"""

from __future__ import annotations

import json
import random
import re
import socket
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final
from urllib.parse import urlsplit

import numpy as np
import requests

from server.config import Settings
from server.headers import ALWAYS
from server.serving import MAX_HEADER_BYTES
from tools.reliability.images import blank, blank_lossless, bmp_rle8, costly_images, digit, hostile_images, valid_images

PREDICT: Final = "/predict_digit"
INFER: Final = "/v2/models/digits/infer"
JSON: Final = {"Content-Type": "application/json"}
REFUSED: Final = frozenset({400, 413, 415, 422})  # any client error a mangled request may earn
ANSWERED: Final = frozenset({200, 422})  # a readable image: a digit, or "blank"
PIECE_PAUSE: Final = 0.1  # seconds between the pieces of a raw request: the server reads each
MAX_UPLOAD: Final = Settings().max_upload_bytes  # the default DIGITS_MAX_UPLOAD_BYTES, which the servers run with
# Names an error message must not show a client: library modules, settings, source files.
INTERNALS: Final = re.compile(r"Traceback|File \"|\w\.py\b|\bPIL\b|Plugin\b|\bMAX_[A-Z_]+|\bmax_[a-z_]+|numpy|werkzeug|waitress")


@dataclass(frozen=True)
class Case:
    name: str
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    expect: frozenset[int] = frozenset({400})
    method: str = "POST"
    path: str = PREDICT
    # The whole request, for HTTP an HTTP library refuses to send, in pieces sent a moment apart.
    raw: tuple[bytes, ...] | None = None
    message: str = ""  # a fragment the error message must contain ("" for any)


@dataclass(frozen=True)
class Outcome:
    status: int
    content_type: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    answers: int = 1  # HTTP answers on the connection (raw requests: one request, one answer)


def multipart(parts: list[tuple[str, str, bytes]], boundary: str = "fuzzboundary") -> tuple[bytes, dict[str, str]]:
    """(field, filename, content) parts -> a multipart/form-data body and its headers."""
    chunks = []
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        chunks.append(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n")
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def upload(name: str, content: bytes, expect: frozenset[int], field_name: str = "image", message: str = "",
           filename: str = "digit.png") -> Case:
    body, headers = multipart([(field_name, filename, content)])
    return Case(name, body, headers, expect, message=message)


def raw_image(name: str, content: bytes, expect: frozenset[int], media_type: str = "image/png",
              message: str = "") -> Case:
    return Case(name, content, {"Content-Type": media_type}, expect, message=message)


def json_case(name: str, text: str, expect: frozenset[int] = frozenset({400}), path: str = PREDICT,
              message: str = "") -> Case:
    return Case(name, text.encode(), JSON, expect, path=path, message=message)


def v2_case(name: str, body: dict[str, Any], expect: frozenset[int] = frozenset({400}), message: str = "") -> Case:
    return json_case(name, json.dumps(body), expect, INFER, message)


def v2_binary_case(name: str, height: int, width: int, expect: frozenset[int] = frozenset({200}),
                   message: str = "") -> Case:
    """A v2 request with the image as binary data: an ink stroke down the middle column."""
    pixels = np.zeros((height, width, 4), dtype=np.uint8)
    pixels[:, width // 2, 3] = 255
    header = json.dumps({"inputs": [{"name": "image", "datatype": "UINT8", "shape": [height, width, 4],
                                     "parameters": {"binary_data_size": pixels.size}}]}).encode()
    return Case(name, header + pixels.tobytes(), {**JSON, "Inference-Header-Content-Length": str(len(header))},
                expect, path=INFER, message=message)


def http(name: str, *pieces: bytes, expect: frozenset[int], message: str = "") -> Case:
    return Case(name, expect=expect, raw=pieces, message=message)


def v2_input(side: int = 8, **changes: Any) -> dict[str, Any]:
    """A side x side RGBA image with a vertical stroke down the middle (a 1), as v2 JSON."""
    pixels = [0] * (side * side * 4)
    for row in range(side):
        pixels[(row * side + side // 2) * 4 + 3] = 255
    tensor = {"name": "image", "datatype": "UINT8", "shape": [side, side, 4], "data": pixels}
    return {"inputs": [{**tensor, **changes}]}


def head(request_line: str, *fields: str) -> bytes:
    """A request line and header fields as raw HTTP/1.x, up to and including the empty line."""
    return "\r\n".join((request_line, *fields, "", "")).encode("latin-1")


@lru_cache(maxsize=1)
def catalogue() -> tuple[Case, ...]:
    """Every hostile or odd request we thought of, each with the statuses that are right for it."""
    png = digit("PNG")
    tiff = hostile_images()["tiff"][0]
    nothing = {"Content-Type": "image/png"}
    over_limit = b"\x00" * (MAX_UPLOAD + MAX_UPLOAD // 2)
    cases: list[Case] = []
    for name, content in valid_images().items():
        cases.append(upload(f"upload {name}", content, ANSWERED))
    for name, (content, expect, message) in {**hostile_images(), **costly_images()}.items():
        cases.append(upload(f"upload {name}", content, expect, message=message))
        cases.append(raw_image(f"raw {name}", content, expect, message=message))
    for fraction in (0.1, 0.5, 0.9, 0.99):
        for fmt in ("PNG", "JPEG", "GIF", "WEBP"):
            content = digit(fmt)
            cut = content[: int(len(content) * fraction)]
            cases.append(upload(f"truncated {fmt} at {fraction:.0%}", cut, frozenset({400, 200, 422})))
    cases += [
        # fields, content types and bodies
        upload("wrong field name", png, frozenset({400}), field_name="file", message="missing multipart field 'image'"),
        upload("empty field name", png, frozenset({400}), field_name=""),
        Case("field as text", *multipart([("image", "", b"3")]), frozenset({400}), message="must be a file upload"),
        Case("257 images", *multipart([("image", "d.png", png)] * 257), frozenset({400}), message="at most 256 images"),
        # Each within the limits alone; together over the request's budget (docs/reliability.md,
        # "Bounded decoding", has what they cost).
        Case("24 rle bmps 65536x256 in one request", *multipart([("image", "d.bmp", bmp_rle8(65536, 256))] * 24),
             frozenset({413}), message="run-length encoded BMP"),
        Case("16 pngs 4096x4096 in one request", *multipart([("image", "d.png", blank_lossless("PNG", 4096, 4096))] * 16),
             frozenset({413}), message="image too costly to decode"),
        upload("empty upload", b"", frozenset({400}), message="empty image"),
        upload("text upload", b"hello, world", frozenset({400}), message="cannot identify image"),
        upload("png upload cut in half", png[: len(png) // 2], frozenset({400}), message="truncated"),
        raw_image("raw png cut at 100 bytes", png[:100], frozenset({400}), message="truncated"),
        upload("tiff upload", tiff, frozenset({415}), message="unsupported image format TIFF", filename="d.tiff"),
        upload("blank white upload", blank("RGB"), frozenset({422}), message="blank"),
        raw_image("blank transparent raw", blank("RGBA"), frozenset({422}), message="blank"),
        Case("no content type", png, {}, frozenset({415}), message="unsupported media type"),
        Case("text/plain", png, {"Content-Type": "text/plain"}, frozenset({415}),
             message="unsupported media type text/plain"),
        raw_image("image/tiff body", tiff, frozenset({415}), "image/tiff", message="unsupported media type image/tiff"),
        Case("application/xml", b"<digit/>", {"Content-Type": "application/xml"}, frozenset({415})),
        Case("form urlencoded", b"image=3", {"Content-Type": "application/x-www-form-urlencoded"}, frozenset({415})),
        Case("image/svg+xml", b"<svg/>", {"Content-Type": "image/svg+xml"}, frozenset({415})),
        Case("png declared as json", png, JSON, frozenset({400})),
        Case("json declared as png", b'{"pixels": []}', nothing, frozenset({400})),
        Case("content type garbage", png, {"Content-Type": ";;;==="}, frozenset({415})),
        Case("empty raw png", b"", nothing, frozenset({400})),
        Case("empty json", b"", JSON, frozenset({400})),
        Case("empty multipart", b"", {"Content-Type": "multipart/form-data; boundary=x"}, frozenset({400})),
        Case("oversized raw", over_limit, nothing, frozenset({413}), message="Request Entity Too Large"),
        Case("oversized multipart", *multipart([("image", "d.png", over_limit)]), frozenset({413}),
             message="Request Entity Too Large"),
        Case("body at the limit", b"\x00" * MAX_UPLOAD, nothing, frozenset({400})),
        # broken multipart
        Case("multipart without boundary", png, {"Content-Type": "multipart/form-data"}, frozenset({400})),
        Case("multipart wrong boundary", multipart([("image", "d.png", png)], "aaa")[0],
             {"Content-Type": "multipart/form-data; boundary=bbb"}, frozenset({400})),
        Case("multipart no closing boundary", multipart([("image", "d.png", png)])[0][:-20],
             multipart([])[1], frozenset({400, 200})),
        Case("multipart cut in headers", multipart([("image", "d.png", png)])[0][:40], multipart([])[1], frozenset({400})),
        Case("multipart 200-char boundary", *multipart([("image", "d.png", png)], "b" * 200), frozenset({200, 400})),
        Case("multipart header flood", b"--x\r\n" + b"X-A: b\r\n" * 20000 + b"\r\n\r\n--x--\r\n",
             {"Content-Type": "multipart/form-data; boundary=x"}, frozenset({400, 413})),
        # JSON with the wrong shapes and values
        json_case("json invalid", "{nope", message="invalid JSON"),
        json_case("json list", "[1, 2, 3]"),
        json_case("json string", '"pixels"'),
        json_case("json null", "null"),
        json_case("json without pixels", '{"pix": []}', message="missing field 'pixels'"),
        json_case("json pixels number", '{"pixels": 5}'),
        json_case("json pixels 3-d", json.dumps({"pixels": [[[0] * 8] * 8]})),
        json_case("json pixels 63", json.dumps({"pixels": [0] * 63}), message="pixels must be 64 numbers"),
        json_case("json pixels 65", json.dumps({"pixels": [0] * 65}), message="pixels must be 64 numbers"),
        json_case("json pixels ragged 8x8", json.dumps({"pixels": [[0] * 8] * 7 + [[0] * 9]})),
        json_case("json pixels 17", json.dumps({"pixels": [17] * 64}), message="0..16"),
        json_case("json pixels NaN", '{"pixels": [' + ", ".join(["NaN"] * 64) + "]}"),
        json_case("json pixels Infinity", '{"pixels": [' + ", ".join(["Infinity"] * 64) + "]}"),
        json_case("json pixels -Infinity", '{"pixels": [' + ", ".join(["-Infinity"] * 64) + "]}"),
        json_case("json pixels 1e999", '{"pixels": [' + ", ".join(["1e999"] * 64) + "]}"),
        json_case("json pixels 10**400", '{"pixels": [' + ", ".join(["1" + "0" * 400] * 64) + "]}"),
        json_case("json pixels -1", json.dumps({"pixels": [-1] * 64})),
        json_case("json pixels strings", json.dumps({"pixels": ["1"] * 64}), message="pixels must be 64 numbers"),
        json_case("json pixels booleans", json.dumps({"pixels": [True] * 64})),
        json_case("json pixels null", json.dumps({"pixels": [None] * 64})),
        json_case("json pixels objects", json.dumps({"pixels": [{}] * 64})),
        json_case("json 100000 deep", '{"pixels": ' + "[" * 100000 + "]" * 100000 + "}"),
        json_case("json instances string", '{"instances": "x"}'),
        json_case("json instances empty", '{"instances": []}', message="non-empty list"),
        json_case("json instances 257", json.dumps({"instances": [[0] * 64] * 257}), message="at most 256 instances"),
        json_case("json instances of numbers", json.dumps({"instances": [5, 6]})),
        json_case("json 1M zeros", '{"pixels": [' + ",".join(["0"] * 900_000) + "]}"),
        Case("json invalid utf-8", b'{"pixels": "\xff\xfe"}', JSON, frozenset({400})),
        json_case("json duplicate keys", '{"pixels": 1, "pixels": 2}'),
        json_case("json valid", json.dumps({"pixels": [0, 16] * 32}), frozenset({200})),
        # Open Inference Protocol v2
        json_case("v2 not json", "[", path=INFER, message="invalid JSON"),
        json_case("v2 list body", "[]", path=INFER),
        json_case("v2 deep", "[" * 100000 + "]" * 100000, path=INFER),
        json_case("v2 no inputs", "{}", path=INFER),
        v2_case("v2 parameters list", v2_input(parameters=[1])),
        v2_case("v2 request parameters string", {**v2_input(), "parameters": "x"}),
        v2_case("v2 output parameters number", {**v2_input(), "outputs": [{"name": "label", "parameters": 5}]}),
        v2_case("v2 outputs not a list", {**v2_input(), "outputs": "label"}),
        v2_case("v2 unknown output", {**v2_input(), "outputs": [{"name": "logits"}]}, message="unknown output"),
        # Each output once: repeating one repeated the tensor in the answer.
        v2_case("v2 output repeated 4000 times, binary", {**v2_input(), "outputs": [
            {"name": "features", "parameters": {"binary_data": True}}] * 4000}, message="more than once"),
        v2_case("v2 output repeated 2000 times, json", {**v2_input(), "outputs": [{"name": "features"}] * 2000},
                message="more than once"),
        v2_case("v2 output repeated twice", {**v2_input(), "outputs": [{"name": "label"}, {"name": "label"}]},
                message="more than once"),
        v2_case("v2 features as input", v2_input(name="input", datatype="FP32", shape=[1, 64], data=[0] * 64),
                message="the model's input is 'image'"),
        v2_case("v2 wrong datatype", v2_input(datatype="FP32"), message="datatype UINT8"),
        v2_case("v2 unknown input", v2_input(name="x" * 10_000), message="unknown input"),
        v2_case("v2 shape 2-d", v2_input(shape=[16, 16], data=[0] * 256), message="[height, width, 4]"),
        v2_case("v2 shape RGB", v2_input(shape=[8, 8, 3], data=[0] * 192), message="[height, width, 4]"),
        v2_case("v2 shape batch of one", v2_input(shape=[1, 8, 8, 4]), message="[height, width, 4]"),
        v2_case("v2 shape boolean", v2_input(shape=[True, 256, 4]), message="[height, width, 4]"),
        v2_case("v2 shape zero", v2_input(shape=[0, 8, 4], data=[]), message="[height, width, 4]"),
        v2_case("v2 shape negative", v2_input(shape=[-8, -8, 4]), message="[height, width, 4]"),
        v2_case("v2 shape float", v2_input(shape=[8.0, 8, 4]), message="[height, width, 4]"),
        v2_case("v2 shape huge", v2_input(shape=[10**18, 10**18, 4]), message="pixels a side"),
        v2_case("v2 shape 8192x8192", v2_input(shape=[8192, 8192, 4]), message="pixels; at most"),
        # A side with more digits than int-to-str allows: its error message must not be a 500.
        v2_case("v2 shape of 4299 digits", v2_input(shape=[int("9" * 4299), 8, 4]), message="pixels a side"),
        v2_case("v2 data 10**400", v2_input(data=[10**400] * 256)),
        v2_case("v2 data 256", v2_input(data=[256] * 256), message="integers 0..255"),
        v2_case("v2 data -1", v2_input(data=[-1] * 256), message="integers 0..255"),
        v2_case("v2 data fractions", v2_input(data=[0.5] * 256), message="integers 0..255"),
        v2_case("v2 data strings", v2_input(data=["0"] * 256), message="integers 0..255"),
        v2_case("v2 data nested", v2_input(data=[[[0, 0, 0, 255]] * 8] * 8), frozenset({200})),
        json_case("v2 data NaN", '{"inputs": [{"name": "image", "datatype": "UINT8", "shape": [8, 8, 4], "data": ['
                  + ", ".join(["NaN"] * 256) + "]}]}", path=INFER, message="integers 0..255"),
        v2_case("v2 data short", v2_input(data=[0] * 10), message="has 10 values"),
        v2_case("v2 binary size mismatch", v2_input(data=None, parameters={"binary_data_size": 7})),
        # "false" is a string, which Python finds truthy: it must not turn binary output on.
        v2_case("v2 binary_data_output a string", {**v2_input(), "parameters": {"binary_data_output": "false"}},
                message="must be true or false"),
        v2_case("v2 binary_data a number", {**v2_input(), "outputs": [{"name": "label", "parameters": {"binary_data": 0}}]},
                message="must be true or false"),
        json_case("v2 id NaN", '{"id": NaN, ' + json.dumps(v2_input())[1:], path=INFER, message="'id' must be a string"),
        v2_case("v2 id number", {"id": 7, **v2_input()}, message="'id' must be a string"),
        v2_case("v2 id too long", {"id": "x" * 257, **v2_input()}, message="at most 256"),
        Case("v2 header length superscript", b"{}", {**JSON, "Inference-Header-Content-Length": "\u00b2"},
             frozenset({400}), path=INFER, message="invalid Inference-Header-Content-Length"),
        Case("v2 header length huge", b"{}", {**JSON, "Inference-Header-Content-Length": "9" * 40},
             frozenset({400}), path=INFER, message="invalid Inference-Header-Content-Length"),
        # int() of 4301 digits raises: it was a 500.
        Case("v2 header length of 4301 digits", b"{}", {**JSON, "Inference-Header-Content-Length": "9" * 4301},
             frozenset({400}), path=INFER, message="invalid Inference-Header-Content-Length"),
        v2_case("v2 valid", v2_input(), frozenset({200})),
        v2_case("v2 valid with id", {"id": "request-1", **v2_input()}, frozenset({200})),
        v2_case("v2 280x280, every output", v2_input(280), frozenset({200})),
        # The model's blank answer (label -1), not a refusal: v2 serves the model as it is.
        v2_case("v2 blank image", v2_input(data=[0] * 256), frozenset({200})),
        v2_case("v2 one pixel", v2_input(1), frozenset({200})),
        v2_case("v2 all ink", v2_input(data=[255] * 256), frozenset({200})),
        v2_case("v2 1x4096 line", v2_input(shape=[1, 4096, 4], data=[0, 0, 0, 255] * 4096), frozenset({200})),
        v2_case("v2 4096x1 line", v2_input(shape=[4096, 1, 4], data=[0, 0, 0, 255] * 4096), frozenset({200})),
        v2_binary_case("v2 binary 720x720, the largest image a body holds", 720, 720),
        v2_binary_case("v2 binary 1x500000 line", 1, 500_000, frozenset({400}), "at most 8192 pixels a side"),
        v2_binary_case("v2 binary 1x8192 line", 1, 8192),
        # routes, methods, query strings, headers
        Case("GET predict", method="GET", expect=frozenset({405}), message="Method Not Allowed"),
        Case("PUT predict", png, nothing, frozenset({405}), method="PUT"),
        Case("POST healthz", method="POST", path="/healthz", expect=frozenset({405}), message="Method Not Allowed"),
        Case("DELETE healthz", method="DELETE", path="/healthz", expect=frozenset({405})),
        Case("invented method", method="BREW", path="/healthz", expect=frozenset({405}), message="Method Not Allowed"),
        Case("unknown route", method="GET", path="/predict", expect=frozenset({404}), message="Not Found"),
        Case("v2 unknown model", method="GET", path="/v2/models/mnist", expect=frozenset({404}), message="Not Found"),
        Case("v2 unknown version", method="GET", path="/v2/models/digits/versions/7", expect=frozenset({404}),
             message="no version 7"),
        # Werkzeug redirected these (308, an HTML body, a Location from the client's Host header).
        json_case("v2 double slash", json.dumps(v2_input()), frozenset({404}), "/v2//models/digits/infer", "Not Found"),
        Case("double slash inside", method="GET", path="/v2//health/live", expect=frozenset({404}), message="Not Found"),
        Case("trailing slash", method="GET", path="/healthz/", expect=frozenset({404}), message="Not Found"),
        Case("path traversal", method="GET", path="/static/../../etc/passwd", expect=frozenset({404})),
        Case("encoded traversal", method="GET", path="/%2e%2e/%2e%2e/etc/passwd", expect=frozenset({404})),
        Case("explain garbage", png, nothing, frozenset({200}), path=PREDICT + "?explain=%00%ff&x=" + "a" * 2000),
        Case("request id flood", png, {"Content-Type": "image/png", "X-Request-ID": "\u00e9" * 500}, frozenset({200})),
        # HTTP an HTTP library will not send: waitress refuses it before Flask, as JSON
        http("content-length not a number", head("POST /predict_digit HTTP/1.1", "Host: x", "Content-Length: abc"),
             expect=frozenset({400})),
        http("content-length negative", head("POST /predict_digit HTTP/1.1", "Host: x", "Content-Length: -5"),
             expect=frozenset({400})),
        http("content-length 50 MB", head("POST /predict_digit HTTP/1.1", "Host: x", "Content-Type: image/png",
                                          "Content-Length: 50000000"), expect=frozenset({413}), message="over the limit"),
        # int() refuses over 4300 digits: waitress's parser raised and closed without an answer.
        http("content-length of 4301 digits", head("POST /predict_digit HTTP/1.1", "Host: x",
                                                   "Content-Length: " + "9" * 4301), expect=frozenset({413}),
             message="over the limit"),
        http("content-length of 4300 digits", head("POST /predict_digit HTTP/1.1", "Host: x",
                                                   "Content-Length: " + "9" * 4300), expect=frozenset({413}),
             message="over the limit"),
        http("content-length of 5000 zeros", head("POST /predict_digit HTTP/1.1", "Host: x",
                                                  "Content-Length: " + "0" * 5000), expect=frozenset({400})),
        http("content-length folded onto the next line (obs-fold)",
             head("POST /predict_digit HTTP/1.1", "Host: x", "Content-Type: image/png", "Content-Length:", " 3") + b"abc",
             expect=frozenset({400}), message="obs-fold"),
        http("chunked garbage", head("POST /predict_digit HTTP/1.1", "Host: x", "Content-Type: image/png",
                                     "Transfer-Encoding: chunked") + b"zz\r\nabc\r\n0\r\n\r\n", expect=frozenset({400})),
        # The chunk-size line alone is over the limit: refused at once (it sat for channel_timeout).
        http("chunk size over the limit, no body", head("POST /predict_digit HTTP/1.1", "Host: x",
                                                       "Content-Type: image/png", "Transfer-Encoding: chunked")
             + b"%x\r\n" % (10 * MAX_UPLOAD), expect=frozenset({413}), message="over the limit"),
        # Chunks adding up past the limit; the second piece crosses it, so the server has read all
        # it was sent when it answers.
        http("chunks over the limit", head("POST /predict_digit HTTP/1.1", "Host: x", "Content-Type: image/png",
                                           "Transfer-Encoding: chunked")
             + b"%x\r\n" % (MAX_UPLOAD - 100) + b"\x00" * (MAX_UPLOAD - 100), b"\r\n200\r\n",
             expect=frozenset({413}), message="over the limit"),
        # RFC 9112 6.1: answered and the connection closed; the pipelined GET is never served.
        http("both length and chunked, then a pipelined request",
             head("POST /predict_digit HTTP/1.1", "Host: x", "Content-Type: image/png", "Content-Length: 5",
                  "Transfer-Encoding: chunked") + b"0\r\n\r\n" + head("GET /healthz HTTP/1.1", "Host: x"),
             expect=frozenset({400}), message="both Content-Length and Transfer-Encoding"),
        http("chunked in HTTP/1.0", head("POST /predict_digit HTTP/1.0", "Content-Type: image/png",
                                         "Transfer-Encoding: chunked") + b"0\r\n\r\n",
             expect=frozenset({400}), message="HTTP/1.0"),
        # RFC 9112 says 501 for a coding the server does not know; SECURITY.md says why it is 400 here.
        http("transfer-encoding gzip, chunked", head("POST /predict_digit HTTP/1.1", "Host: x",
                                                     "Transfer-Encoding: gzip, chunked") + b"0\r\n\r\n",
             expect=frozenset({400}), message="only chunked"),
        http("transfer-encoding identity", head("POST /predict_digit HTTP/1.1", "Host: x",
                                                "Transfer-Encoding: identity") + b"0\r\n\r\n",
             expect=frozenset({400}), message="only chunked"),
        # Waitress sent 100 Continue, then nothing until the connection timed out.
        http("expect 100-continue without a body", head("GET /healthz HTTP/1.1", "Host: x", "Expect: 100-continue"),
             expect=frozenset({200})),
        http("expect 100-continue, POST without a body", head("POST /predict_digit HTTP/1.1", "Host: x",
             "Content-Type: image/png", "Content-Length: 0", "Expect: 100-continue"), expect=frozenset({400}),
             message="empty image"),
        # Waitress sent 100 Continue and read the body before refusing it.
        http("expect 100-continue, content-length 50 MB", head("POST /predict_digit HTTP/1.1", "Host: x",
             "Content-Type: image/png", "Content-Length: 50000000", "Expect: 100-continue"), expect=frozenset({413}),
             message="over the limit"),
        # No answer at all: waitress waited for a CRLF CRLF.
        http("LF-only line endings", b"GET /healthz HTTP/1.1\nHost: x\n\n", expect=frozenset({400}), message="CRLF"),
        http("LF-only line endings, POST with a body", b"POST /predict_digit HTTP/1.1\nHost: x\nContent-Length: 3\n\nabc",
             expect=frozenset({400}), message="CRLF"),
        # Read as plain chunked.
        http("transfer-encoding chunked, chunked", head("POST /predict_digit HTTP/1.1", "Host: x",
             "Content-Type: image/png", "Transfer-Encoding: chunked, chunked") + b"3\r\nabc\r\n0\r\n\r\n",
             expect=frozenset({400}), message="only once"),
        http("transfer-encoding chunked on two lines", head("POST /predict_digit HTTP/1.1", "Host: x",
             "Content-Type: image/png", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked")
             + b"3\r\nabc\r\n0\r\n\r\n", expect=frozenset({400}), message="only once"),
        http("HTTP/1.1 without Host", head("GET /healthz HTTP/1.1"), expect=frozenset({400}), message="missing Host"),
        http("two Host headers", head("GET /healthz HTTP/1.1", "Host: a", "Host: b"), expect=frozenset({400}),
             message="more than one Host"),
        http("HTTP/1.0 without host", head("POST /predict_digit HTTP/1.0", "Content-Type: image/png",
                                           "Content-Length: 3") + b"abc", expect=frozenset({400})),
        # HTTP/1.2 is read as HTTP/1.1 (RFC 9110 2.5), framing included: chunked, not a second request.
        http("HTTP/1.2 is read as HTTP/1.1", head("POST /predict_digit HTTP/1.2", "Host: x", "Content-Type: image/png",
                                                  "Transfer-Encoding: chunked") + b"0\r\n\r\n",
             expect=frozenset({400}), message="empty image"),
        http("HTTP/1.2 without Host", head("GET /healthz HTTP/1.2"), expect=frozenset({400}), message="missing Host"),
        http("HTTP/2.0 request line", head("GET /healthz HTTP/2.0", "Host: x"), expect=frozenset({400}),
             message="unsupported HTTP version"),
        http("HTTP/0.9 request line", b"GET /healthz\r\n\r\n", expect=frozenset({400}),
             message="unsupported HTTP version"),
        http("absolute URI with a broken IPv6 host", head("GET http://[::1/healthz HTTP/1.1", "Host: x"),
             expect=frozenset({400})),
        http("lower-case method", head("get /healthz HTTP/1.1", "Host: x"), expect=frozenset({400})),
        # Just under waitress's header limit, then the rest: it reads everything it was sent, so
        # its answer is not lost to a TCP reset (as when a client sends more than it reads).
        http("headers over the limit", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (MAX_HEADER_BYTES - 50),
             b"a" * 48 + b"\r\n\r\n", expect=frozenset({431}), message=f"over the limit of {MAX_HEADER_BYTES} bytes"),
        http("request line garbage", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS hello\r\n\r\n", expect=frozenset({400})),
    ]
    return tuple(cases)


def mutant(rng: random.Random) -> Case:
    """One random request: a catalogue case with its body mangled, or random JSON or bytes."""
    kind = rng.random()
    if kind < 0.35:
        fmt = rng.choice(["PNG", "JPEG", "GIF", "WEBP", "BMP"])
        content = mangle(digit(fmt), rng)
        if rng.random() < 0.5:
            return upload(f"mangled {fmt} upload", content, REFUSED | {200})
        return raw_image(f"mangled {fmt} raw", content, REFUSED | {200}, f"image/{fmt.lower()}")
    if kind < 0.6:
        return json_case("random json", json.dumps({rng.choice(["pixels", "instances", "pix"]): random_json(rng, 2)},
                                                   allow_nan=True), REFUSED | {200})
    if kind < 0.7:
        return json_case("random v2", json.dumps(v2_input(**{rng.choice(["data", "shape", "datatype", "name", "parameters"]):
                                                             random_json(rng, 2)}), allow_nan=True), REFUSED | {200}, INFER)
    if kind < 0.85:
        media = rng.choice(["image/png", "image/jpeg", "application/json", "multipart/form-data; boundary=x",
                            "text/plain", "", "image/webp", "application/octet-stream"])
        body = rng.randbytes(rng.choice([0, 1, 7, 100, 4096, 70_000]))
        return Case("random bytes", body, {"Content-Type": media} if media else {}, REFUSED)
    base = rng.choice(catalogue())
    if base.raw is not None:
        return base
    return Case(f"mangled {base.name}", mangle(base.body, rng), base.headers, base.expect | REFUSED | {200},
                base.method, base.path)


def mangle(data: bytes, rng: random.Random) -> bytes:
    """Flip bytes, cut, splice or repeat a slice: the ways files get damaged in transit."""
    if not data:
        return rng.randbytes(rng.randint(1, 64))
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        how = rng.random()
        at = rng.randrange(len(buffer)) if buffer else 0
        if how < 0.4:
            for _ in range(rng.randint(1, 8)):
                if buffer:
                    buffer[rng.randrange(len(buffer))] = rng.randrange(256)
        elif how < 0.6:
            del buffer[at:]
        elif how < 0.8:
            buffer[at:at] = rng.randbytes(rng.randint(1, 32))
        else:
            buffer[at:at] = buffer[at : at + rng.randint(1, 256)] * rng.randint(2, 20)
    return bytes(buffer)


def random_json(rng: random.Random, depth: int) -> Any:
    """A random JSON value, leaning to lists of numbers (and the numbers JSON should not hold).

    At most ~300 x 65 leaves for depth 2: big enough to hit every shape check, small enough to
    keep the fuzz about the server rather than the client's JSON encoder.
    """
    pick = rng.random()
    if depth <= 0 or pick < 0.35:
        return rng.choice([0, 16, -1, 17, 1e308, -1e308, float("nan"), float("inf"), 10**30, 2**63, 3.5,
                           True, None, "7", "", rng.uniform(-100, 100), rng.randint(0, 16)])
    if pick < 0.85:
        size = rng.choice([0, 1, 8, 63, 64, 65] + ([rng.randint(0, 300)] if depth >= 2 else []))
        return [random_json(rng, depth - 1) for _ in range(size)]
    return {rng.choice(["pixels", "instances", "data", ""]): random_json(rng, depth - 1)}


def requests_stream(rng: random.Random, count: int) -> Iterator[Case]:
    """`count` requests: the whole catalogue first, then random mutants."""
    fixed = catalogue()
    for index in range(count):
        yield fixed[index] if index < len(fixed) else mutant(rng)


def send(session: requests.Session, base_url: str, case: Case, timeout: float = 60.0) -> Outcome:
    if case.raw is not None:
        return send_raw(base_url, case.raw, timeout)
    response = session.request(case.method, base_url + case.path, data=case.body, headers=dict(case.headers), timeout=timeout)
    headers = {name.lower(): value for name, value in response.headers.items()}
    return Outcome(response.status_code, headers.get("content-type", ""), response.content, headers)


def send_raw(base_url: str, pieces: tuple[bytes, ...], timeout: float = 60.0) -> Outcome:
    """Write the pieces on a fresh connection, 0.1 s apart, and read until the server closes it:
    the first answer, and how many answers there were."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=timeout) as sock:
        for index, piece in enumerate(pieces):
            if index:
                time.sleep(PIECE_PAUSE)
            sock.sendall(piece)
        sock.shutdown(socket.SHUT_WR)
        received = b"".join(iter(lambda: sock.recv(65536), b""))
    answers = split_answers(received)
    if not answers:
        return Outcome(0, "", b"", answers=0)
    status, headers, body = answers[0]
    return Outcome(status, headers.get("content-type", ""), body, headers, len(answers))


def split_answers(data: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """HTTP/1.x answers read off one connection -> (status, lower-cased headers, body) each."""
    answers = []
    while data:
        head_block, _, rest = data.partition(b"\r\n\r\n")
        lines = head_block.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1]) if lines[0].startswith("HTTP/") else 0
        headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in lines[1:])}
        # An interim answer (100 Continue) has no body; it counts as an answer of its own.
        length = 0 if 100 <= status < 200 else int(headers.get("content-length", len(rest)))
        answers.append((status, headers, rest[:length]))
        data = rest[length:]
    return answers


def strict_json(body: bytes) -> Any:
    """RFC 8259 JSON: Python's json also reads NaN and Infinity, which no other parser does."""
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(body, parse_constant=refuse)


def problems(case: Case, outcome: Outcome) -> list[str]:
    """Why an answer is wrong for this case: empty if it is right."""
    found = []
    if outcome.status not in case.expect:
        found.append(f"status {outcome.status}, expected one of {sorted(case.expect)}")
    if outcome.answers != 1:
        found.append(f"{outcome.answers} answers to one request")
    for name, value in ALWAYS:
        if outcome.headers.get(name.lower()) != value:
            found.append(f"header {name}: {outcome.headers.get(name.lower())!r}, expected {value!r}")
    if outcome.content_type.split(";")[0] != "application/json":
        found.append(f"Content-Type {outcome.content_type!r}")
        return found
    try:
        answer = strict_json(outcome.body)
    except ValueError:
        found.append(f"not JSON: {outcome.body[:80]!r}")
        return found
    if outcome.status >= 400:
        error = answer.get("error") if isinstance(answer, dict) else None
        if not isinstance(error, str):
            found.append(f"not a JSON error body: {outcome.body[:80]!r}")
        elif INTERNALS.search(error):
            found.append(f"internals in the error: {error[:200]!r}")
        elif case.message not in error:
            found.append(f"error {error[:200]!r} does not say {case.message!r}")
    return found
