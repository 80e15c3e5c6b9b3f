"""`python -m export`: convert artifacts/best_model.pkl to artifacts/model.onnx and
artifacts/forest.onnx behind the parity gate.

model.onnx is the whole recognizer (RGBA pixels in, the calibrated answer out): the featurizer
graph, the forest and the mean over the views in one file, what the server runs and what users
embed. forest.onnx is the forest alone (64 Digits features in, calibrated probabilities out), for
whoever has Digits rows rather than images. Both are published (renamed into place) only if
onnxruntime agrees with scikit-learn on feature rows and the whole file agrees with its parts on
images; otherwise the previous files stay.
"""

from __future__ import annotations

import sys
from pathlib import Path

from digits.artifacts import missing_inputs
from digits.cli import OneLineParser
from export.parity import PROBABILITY_TOLERANCE
from export.publish import INPUTS, GateFailed, export, published_lines


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m export", description=__doc__.split("\n\n")[0],
                           epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--artifacts", type=Path, default=Path("artifacts"),
                        help="directory with best_model.pkl, tuning.json, metrics.json (default: artifacts)")
    parser.add_argument("--tolerance", type=float, default=PROBABILITY_TOLERANCE,
                        help=f"max |probability difference| allowed (default: {PROBABILITY_TOLERANCE:g})")
    parser.add_argument("--random-rows", type=int, default=12_000,
                        help="random and perturbed rows checked besides all 1797 Digits rows (default: 12000)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the random rows (default: 0)")
    args = parser.parse_args(argv)
    problem = missing_inputs(args.artifacts, INPUTS)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        summary = export(args.artifacts, tolerance=args.tolerance, random_rows=args.random_rows, seed=args.seed)
    except GateFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("\n".join(published_lines(summary, args.artifacts, args.tolerance)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
