"""python -m evaluation.yardsticks.evaluate: POST every labelled upload to a running server and score its answers.

The uploads come from a manifest (file, style, label), such as the generated drawings' manifest.csv.
It talks to the server only over HTTP (multipart field `image` to POST /predict_digit), exactly as
a user's curl would, so it measures the served preprocessing and model together. Either --url
names a running server, or --model starts the real one on a free 127.0.0.1 port for the run.
"""

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import requests

from digits.artifacts import write_text, write_with
from digits.cli import OneLineParser
from evaluation.drawings.generate import read_manifest

REQUEST_TIMEOUT_S = 10.0
MAX_ERRORS_SHOWN = 5


@dataclass(frozen=True)
class Answer:
    file: str
    style: str
    label: int
    prediction: int | None  # None when the server did not give a 200 with a prediction
    error: str | None = None


def predict(session: requests.Session, url: str, path: Path) -> tuple[int | None, str | None]:
    return predict_bytes(session, url, path.name, path.read_bytes())


def predict_bytes(session: requests.Session, url: str, name: str, data: bytes
                  ) -> tuple[int | None, str | None]:
    """POST one upload as curl would; (prediction, None) on a 200, else (None, why)."""
    response = session.post(
        f"{url}/predict_digit", files={"image": (name, data, "image/png")}, timeout=REQUEST_TIMEOUT_S
    )
    if response.status_code != 200:
        return None, f"HTTP {response.status_code}: {response.text[:200]}"
    return int(response.json()["prediction"]), None


def ask_server(url: str, manifest: Path, rows: Iterable[dict]) -> list[Answer]:
    root = manifest.parent
    answers = []
    with requests.Session() as session:
        for row in rows:
            prediction, error = predict(session, url, root / row["file"])
            answers.append(Answer(row["file"], row["style"], row["label"], prediction, error))
    return answers


def confusion(answers: Sequence[Answer]) -> np.ndarray:
    """10x10 counts, rows = true digit, columns = prediction (failed requests are not counted)."""
    m = np.zeros((10, 10), dtype=int)
    for a in answers:
        if a.prediction is not None:
            m[a.label, a.prediction] += 1
    return m


def accuracy(answers: Sequence[Answer]) -> float:
    """Share of drawings predicted right; a failed request counts as wrong."""
    return sum(a.prediction == a.label for a in answers) / len(answers) if answers else float("nan")


def score(answers: Sequence[Answer]) -> dict:
    styles = sorted({a.style for a in answers}, key=[a.style for a in answers].index)
    per_style = {}
    for style in styles:
        subset = [a for a in answers if a.style == style]
        per_style[style] = {
            "n": len(subset),
            "accuracy": accuracy(subset),
            "errors": sum(a.error is not None for a in subset),
            "confusion": confusion(subset).tolist(),
        }
    return {
        "n": len(answers),
        "accuracy": accuracy(answers),
        "errors": sum(a.error is not None for a in answers),
        "per_style": per_style,
        "confusion": confusion(answers).tolist(),
        "error_examples": [f"{a.file}: {a.error}" for a in answers if a.error][:MAX_ERRORS_SHOWN],
    }


def format_report(result: dict) -> str:
    lines = [f"{'style':<18}{'n':>6}{'accuracy':>10}{'errors':>8}"]
    for style, s in result["per_style"].items():
        lines.append(f"{style:<18}{s['n']:>6}{s['accuracy']:>10.3f}{s['errors']:>8}")
    lines.append(f"{'overall':<18}{result['n']:>6}{result['accuracy']:>10.3f}{result['errors']:>8}")
    lines.append("")
    lines.append("confusion (rows = true digit, columns = prediction)")
    lines.append("      " + "".join(f"{c:>6}" for c in range(10)))
    for label, row in enumerate(result["confusion"]):
        lines.append(f"{label:>6}" + "".join(f"{v:>6}" for v in row))
    lines.extend(f"error: {e}" for e in result["error_examples"])
    return "\n".join(lines)


