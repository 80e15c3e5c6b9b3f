"""python -m tools.bench.serve {pickle,ceiling} --port N: a baseline app on waitress, configured exactly
as `python -m server` configures itself (Settings.from_env + server.serving.create_server)."""

from __future__ import annotations

import os

# As in server/__main__.py, before numpy is first imported: the baselines get the same one-thread
# BLAS as our server, so none of the three is handicapped by spinning OpenBLAS threads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys  # noqa: E402

from flask import Flask  # noqa: E402

from digits.cli import OneLineParser  # noqa: E402
from server.config import Settings  # noqa: E402
from server.serving import create_server  # noqa: E402

APPS = ("pickle", "ceiling")


def build(kind: str, sklearn_model: str) -> Flask:
    # Imported here so the ceiling process never loads scikit-learn.
    if kind == "pickle":
        from tools.bench.pickle_app import create_app as create_pickle

        return create_pickle(sklearn_model)
    from tools.bench.ceiling_app import create_app as create_ceiling

    return create_ceiling()


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m tools.bench.serve", description=__doc__)
    parser.add_argument("kind", choices=APPS)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sklearn-model", default="artifacts/best_model.pkl", help="the pickle app's model")
    args = parser.parse_args(argv)
    settings = Settings.from_env(host="127.0.0.1", port=args.port)
    create_server(build(args.kind, args.sklearn_model), settings).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
