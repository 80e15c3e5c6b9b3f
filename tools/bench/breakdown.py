"""Per-request cost breakdown: what each stage of a request costs in-process, and what a request
costs under waitress (c=1 and c=8), so the difference (the gap) can be read off.

In-process (`stage_costs`, run by `python -m tools.bench.breakdown MODEL IMAGE...` in a fresh
interpreter so OpenBLAS gets the one thread `python -m server` gives it): every stage of a
`POST /predict_digit` with the image as multipart, each timed with time.process_time_ns in the
order a request runs them: parsing, decoding, the RGBA array, the one run of model.onnx (the
featurizer, the forest on every view, the average: its cost per operator comes from
onnxruntime's profiler, `python -m tools.bench.graph_cost --profile`), the answer; then the unsplit
decode (`RestCodec.image`) + model run once per round, measured the same way. Medians over
the rounds of each stage's CPU per request. Each call timed includes one call of the timer itself
(`timer_overhead_us`).

Under load (`under_load`): the real server, the same with the access log off, the same with 4
waitress threads instead of the default 1, and the stack's ceiling, in short interleaved wrk rounds
(tools.bench.http_level).
"""

from __future__ import annotations

import os

# Before numpy is imported, as `python -m server` does: the figures must be the server's.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import io  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import IO, Any, TypeVar  # noqa: E402

from flask import Flask, Response  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

from digits.cli import OneLineParser  # noqa: E402
from digits.decode import decode  # noqa: E402
from digits.pixels import rgba  # noqa: E402
from server.app import create_app  # noqa: E402
from server.config import Settings  # noqa: E402
from server.model import Reading  # noqa: E402
from server.observability import JsonFormatter, Metrics, access_log  # noqa: E402
from server.rest_codec import RestOptions  # noqa: E402
from server.runtime import runtime_of  # noqa: E402
from tools.bench import http_level  # noqa: E402
from tools.bench.inputs import IMAGE_FIELD, REPO, BenchImage, multipart  # noqa: E402
from tools.bench.servers import running, server_commands  # noqa: E402

T = TypeVar("T")

# The stages whose sum is compared with the unsplit decode + model run.
PIPELINE_PARTS = ("decode", "model")
UNDER_LOAD_SERVERS = {  # row name -> (server in server_commands, environment)
    "ours": ("ours", {"DIGITS_LOG_LEVEL": "INFO"}),
    "ours, access log off": ("ours", {"DIGITS_LOG_LEVEL": "WARNING"}),
    "ours, 4 threads": ("ours", {"DIGITS_LOG_LEVEL": "INFO", "DIGITS_THREADS": "4"}),
    "ceiling": ("ceiling", {}),
}
CONCURRENCIES = (1, 8)


