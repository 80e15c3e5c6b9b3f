"""`python -m tools.examples`: re-run the curl examples of the docs and write the answers in.

An example is a fenced block between `<!-- example answered by MODEL_VERSION -->` and
`<!-- /example -->`: lines starting with `$ ` are curl commands, the lines after each one are what
it printed. Each command is translated into the same request for Flask's test client on
`create_app()` with the given model (in process, no port), run from the repository root (so the
files it names are the ones a user would send), and its output lines are replaced by the answer;
the marker is given the model's version. Only the curl options the examples use are understood:
any other one is an error, so an example is never answered for a request it does not describe.
"""

from __future__ import annotations

import argparse
import io
import re
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from server.app import create_app
from server.config import Settings
from server.runtime import runtime_of
from tools.live_server import REPO

EXAMPLE = re.compile(r"(?P<open><!-- example answered by )(?P<model>\S+)(?P<fence> -->\n```[^\n]*\n)"
                     r"(?P<body>.*?)(?P<close>```\n<!-- /example -->)", re.S)
PROMPT = "$ "
DOCS = ("README.md", "docs/api.md")


class UnsupportedCommand(ValueError):
    """A command line this translator does not reproduce exactly."""


@dataclass(frozen=True)
class Curl:
    """The request a curl command line sends, and what curl prints after the body."""

    path: str  # with its query string
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    files: tuple[tuple[str, Path], ...] = ()  # -F name=@file, in order
    body: bytes | None = None
    write_out: str = ""
    grep: str | None = None  # `| grep PATTERN`: only the lines it matches are printed


def _data(value: str, root: Path) -> bytes:
    return (root / value[1:]).read_bytes() if value.startswith("@") else value.encode()


def parse_curl(command: str, root: Path = REPO) -> Curl:
    """`curl ...` -> Curl; file names are read relative to `root`."""
    words = shlex.split(command)
    if not words or words[0] != "curl":
        raise UnsupportedCommand(f"not a curl command: {command}")
    grep = None
    if "|" in words:
        words, piped = words[:words.index("|")], words[words.index("|") + 1:]
        if len(piped) != 2 or piped[0] != "grep":
            raise UnsupportedCommand(f"only `| grep PATTERN` is reproduced: {command}")
        grep = piped[1]
    method, url, write_out, body = None, None, "", None
    headers: dict[str, str] = {}
    files: list[tuple[str, Path]] = []
    rest = iter(words[1:])
    for word in rest:
        if word == "-s":
            continue
        if word.startswith("http://"):
            url = word
        elif word == "-X":
            method = next(rest)
        elif word == "-H":
            name, _, value = next(rest).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "-F":
            name, _, value = next(rest).partition("=")
            if not value.startswith("@"):
                raise UnsupportedCommand(f"-F {name}={value}: only file fields (@path) are reproduced")
            files.append((name, root / value[1:]))
        elif word in ("-d", "--data-binary"):
            body = _data(next(rest), root)
        elif word == "-w":
            write_out = next(rest)
        else:
            raise UnsupportedCommand(f"curl option {word!r} is not reproduced: {command}")
    if url is None:
        raise UnsupportedCommand(f"no http:// URL: {command}")
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if body is not None and "Content-Type" not in headers:
        headers["Content-Type"] = "application/x-www-form-urlencoded"  # what curl -d sends
    return Curl(path, method or ("POST" if files or body is not None else "GET"), headers, tuple(files),
                body, write_out, grep)


def run_curl(client: FlaskClient, curl: Curl) -> str:
    """What curl prints for the request: the body, then its -w text (through grep if piped)."""
    headers = dict(curl.headers)
    content_type = headers.pop("Content-Type", None)
    data: MultiDict | bytes | None = curl.body
    if curl.files:
        data = MultiDict([(name, (io.BytesIO(path.read_bytes()), path.name)) for name, path in curl.files])
        content_type = "multipart/form-data"
    response = client.open(curl.path, method=curl.method, headers=headers, data=data, content_type=content_type)
    printed = response.get_data(as_text=True).rstrip("\n") + curl.write_out.replace("%{http_code}",
                                                                                   str(response.status_code))
    if curl.grep is not None:
        printed = "\n".join(line for line in printed.splitlines() if re.search(curl.grep, line))
    return printed


def answer_block(body: str, answer: Callable[[str], str]) -> str:
    """A block's text with every command's output replaced by `answer(command)`."""
    lines = []
    for line in body.splitlines():
        if line.startswith(PROMPT):
            lines += [line, answer(line[len(PROMPT):])]
    if not lines:
        raise UnsupportedCommand(f"an example without a `{PROMPT}` command:\n{body}")
    return "\n".join(lines) + "\n"


def answer_examples(text: str, client: FlaskClient, model_version: str, root: Path = REPO) -> str:
    """`text` with every example's answers as `client` gives them."""
    def answer(command: str) -> str:
        return run_curl(client, parse_curl(command, root))

    return EXAMPLE.sub(lambda m: m["open"] + model_version + m["fence"] + answer_block(m["body"], answer)
                       + m["close"], text)


def examples_client(model: Path) -> tuple[FlaskClient, str]:
    """The test client of the app on `model`, and the model's version."""
    app = create_app(Settings(model_path=str(model)))
    return app.test_client(), runtime_of(app).model.version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.examples", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=REPO / "artifacts" / "model.onnx")
    parser.add_argument("docs", nargs="*", type=Path, default=[REPO / name for name in DOCS])
    args = parser.parse_args(argv)
    for doc in args.docs:
        # A fresh app for each document: its metrics example counts the answers above it, only.
        client, version = examples_client(args.model)
        text = doc.read_text(encoding="utf-8")
        count = len(EXAMPLE.findall(text))
        new = answer_examples(text, client, version)
        if new != text:
            doc.write_text(new, encoding="utf-8")
        print(f"{doc}: {count} examples answered by {version}{'' if new != text else ' (unchanged)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
