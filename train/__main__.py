"""`python -m train`: tune a RandomForest on Digits with Optuna, fit, evaluate and report.

Commands (default `all`):
  all   tune, then fit + evaluate + report from the best trial
  tune  only run trials: a tuning worker. Start any number, on any machines, with the same
        --storage, --study-name and --trials; together they stop at exactly --trials trials.
        Workers draw candidates from an unseeded sampler, so workers started together differ.
  fit   fit + evaluate + report from the best trial already in the storage

Storage (--storage):
  sqlite:///PATH                            one machine, one process (the default)
  journal:///PATH                           one machine, several processes, no server
  postgresql+psycopg://USER:PASS@HOST/DB    several machines (any SQLAlchemy URL works)
  PATH is relative to the working directory; start it with / for an absolute path
  (journal:////tmp/study.log).
"""

from __future__ import annotations

import os

# numpy's BLAS calls here are small: OpenBLAS's extra threads would only spin beside them
# (docs/results.md, "Training"), taking the core a busy machine has left. OpenBLAS reads it once,
# when numpy is first imported; an explicit setting still wins. The featurizer graph runs on one onnxruntime thread.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys
from pathlib import Path

from digits.cli import OneLineParser, UsageError, checked
from train.pipeline import run
from train.settings import RunSettings, StudySettings

DEFAULT_STUDY = "digits-rf"
DEFAULT_COPIES = 1
# The final fit learns from more copies than tuning scores: on real handwriting more copies
# scored better up to 6 and little more beyond (docs/real-handwriting.md, "What was tried"), while
# each copy adds a full pass to every one of the 50 x 5 tuning fits.
DEFAULT_FIT_COPIES = 6


positive_int = checked(int, lambda v: v >= 1, "a whole number >= 1")
non_negative_int = checked(int, lambda v: v >= 0, "a whole number >= 0")
fold_count = checked(int, lambda v: v >= 2, "at least 2 folds for cross-validation")
seconds = checked(float, lambda v: v > 0, "a number of seconds > 0")
job_count = checked(int, lambda v: v != 0, "a non-zero whole number (-1 = all cores)")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="python -m train",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", nargs="?", default="all", choices=("all", "tune", "fit"),
                        help="what to run (default: all)")
    parser.add_argument("--trials", type=positive_int, default=50,
                        help="finished trials the study should hold, across all workers; a rerun "
                             "tops up to this number and never redoes a finished trial (default: 50)")
    parser.add_argument("--timeout", type=seconds, default=None,
                        help="stop starting new trials after this many seconds (default: none)")
    parser.add_argument("--folds", type=fold_count, default=5,
                        help="k in stratified k-fold cross-validation (default: 5)")
    parser.add_argument("--seed", type=int, default=42,
                        help="seed for the split, the CV folds, the forests and, with `all`, the "
                             "sampler (default: 42)")
    parser.add_argument("--n-jobs", type=job_count, default=1,
                        help="parallel jobs inside each forest fit; -1 = all cores (default: 1, "
                             "fastest on this 2-vCPU class of machine, see README)")
    parser.add_argument("--storage", default=None,
                        help="where the study lives, see Storage below "
                             "(default: sqlite:///ARTIFACTS/study.db)")
    parser.add_argument("--study-name", default=DEFAULT_STUDY,
                        help=f"study to create or resume (default: {DEFAULT_STUDY})")
    parser.add_argument("--artifacts", type=Path, default=Path("artifacts"),
                        help="output directory for models, metrics and the report (default: artifacts)")
    parser.add_argument("--augment-copies", type=non_negative_int, default=DEFAULT_COPIES,
                        help="jittered copies of each training image, rendered through the server's "
                             f"preprocessing (default: {DEFAULT_COPIES})")
    parser.add_argument("--fit-copies", type=non_negative_int, default=DEFAULT_FIT_COPIES,
                        help="jittered copies of each training image for the final fit of the "
                             f"best parameters (default: {DEFAULT_FIT_COPIES})")
    parser.add_argument("--no-augment", action="store_true",
                        help="tune and fit on the Digits rows alone (--augment-copies 0 --fit-copies 0)")
    parser.add_argument("--digits-only", action="store_true",
                        help="fit without the font-glyph rows (train/glyphs.py): Digits and its "
                             "copies only, and no fonts needed")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return parser


def settings_from(args: argparse.Namespace) -> RunSettings:
    augment_copies, fit_copies = (0, 0) if args.no_augment else (args.augment_copies, args.fit_copies)
    return RunSettings(
        artifacts=args.artifacts, storage=args.storage, study_name=args.study_name,
        study=StudySettings(augment_copies=augment_copies, folds=args.folds, seed=args.seed),
        trials=args.trials, timeout=args.timeout, n_jobs=args.n_jobs, fit_copies=fit_copies,
        digits_only=args.digits_only, progress=not args.no_progress)


INTERRUPTED = 130  # the shell's code for a process ended by SIGINT


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        run(args.command, settings_from(args))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted: finished trials are kept in the study; artifacts were not touched",
              file=sys.stderr)
        return INTERRUPTED
    return 0


def exit_now(code: int) -> None:
    """End the process without waiting for other threads once it was interrupted.

    Optuna's heartbeat thread is not a daemon, and a Ctrl-C that lands while Optuna is still
    starting it (the main thread waits in Thread.start()) skips the code that stops it: a normal
    exit would then wait for it forever. Every artifact is written to a temporary file and
    renamed, and the study's database commits per transaction, so nothing is left half-written.
    """
    if code == INTERRUPTED:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    exit_now(main())
