"""The draw-a-digit page reading drawings in the browser: download sizes and times, in headless Chromium.

    python -m tools.bench.page --model artifacts/model.onnx [--answers 20]

Starts the real server on the model, opens the page in Debian's Chromium with a profile of its own
(so the HTTP cache works as a user's does) and measures
- the bytes of model.onnx and ONNX Runtime Web's two files, as sent gzipped and not;
- from navigation to the first possible answer in the browser (the session made), on a cold cache
  and again on a reload (every file revalidated: 304), and the session creation within each;
- the time from lifting the pen to the answer, read in the page (getImageData + session.run), over
  `--answers` strokes: the median and the extremes;
- beside it, native onnxruntime making a session of the same file with the server's options.
Writes tools/bench/results/page-<UTC time>.json and prints it. Numbers, never pass/fail.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

from tools.live_server import start_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
DOWNLOADS = ("model.onnx", "ort/ort.wasm.bundle.min.mjs", "ort/ort-wasm-simd-threaded.wasm")
RESULTS = Path(__file__).resolve().parent / "results"
SETTLED = '#engine:not([data-state="loading"])'
# One stroke each: a bar that varies a little from one answer to the next, so no run is a repeat.
STROKE = [(0.5, 0.2), (0.5, 0.5), (0.5, 0.8)]


def sizes(url: str) -> dict[str, dict[str, int]]:
    out = {}
    for name in DOWNLOADS:
        sent = {}
        for encoding in ("gzip", "identity"):
            response = requests.get(f"{url}/{name}", headers={"Accept-Encoding": encoding}, stream=True, timeout=120)
            response.raise_for_status()
            sent[encoding] = int(response.headers["Content-Length"])
            response.close()
        out[name] = sent
    return out


def start_up(page, url: str) -> dict[str, float]:
    page.goto(url + "/")
    page.wait_for_selector(SETTLED, timeout=600_000)
    engine = page.locator("#engine")
    if engine.get_attribute("data-state") != "ready":
        raise SystemExit(f"tools.bench.page: the page could not run the model: {engine.text_content()}")
    return {"ready_ms": float(engine.get_attribute("data-ready-ms")),
            "session_ms": float(engine.get_attribute("data-session-ms"))}


def native_session_ms(model: Path) -> float:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    started = time.perf_counter()
    ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    return round((time.perf_counter() - started) * 1000)


def answer_times(page, answers: int) -> list[float]:
    box = page.locator("#pad").bounding_box()
    times = []
    for index in range(answers):
        page.keyboard.press("Escape")
        shift = 0.01 * (index % 5)
        points = [(box["x"] + (x + shift) * box["width"], box["y"] + y * box["height"]) for x, y in STROKE]
        page.mouse.move(*points[0])
        page.mouse.down()
        for point in points[1:]:
            page.mouse.move(*point, steps=3)
        page.mouse.up()
        page.wait_for_selector('#result[data-status="done"][data-reader="browser"]')
        times.append(float(page.get_attribute("#result", "data-ms")))
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=Path("artifacts/model.onnx"))
    parser.add_argument("--answers", type=int, default=20)
    args = parser.parse_args(argv)
    if not args.model.is_file():
        parser.error(f"no model at {args.model}: run `make train export` first")
    from playwright.sync_api import sync_playwright

    with start_server(args.model) as server, sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport={"width": 1100, "height": 860})
        page = context.new_page()
        cold = start_up(page, server.url)
        cached = start_up(page, server.url)
        times = answer_times(page, args.answers)
        version = page.evaluate("import(new URL('ort/ort.wasm.bundle.min.mjs', document.baseURI).href)"
                                ".then(ort => ort.env.versions.common)")
        context.close()
        report = {
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "model": {"path": str(args.model), "bytes": args.model.stat().st_size},
            "onnxruntime_web": version,
            "download_bytes": sizes(server.url),
            "start_up": {"cold": cold, "cached": cached, "native_session_ms": native_session_ms(args.model)},
            "answer_ms": {"count": len(times), "median": statistics.median(times), "min": min(times),
                          "max": max(times)},
        }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"page-{datetime.now(UTC):%Y-%m-%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    print(f"tools.bench.page: wrote {path}")


if __name__ == "__main__":
    main()