class Stopwatch:
    """CPU nanoseconds of each named stage, summed over a round (a stage may run once per view)."""

    def __init__(self) -> None:
        self.samples: dict[str, list[int]] = {}
        self.parts: dict[str, str] = {}
        self._round: dict[str, int] = {}

    def __call__(self, part: str, stage: str, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        begin = time.process_time_ns()
        result = call(*args, **kwargs)
        elapsed = time.process_time_ns() - begin
        self._round[stage] = self._round.get(stage, 0) + elapsed
        self.parts.setdefault(stage, part)
        return result

    def end_round(self) -> None:
        for stage, elapsed in self._round.items():
            self.samples.setdefault(stage, []).append(elapsed)
        self._round = {}

    def medians_us(self) -> list[dict[str, Any]]:
        return [{"stage": stage, "part": self.parts[stage], "median_us": round(statistics.median(ns) / 1000, 2)}
                for stage, ns in self.samples.items()]


def stage_costs(model_path: Path, data: bytes, rounds: int) -> dict[str, Any]:
    """Median CPU microseconds of each stage of one /predict_digit request for `data` (an image)."""
    app = create_app(Settings(model_path=str(model_path)))
    runtime = runtime_of(app)
    body, content_type = multipart(data)
    environ = EnvironBuilder(path="/predict_digit", method="POST", data=body, content_type=content_type).get_environ()
    hooks = _instrument_hooks(app)
    max_pixels = runtime.rest.max_image_pixels
    clock = Stopwatch()
    whole: list[int] = []
    overhead: list[int] = []
    with tempfile.TemporaryFile("w") as log_file, _access_log_to(log_file), app.request_context(dict(environ)):
        message, fields = _access_log_record(hooks["after"], app)
        for _ in range(rounds):
            request_environ = {**environ, "wsgi.input": io.BytesIO(body)}
            clock("request", "request id", hooks["before"])
            upload = clock("request", "multipart parsing (werkzeug)",
                           lambda: app.request_class(request_environ).files.getlist(IMAGE_FIELD)[0].read())  # noqa: B023
            image = clock("decode", "decode", decode, upload, max_pixels)
            pixels = clock("decode", "RGBA array", rgba, image)
            reading = clock("model", "model.onnx (one session.run)", runtime.model.read, pixels)
            clock("request", "JSON answer", runtime.rest.encode, [reading],
                  RestOptions(batch=False, explain=False), runtime.model.version)
            clock("request", "metrics updates", _count, runtime.metrics, reading, fields)
            clock("request", "access-log line", access_log.info, message, extra=fields)
            clock.end_round()
            begin = time.process_time_ns()
            runtime.model.read(runtime.rest.image(upload))
            whole.append(time.process_time_ns() - begin)
            begin = time.process_time_ns()
            overhead.append(time.process_time_ns() - begin)
    stages = clock.medians_us()
    pipeline = sum(s["median_us"] for s in stages if s["part"] in PIPELINE_PARTS)
    return {
        "rounds": rounds,
        "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "stages": stages,
        "request_sum_us": round(sum(s["median_us"] for s in stages), 2),
        "pipeline_sum_us": round(pipeline, 2),
        "pipeline_whole_us": round(statistics.median(whole) / 1000, 2),
        "timer_overhead_us": round(statistics.median(overhead) / 1000, 3),
    }


def _instrument_hooks(app: Flask) -> dict[str, Callable[..., Any]]:
    """server/observability.py's request hooks: `_start` makes the request id, `_finish` counts
    and logs the answer."""
    before = {hook.__name__: hook for hook in app.before_request_funcs.get(None, [])}
    after = {hook.__name__: hook for hook in app.after_request_funcs.get(None, [])}
    if "_start" not in before or "_finish" not in after:
        raise RuntimeError("server/observability.py's instrument() hooks (_start, _finish) are not on the app")
    return {"before": before["_start"], "after": after["_finish"]}


@contextmanager
def _access_log_to(stream: IO[str]) -> Iterator[None]:
    """The access log as `python -m server` configures it (one JSON line per request, INFO),
    written to `stream`, for as long as the block runs."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    saved = access_log.level, access_log.propagate
    access_log.setLevel(logging.INFO)
    access_log.propagate = False
    access_log.addHandler(handler)
    try:
        yield
    finally:
        access_log.removeHandler(handler)
        access_log.setLevel(saved[0])
        access_log.propagate = saved[1]


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _access_log_record(after_hook: Callable[[Response], Response], app: Flask) -> tuple[str, dict[str, Any]]:
    """The message and fields the real after_request hook logs for an answer, to log them again."""
    capture = _Capture()
    access_log.addHandler(capture)
    try:
        after_hook(app.response_class())
    finally:
        access_log.removeHandler(capture)
    [record] = capture.records
    return record.msg, {k: v for k, v in vars(record).items() if k not in JsonFormatter._STANDARD}


def _count(metrics: Metrics, reading: Reading, fields: dict[str, Any]) -> None:
    """The metric updates of one answer: its predicted digit, then the request and its latency."""
    metrics.count_predictions([reading.label])
    metrics.count_request(fields["route"], fields["method"], fields["status"], fields["latency_ms"] / 1000)


def in_process(model_path: Path, images: Sequence[BenchImage], rounds: int) -> dict[str, dict[str, Any]]:
    """stage_costs for each image, in a fresh interpreter with the server's one OpenBLAS thread."""
    command = [sys.executable, "-m", "tools.bench.breakdown", str(model_path), "--rounds", str(rounds),
               *(f"{image.name}={image.path}" for image in images)]
    env = {**os.environ, "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1"}
    completed = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    if completed.returncode != 0:
        raise RuntimeError(f"tools.bench.breakdown exited with {completed.returncode}:\n{completed.stderr}")
    return json.loads(completed.stdout.splitlines()[-1])


def under_load(onnx_model: Path, sklearn_model: Path, images: Sequence[BenchImage], plan: http_level.LoadPlan,
               work: Path) -> dict[str, Any]:
    """CPU per request and req/s of UNDER_LOAD_SERVERS, interleaved wrk rounds."""
    commands = server_commands(onnx_model, sklearn_model)
    specs = {row: (commands[name], env) for row, (name, env) in UNDER_LOAD_SERVERS.items()}
    icon = next(image for image in images if image.name == "icon_8x8")
    with running(specs, work, icon) as servers:
        runs = http_level.interleaved_runs(servers, images, plan)
    return {"plan": vars(plan), "environments": {row: env for row, (_, env) in UNDER_LOAD_SERVERS.items()},
            "runs": runs, "medians": http_level.medians(runs)}


def gaps(stages: dict[str, dict[str, Any]], rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each server row under load next to the in-process sum: the gap is what waitress adds."""
    out = []
    for row in rows:
        # The ceiling does none of the stages: its CPU per request is the stack's own share.
        in_process_ms = None if row["server"] == "ceiling" else round(stages[row["image"]]["request_sum_us"] / 1000, 3)
        cpu = row["cpu_ms_per_request"]
        gap = None if in_process_ms is None or cpu is None else round(cpu - in_process_ms, 3)
        out.append({**row, "in_process_ms": in_process_ms, "gap_ms": gap})
    return out


def measure(onnx_model: Path, sklearn_model: Path, images: Sequence[BenchImage], plan: http_level.LoadPlan,
            rounds: int, work: Path) -> dict[str, Any]:
    print("breakdown: in-process stages ...", flush=True)
    stages = in_process(onnx_model, images, rounds)
    print("breakdown: under waitress ...", flush=True)
    load = under_load(onnx_model, sklearn_model, images, plan, work)
    return {"in_process": stages, "under_load": load, "rows": gaps(stages, load["medians"])}


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m tools.bench.breakdown",
                           description="print the in-process stage costs of /predict_digit as JSON")
    parser.add_argument("model", type=Path)
    parser.add_argument("images", nargs="+", help="NAME=PATH of each image")
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args(argv)
    images = dict(image.split("=", 1) for image in args.images)
    print(json.dumps({name: stage_costs(args.model, Path(path).read_bytes(), args.rounds)
                      for name, path in images.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
