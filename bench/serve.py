"""python -m bench.serve {pickle,ceiling} --port N: a baseline app on waitress, configured exactly
as `python -m server` configures itself (Settings.from_env + server.serving.create_server)."""

from __future__ import annotations

import sys

from flask import Flask

from digits.cli import OneLineParser
from server.config import Settings
from server.serving import create_server

APPS = ("pickle", "ceiling")


def build(kind: str, sklearn_model: str) -> Flask:
    # Imported here so the ceiling process never loads scikit-learn.
    if kind == "pickle":
        from bench.pickle_app import create_app as create_pickle

        return create_pickle(sklearn_model)
    from bench.ceiling_app import create_app as create_ceiling

    return create_ceiling()


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m bench.serve", description=__doc__)
    parser.add_argument("kind", choices=APPS)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sklearn-model", default="artifacts/best_model.pkl", help="the pickle app's model")
    args = parser.parse_args(argv)
    settings = Settings.from_env(host="127.0.0.1", port=args.port)
    create_server(build(args.kind, args.sklearn_model), settings).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
