"""The catalogue of malformed requests, as data, and the random mutants built from it.

Shared by the short fuzz in tests/reliability/ and the long `make fuzz` run. A Case is one HTTP
request plus the statuses that are right for it; whatever the request, the server must answer
below 500 with a JSON {"error": ...} body (or a 200 prediction) and stay up.
"""

from __future__ import annotations

import json
import random
import socket
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final
from urllib.parse import urlsplit

import requests

from reliability.images import digit, hostile_images, valid_images

PREDICT: Final = "/predict_digit"
INFER: Final = "/v2/models/digits/infer"
JSON: Final = {"Content-Type": "application/json"}
REFUSED: Final = frozenset({400, 413, 415, 422})  # any client error a mangled request may earn
ANSWERED: Final = frozenset({200, 422})  # a readable image: a digit, or "blank"
PIECE_PAUSE: Final = 0.1  # seconds between the pieces of a raw request: the server reads each
MAX_UPLOAD: Final = 2 * 1024 * 1024  # the server's default DIGITS_MAX_UPLOAD_BYTES


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


@dataclass(frozen=True)
class Outcome:
    status: int
    content_type: str
    body: bytes


def multipart(parts: list[tuple[str, str, bytes]], boundary: str = "fuzzboundary") -> tuple[bytes, dict[str, str]]:
    """(field, filename, content) parts -> a multipart/form-data body and its headers."""
    chunks = []
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        chunks.append(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n")
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def upload(name: str, content: bytes, expect: frozenset[int], field_name: str = "image") -> Case:
    body, headers = multipart([(field_name, "digit.png", content)])
    return Case(name, body, headers, expect)


def raw_image(name: str, content: bytes, expect: frozenset[int], media_type: str = "image/png") -> Case:
    return Case(name, content, {"Content-Type": media_type}, expect)


def json_case(name: str, text: str, expect: frozenset[int] = frozenset({400}), path: str = PREDICT) -> Case:
    return Case(name, text.encode(), JSON, expect, path=path)


def http(name: str, *pieces: bytes, expect: frozenset[int]) -> Case:
    return Case(name, expect=expect, raw=pieces)


def v2_input(**changes: Any) -> dict[str, Any]:
    return {"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 64], "data": [0] * 64, **changes}]}


@lru_cache(maxsize=1)
def catalogue() -> tuple[Case, ...]:
    """Every hostile or odd request we thought of, each with the statuses that are right for it."""
    png = digit("PNG")
    cases: list[Case] = []
    for name, content in valid_images().items():
        cases.append(upload(f"upload {name}", content, ANSWERED))
    for name, (content, expect) in hostile_images().items():
        cases.append(upload(f"upload {name}", content, expect))
        cases.append(raw_image(f"raw {name}", content, expect))
    for fraction in (0.1, 0.5, 0.9, 0.99):
        for fmt in ("PNG", "JPEG", "GIF", "WEBP"):
            content = digit(fmt)
            cut = content[: int(len(content) * fraction)]
            cases.append(upload(f"truncated {fmt} at {fraction:.0%}", cut, frozenset({400, 200, 422})))
    cases += [
        # fields, content types and bodies
        upload("wrong field name", png, frozenset({400}), field_name="file"),
        upload("empty field name", png, frozenset({400}), field_name=""),
        Case("field as text", *multipart([("image", "", b"3")]), frozenset({400})),
        Case("257 images", *multipart([("image", "d.png", png)] * 257), frozenset({400})),
        Case("no content type", png, {}, frozenset({415})),
        Case("text/plain", png, {"Content-Type": "text/plain"}, frozenset({415})),
        Case("application/xml", b"<digit/>", {"Content-Type": "application/xml"}, frozenset({415})),
        Case("form urlencoded", b"image=3", {"Content-Type": "application/x-www-form-urlencoded"}, frozenset({415})),
        Case("image/svg+xml", b"<svg/>", {"Content-Type": "image/svg+xml"}, frozenset({415})),
        Case("png declared as json", png, JSON, frozenset({400})),
        Case("json declared as png", b'{"pixels": []}', {"Content-Type": "image/png"}, frozenset({400})),
        Case("content type garbage", png, {"Content-Type": ";;;==="}, frozenset({415})),
        Case("empty raw png", b"", {"Content-Type": "image/png"}, frozenset({400})),
        Case("empty json", b"", JSON, frozenset({400})),
        Case("empty multipart", b"", {"Content-Type": "multipart/form-data; boundary=x"}, frozenset({400})),
        Case("oversized raw 3 MB", b"\x00" * 3_000_000, {"Content-Type": "image/png"}, frozenset({413})),
        Case("oversized multipart 3 MB", *multipart([("image", "d.png", b"\x00" * 3_000_000)]), frozenset({413})),
        Case("body at the limit", b"\x00" * MAX_UPLOAD, {"Content-Type": "image/png"}, frozenset({400})),
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
        json_case("json list", "[1, 2, 3]"),
        json_case("json string", '"pixels"'),
        json_case("json null", "null"),
        json_case("json pixels number", '{"pixels": 5}'),
        json_case("json pixels 3-d", json.dumps({"pixels": [[[0] * 8] * 8]})),
        json_case("json pixels 65", json.dumps({"pixels": [0] * 65})),
        json_case("json pixels ragged 8x8", json.dumps({"pixels": [[0] * 8] * 7 + [[0] * 9]})),
        json_case("json pixels NaN", '{"pixels": [' + ", ".join(["NaN"] * 64) + "]}"),
        json_case("json pixels Infinity", '{"pixels": [' + ", ".join(["Infinity"] * 64) + "]}"),
        json_case("json pixels -Infinity", '{"pixels": [' + ", ".join(["-Infinity"] * 64) + "]}"),
        json_case("json pixels 1e999", '{"pixels": [' + ", ".join(["1e999"] * 64) + "]}"),
        json_case("json pixels 10**400", '{"pixels": [' + ", ".join(["1" + "0" * 400] * 64) + "]}"),
        json_case("json pixels -1", json.dumps({"pixels": [-1] * 64})),
        json_case("json pixels strings", json.dumps({"pixels": ["1"] * 64})),
        json_case("json pixels booleans", json.dumps({"pixels": [True] * 64})),
        json_case("json pixels null", json.dumps({"pixels": [None] * 64})),
        json_case("json pixels objects", json.dumps({"pixels": [{}] * 64})),
        json_case("json 100000 deep", '{"pixels": ' + "[" * 100000 + "]" * 100000 + "}"),
        json_case("json instances string", '{"instances": "x"}'),
        json_case("json instances 257", json.dumps({"instances": [[0] * 64] * 257})),
        json_case("json instances of numbers", json.dumps({"instances": [5, 6]})),
        json_case("json 1M zeros", '{"pixels": [' + ",".join(["0"] * 900_000) + "]}"),
        Case("json invalid utf-8", b'{"pixels": "\xff\xfe"}', JSON, frozenset({400})),
        json_case("json duplicate keys", '{"pixels": 1, "pixels": 2}'),
        json_case("json valid", json.dumps({"pixels": [0, 16] * 32}), frozenset({200})),
        # Open Inference Protocol v2
        json_case("v2 list body", "[]", path=INFER),
        json_case("v2 deep", "[" * 100000 + "]" * 100000, path=INFER),
        json_case("v2 no inputs", "{}", path=INFER),
        json_case("v2 parameters list", json.dumps(v2_input(parameters=[1])), path=INFER),
        json_case("v2 request parameters string", json.dumps({**v2_input(), "parameters": "x"}), path=INFER),
        json_case("v2 output parameters number", json.dumps({**v2_input(), "outputs": [{"name": "label", "parameters": 5}]}), path=INFER),
        json_case("v2 outputs not a list", json.dumps({**v2_input(), "outputs": "label"}), path=INFER),
        json_case("v2 shape boolean", json.dumps(v2_input(shape=[True, 64])), path=INFER),
        json_case("v2 shape 3-d", json.dumps(v2_input(shape=[1, 8, 8])), path=INFER),
        json_case("v2 shape huge", json.dumps(v2_input(shape=[10**18, 64])), path=INFER),
        json_case("v2 data 10**400", '{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 64], "data": ['
                  + ", ".join(["1" + "0" * 400] * 64) + "]}]}", path=INFER),
        json_case("v2 data NaN", '{"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 64], "data": ['
                  + ", ".join(["NaN"] * 64) + "]}]}", path=INFER),
        json_case("v2 binary size mismatch", json.dumps(v2_input(data=None, parameters={"binary_data_size": 7})), path=INFER),
        Case("v2 header length superscript", b"{}", {**JSON, "Inference-Header-Content-Length": "\u00b2"}, frozenset({400}), path=INFER),
        Case("v2 header length huge", b"{}", {**JSON, "Inference-Header-Content-Length": "9" * 40}, frozenset({400}), path=INFER),
        json_case("v2 valid", json.dumps(v2_input()), frozenset({200}), path=INFER),
        # routes, methods, query strings, headers
        Case("GET predict", method="GET", expect=frozenset({405})),
        Case("PUT predict", png, {"Content-Type": "image/png"}, frozenset({405}), method="PUT"),
        Case("DELETE healthz", method="DELETE", path="/healthz", expect=frozenset({405})),
        Case("path traversal", method="GET", path="/static/../../etc/passwd", expect=frozenset({404})),
        Case("encoded traversal", method="GET", path="/%2e%2e/%2e%2e/etc/passwd", expect=frozenset({404})),
        Case("explain garbage", png, {"Content-Type": "image/png"}, frozenset({200}), path=PREDICT + "?explain=%00%ff&x=" + "a" * 2000),
        Case("request id flood", png, {"Content-Type": "image/png", "X-Request-ID": "\u00e9" * 500}, frozenset({200})),
        # HTTP an HTTP library will not send: waitress refuses it before Flask, as JSON
        http("content-length not a number", b"POST /predict_digit HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", expect=frozenset({400})),
        http("content-length negative", b"POST /predict_digit HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", expect=frozenset({400})),
        http("content-length 50 MB", b"POST /predict_digit HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 50000000\r\n\r\n", expect=frozenset({413})),
        http("chunked garbage", b"POST /predict_digit HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", expect=frozenset({400})),
        # The last piece crosses the limit, so the server has read all it was sent when it answers.
        http("chunked over limit", b"POST /predict_digit HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
             b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % (MAX_UPLOAD + 10) + b"\x00" * (MAX_UPLOAD - 100),
             b"\x00" * 110, expect=frozenset({413})),
        http("both length and chunked", b"POST /predict_digit HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", expect=frozenset({400})),
        # Just under waitress's 64 KB header limit, then the rest: it reads everything it was sent,
        # so its answer is not lost to a TCP reset (as when a client sends more than it reads).
        http("headers over 64 KB", b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (64 * 1024 - 50),
             b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n", expect=frozenset({431})),
        http("request line garbage", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS hello\r\n\r\n", expect=frozenset({400})),
        http("HTTP/1.0 without host", b"POST /predict_digit HTTP/1.0\r\nContent-Type: image/png\r\nContent-Length: 3\r\n\r\nabc", expect=frozenset({400})),
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
    return Outcome(response.status_code, response.headers.get("Content-Type", ""), response.content)


def send_raw(base_url: str, pieces: tuple[bytes, ...], timeout: float = 60.0) -> Outcome:
    """Write the pieces on a fresh connection, 0.1 s apart; parse the status line and body of the answer."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=timeout) as sock:
        for index, piece in enumerate(pieces):
            if index:
                time.sleep(PIECE_PAUSE)
            sock.sendall(piece)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines[0].startswith("HTTP/") else 0
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return Outcome(status, headers.get("Content-Type", ""), body)


def problems(case: Case, outcome: Outcome) -> list[str]:
    """Why an answer is wrong for this case: empty if it is right."""
    found = []
    if outcome.status not in case.expect:
        found.append(f"status {outcome.status}, expected one of {sorted(case.expect)}")
    if outcome.content_type.split(";")[0] != "application/json":
        found.append(f"Content-Type {outcome.content_type!r}")
    elif outcome.status >= 400:
        try:
            error = json.loads(outcome.body)["error"]
        except (ValueError, KeyError, TypeError):
            found.append(f"not a JSON error body: {outcome.body[:80]!r}")
        else:
            if "Traceback" in error or 'File "' in error:
                found.append("stack trace in the error")
    return found
