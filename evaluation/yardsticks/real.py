"""python -m evaluation.yardsticks.real: real handwritten digits, sent to the real server as uploads, scored.

Every digit of the development set (evaluation/handwriting/real/) is rendered in every upload style of
evaluation/handwriting/render.py, POSTed to /predict_digit exactly as curl would, and scored per style, per
digit and as a confusion matrix. Writes artifacts/real-eval.json, real-eval.md and
real-confusion.png. Either --url names a running server, or --model starts the real one on a
free 127.0.0.1 port for the run.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import requests

from digits.artifacts import write_text
from digits.cli import OneLineParser, checked
from evaluation.drawings.grid import encode
from evaluation.handwriting.render import DEV_SET, STYLES, Upload, iter_uploads, load, spread
from evaluation.yardsticks.evaluate import (
    Answer,
    accuracy,
    add_target,
    ask,
    check_model,
    format_report,
    predict_bytes,
    score,
    write_outputs,
)

NAME = "real"

positive_int = checked(int, lambda v: v >= 1, "a whole number >= 1")


def ask_server(url: str, uploads: Iterable[Upload]) -> list[Answer]:
    answers = []
    with requests.Session() as session:
        for upload in uploads:
            name = f"{upload.style}/{upload.index}.png"
            prediction, error = predict_bytes(session, url, name, encode(upload.image))
            answers.append(Answer(name, upload.style, upload.label, prediction, error))
    return answers


def per_digit(answers: Sequence[Answer]) -> dict[str, float]:
    return {str(d): accuracy([a for a in answers if a.label == d]) for d in range(10)}


def markdown(result: dict) -> str:
    """The readable twin of real-eval.json."""
    lines = [
        "# Real handwriting over HTTP",
        "",
        f"{result['digits']} real handwritten digits x {len(result['per_style'])} upload styles = "
        f"{result['n']} uploads; accuracy **{result['accuracy']:.3f}**, "
        f"{result['errors']} failed requests, {result['seconds']} s.",
        "",
        "| style | n | accuracy |",
        "|---|---|---|",
        *[f"| {style} | {s['n']} | {s['accuracy']:.3f} |" for style, s in result["per_style"].items()],
        "",
        "| digit | " + " | ".join(result["per_digit"]) + " |",
        "|---|" + "---|" * len(result["per_digit"]),
        "| accuracy | " + " | ".join(f"{v:.3f}" for v in result["per_digit"].values()) + " |",
        "",
        "Confusion (rows = true digit, columns = prediction):",
        "",
        "| | " + " | ".join(str(c) for c in range(10)) + " |",
        "|---|" + "---|" * 10,
        *[f"| **{label}** | " + " | ".join(str(v) for v in row) + " |"
          for label, row in enumerate(result["confusion"])],
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = OneLineParser(prog="python -m evaluation.yardsticks.real", description=__doc__.splitlines()[0])
    add_target(parser)
    parser.add_argument("--artifacts", type=Path, default=Path("artifacts"))
    parser.add_argument("--dev-set", type=Path, default=DEV_SET, help="the .npz of real digits")
    parser.add_argument("--limit", type=positive_int, default=None,
                        help="only N digits, spread evenly over the set (each in every style)")
    parser.add_argument("--styles", default=",".join(STYLES),
                        help="comma-separated upload styles (default: all)")
    args = parser.parse_args(argv)

    styles = tuple(s for s in args.styles.split(",") if s)
    unknown = sorted(set(styles) - set(STYLES))
    if unknown:
        parser.error(f"unknown style {', '.join(unknown)}; choose from {', '.join(STYLES)}")
    check_model(parser, args)
    if not args.dev_set.is_file():
        parser.error(f"no development set at {args.dev_set}")
    digits = load(args.dev_set)
    count = min(args.limit or len(digits.labels), len(digits.labels))
    uploads = iter_uploads(digits, styles, spread(count, len(digits.labels)))
    start = time.perf_counter()
    answers = ask(args, NAME, lambda url: ask_server(url, uploads))
    result = {"digits": count, **score(answers), "per_digit": per_digit(answers)}
    result["seconds"] = round(time.perf_counter() - start, 1)
    print(format_report(result))
    json_path, png_path = write_outputs(result, args.artifacts, NAME)
    md_path = write_text(args.artifacts / f"{NAME}-eval.md", markdown(result))
    print(f"\n{len(answers)} uploads in {result['seconds']} s; wrote {json_path}, {md_path} and {png_path}")


if __name__ == "__main__":
    main()