def plot_confusion(result: dict, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    m = np.asarray(result["confusion"])
    fig, ax = plt.subplots(figsize=(6, 5.4))
    ax.imshow(m, cmap="Blues")
    for (i, j), v in np.ndenumerate(m):
        ax.text(j, i, str(v), ha="center", va="center", fontsize=8,
                color="white" if v > m.max() / 2 else "black")
    ax.set(xticks=range(10), yticks=range(10), xlabel="prediction", ylabel="true digit",
           title=f"{title}: accuracy {result['accuracy']:.3f} (n={result['n']})")
    fig.tight_layout()
    write_with(path, lambda tmp: fig.savefig(tmp, format="png", dpi=100))
    plt.close(fig)


def write_outputs(result: dict, artifacts: Path, name: str = "drawings") -> tuple[Path, Path]:
    """artifacts/<name>-eval.json and artifacts/<name>-confusion.png."""
    json_path = write_text(artifacts / f"{name}-eval.json", json.dumps(result, indent=2) + "\n")
    png_path = artifacts / f"{name}-confusion.png"
    plot_confusion(result, png_path, name)
    return json_path, png_path


def select(rows: list[dict], per_class: int | None) -> list[dict]:
    """The first `per_class` drawings of each (style, digit), for a quicker run."""
    if per_class is None:
        return rows
    seen: dict[tuple[str, int], int] = {}
    kept = []
    for row in rows:
        key = (row["style"], row["label"])
        if seen.get(key, 0) < per_class:
            seen[key] = seen.get(key, 0) + 1
            kept.append(row)
    return kept


def add_target(parser: OneLineParser) -> None:
    """--url (a running server) or --model (start the real one for the run)."""
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="base URL of a running server, e.g. http://127.0.0.1:5000")
    target.add_argument("--model", type=Path, help="start `python -m server --model MODEL` for the run")


def check_model(parser: OneLineParser, args) -> None:
    if args.model and not args.model.is_file():
        parser.error(f"no model at {args.model}: run `make train export` first")


def ask(args, name: str, send: Callable[[str], list[Answer]]) -> list[Answer]:
    """send(base_url) against --url, or against the real server started from --model."""
    if args.url:
        return send(args.url.rstrip("/"))
    from tools.live_server import ServerNotReady, start_server

    try:
        # The access log of thousands of requests would bury the report: warnings only.
        with start_server(args.model.resolve(), {"DIGITS_LOG_LEVEL": "WARNING"}, timeout=60) as server:
            return send(server.url)
    except ServerNotReady as e:
        raise SystemExit(f"{name}: {e}") from e


def main(argv: Sequence[str] | None = None) -> None:
    parser = OneLineParser(prog="python -m evaluation.yardsticks.evaluate", description=__doc__.splitlines()[0])
    add_target(parser)
    parser.add_argument("--manifest", type=Path, default=Path("artifacts/drawings/manifest.csv"))
    parser.add_argument("--artifacts", type=Path, default=Path("artifacts"))
    parser.add_argument("--name", default="drawings", help="names the outputs: artifacts/NAME-eval.json")
    parser.add_argument("--per-class", type=int, default=None, help="only the first N per digit per style")
    args = parser.parse_args(argv)

    check_model(parser, args)
    rows = select(read_manifest(args.manifest), args.per_class)
    start = time.perf_counter()
    answers = ask(args, args.name, lambda url: ask_server(url, args.manifest, rows))
    result = score(answers)
    result["seconds"] = round(time.perf_counter() - start, 1)
    print(format_report(result))
    json_path, png_path = write_outputs(result, args.artifacts, args.name)
    print(f"\n{len(answers)} uploads in {result['seconds']} s; wrote {json_path} and {png_path}")


if __name__ == "__main__":
    main()
