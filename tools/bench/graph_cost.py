"""CPU per image of the featurizer graph against digits/preprocess.py, side by side, and the graph's
cost per operator type from onnxruntime's profiler.

    python -m tools.bench.graph_cost [--rounds 15] [--runs 40] [--baseline old.onnx] [--profile] [--save new.onnx]

Each round times, for every image, `runs` calls of each contender back to back (process_time, one
onnxruntime thread as recognizer/run.py sets it); the medians over the rounds are printed.
`--baseline` adds a saved featurizer model (e.g. one written by `--save` at another revision).
`--profile` prints onnxruntime's profile instead, per operator type (the profiler's own cost per
operator inflates the small ones: for ranking, not for totals).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as python -m server: numpy's side on one thread too

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
from PIL import Image  # noqa: E402

from digits.contract import BLANK_OUTPUT, FEATURES_OUTPUT, IMAGE_INPUT  # noqa: E402
from digits.decode import decode  # noqa: E402
from digits.preprocess import image_to_views  # noqa: E402
from recognizer.model import featurizer_model  # noqa: E402
from recognizer.run import session_options  # noqa: E402
from tools.bench.inputs import write_images  # noqa: E402

HANDWRITTEN = Path(__file__).resolve().parents[2] / "handwritten-digits"


def images() -> dict[str, list[Image.Image]]:
    with tempfile.TemporaryDirectory() as tmp:
        bench = {image.name: [decode(image.path.read_bytes())] for image in write_images(Path(tmp))}
    bench["handwritten_22"] = [decode(path.read_bytes()) for path in sorted(HANDWRITTEN.glob("*.png"))]
    return bench


def graph(model: bytes, options: ort.SessionOptions | None = None) -> Callable[[np.ndarray], object]:
    session = ort.InferenceSession(model, options or session_options(), providers=["CPUExecutionProvider"])
    return lambda pixels: session.run([FEATURES_OUTPUT, BLANK_OUTPUT], {IMAGE_INPUT: pixels})


def cpu_ms(call: Callable[[], object], runs: int) -> float:
    start = time.process_time()
    for _ in range(runs):
        call()
    return (time.process_time() - start) * 1000.0 / runs


def timings(contenders: dict[str, Callable], sets: dict[str, list[Image.Image]], rounds: int, runs: int) -> None:
    inputs = {name: [(image, np.asarray(image.convert("RGBA"))) for image in group] for name, group in sets.items()}
    samples: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for name, group in inputs.items():
            for who, fn in contenders.items():
                arg = 0 if who == "numpy" else 1
                per_image = [cpu_ms(lambda fn=fn, x=item[arg]: fn(x), runs) for item in group]
                samples.setdefault((name, who), []).append(statistics.fmean(per_image))
    print(f"CPU ms per image, median of {rounds} rounds x {runs} runs")
    print("set".ljust(16) + "".join(who.rjust(12) for who in contenders) + "   graph/numpy")
    for name in inputs:
        medians = {who: statistics.median(samples[name, who]) for who in contenders}
        ratio = medians["graph"] / medians["numpy"]
        print(name.ljust(16) + "".join(f"{m:12.3f}" for m in medians.values()) + f"   {ratio:.2f}")


def profile(model: bytes, pixels: np.ndarray, runs: int, top: int = 25) -> None:
    options = session_options()
    options.enable_profiling = True
    options.profile_file_prefix = tempfile.mktemp(prefix="graph-cost-")
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    for _ in range(runs):
        session.run(None, {IMAGE_INPUT: pixels})
    path = Path(session.end_profiling())
    events = json.loads(path.read_text())
    path.unlink()
    per_op: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    total = 0.0
    for event in events:
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            per_op[event["args"]["op_name"]] += event["dur"] / runs
            calls[event["args"]["op_name"]] += 1 / runs
        elif event.get("cat") == "Session" and event["name"] == "model_run":
            total += event["dur"] / runs
    kernels = sum(per_op.values())
    print(f"  model_run {total:.0f} us per image, kernels {kernels:.0f} us in {sum(calls.values()):.0f} calls")
    for name, us in per_op.most_common(top):
        print(f"  {name:20s}{us:9.1f} us {100 * us / kernels:5.1f} %  {calls[name]:6.0f} calls")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--baseline", type=Path, help="a saved featurizer model to time beside this one")
    parser.add_argument("--save", type=Path, help="write this revision's featurizer model here and stop")
    parser.add_argument("--profile", action="store_true", help="per-operator profile instead of timings")
    args = parser.parse_args()
    model = featurizer_model().SerializeToString()
    if args.save:
        args.save.write_bytes(model)
        return
    sets = images()
    if args.profile:
        models = {"graph": model} | ({"baseline": args.baseline.read_bytes()} if args.baseline else {})
        for who, data in models.items():
            for name in ("paint_280", "icon_8x8"):
                print(who, name)
                profile(data, np.asarray(sets[name][0].convert("RGBA")), args.runs * 5)
        return
    contenders = {"graph": graph(model), "numpy": image_to_views}
    if args.baseline:
        contenders["baseline"] = graph(args.baseline.read_bytes())
    timings(contenders, sets, args.rounds, args.runs)


if __name__ == "__main__":
    main()
