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
# (measured when the featurizer was numpy's: augmentation 9.7 -> 5.0 CPU s, the same wall time),
# taking the core a busy machine has left. OpenBLAS reads it once, when numpy is first imported;
# an explicit setting still wins. The featurizer graph runs on one onnxruntime thread.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import optuna
from optuna.exceptions import StorageInternalError
from sqlalchemy.exc import SQLAlchemyError

from digits.artifacts import METRICS_FILE, TUNING_FILE, write_json
from digits.cli import OneLineParser, UsageError, checked
from train import glyphs as glyph_source
from train.augment import TrainingSet, augment
from train.compare import Cells, cells, compare_effects
from train.cost import format_costs, measured
from train.data import TEST_SIZE, Split, load_split
from train.drawings_check import drawing_accuracy
from train.evaluate import evaluate_all, format_metrics
from train.fit import fit_best, save_models
from train.glyph_effects import glyph_cells, glyph_effects
from train.glyphs import GLYPHS, check_fonts
from train.real_check import real_accuracy
from train.report import write_report
from train.rows import Background, FitRows, render_fit_rows
from train.space import SEARCH_SPACE
from train.storage import default_storage, make_storage, storage_error, storage_failure
from train.tune import (
    BY_TREES_ATTR,
    NODES_ATTR,
    TuneConfig,
    choose,
    cv_noise,
    finished_trials,
    open_study,
    rescored_by_trees,
    run_trials,
    worker_id,
)

DEFAULT_STUDY = "digits-rf"
DEFAULT_COPIES = 1
# The final fit learns from more copies than tuning scores: measured on real handwriting,
# 1 -> 3 -> 6 -> 10 copies gave 0.70 -> 0.73 -> 0.80 -> 0.81 (docs/real-handwriting.md), while
# each copy adds a full pass to every one of the 50 x 5 tuning fits.
DEFAULT_FIT_COPIES = 6
# With many copies the raw Digits rows (what the held-out split holds) lose their say: weighted
# at half the copies, held-out Digits went 0.967 -> 0.975 with real handwriting unchanged.
ORIGINALS_SHARE = 0.5


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


def summarise_tuning(study: optuna.Study, args: argparse.Namespace, split: Split) -> dict:
    """The `best_*` keys describe what the model is fitted from: the best trial's parameters with
    the number of trees train/tune.py's `choose` keeps, and that many trees' CV scores."""
    by_trees = None
    if BY_TREES_ATTR not in study.best_trial.user_attrs:  # a study tuned before trials stored them
        rows = augment(split.X_train, split.y_train, args.augment_copies, args.seed)
        by_trees = rescored_by_trees(study.best_trial, rows, args.folds, args.seed, args.n_jobs)
    choice = choose(study, by_trees)
    best = choice.trial
    return {
        "study_name": study.study_name,
        "n_trials": len(finished_trials(study)),
        "best_trial": best.number,
        "best_params": choice.params,
        "best_cv_mean": choice.cv_mean,
        "best_cv_std": float(np.std(choice.cv_scores)),
        "best_cv_scores": choice.cv_scores,
        "top_cv": {"trees": best.params["n_estimators"], "cv_mean": best.value,
                   "cv_std": best.user_attrs.get("cv_std"), "noise": cv_noise(best),
                   "tree_nodes": best.user_attrs.get(NODES_ATTR),
                   "by_trees": {k: float(np.mean(v)) for k, v in choice.by_trees.items()}},
        "folds": len(best.user_attrs.get("cv_scores", [])) or args.folds,
        "seed": args.seed,
        "test_size": TEST_SIZE,
        "train_rows": len(split.y_train),
        "augment_copies": args.augment_copies,
        "fit_copies": args.fit_copies,
        "glyphs": None if args.digits_only else {
            "fonts": len(glyph_source.FONTS), "packages": len({f.package for f in glyph_source.FONTS}),
            "copies": GLYPHS.copies, "weight": GLYPHS.weight, "original_weight": GLYPHS.original_weight},
        "search_space": {k: list(v) for k, v in SEARCH_SPACE.items()},
    }


def fit_cells(params: dict, split: Split, data: TrainingSet, original_weight: float,
              glyphs: tuple[np.ndarray, np.ndarray] | None, seed: int, n_jobs: int, costs: dict
              ) -> tuple[Cells, Cells | None, dict[str, Any]]:
    """Default and tuned parameters, each on the plain rows and on the augmented ones, one seed;
    with glyph rows, each parameter set once more on the augmented rows plus the glyphs."""
    fitted = cells(augmented=data.originals < len(data.y))
    rows = {"plain": (split.X_train, split.y_train, None),
            "augmented": (data.X, data.y, data.weights(original_weight))}
    with_glyphs = None
    if glyphs is not None:
        rows["glyphs"] = (np.vstack([data.X, glyphs[0]]), np.concatenate([data.y, glyphs[1]]),
                          np.concatenate([data.weights(GLYPHS.original_weight),
                                          np.full(len(glyphs[1]), GLYPHS.weight)]))
        with_glyphs = glyph_cells(fitted)
    wanted = [(kind, rows_name, name) for kind, row in fitted.items() for rows_name, name in row.items()]
    wanted += [(kind, "glyphs", row["glyphs"]) for kind, row in (with_glyphs or {}).items()]
    choices = {"default": {}, "tuned": params}
    models: dict[str, Any] = {}
    for kind, rows_name, name in wanted:
        X, y, weights = rows[rows_name]
        with measured(costs, f"fit {name}"):
            models[name] = fit_best(choices[kind], X, y, seed, n_jobs, sample_weight=weights)
    return fitted, with_glyphs, models


def fit_evaluate_report(study: optuna.Study, args: argparse.Namespace, rows: FitRows | None = None) -> None:
    """rows: the final fit's rows if already rendered (beside tuning), else rendered here."""
    if not finished_trials(study):
        raise SystemExit(f"error: study {study.study_name!r} has no finished trial to fit from")
    split = load_split(args.seed)
    if rows is None:
        rows = render_fit_rows(split.X_train, split.y_train, args.fit_copies, args.seed, not args.digits_only)
    costs = dict(rows.costs)
    data, glyphs = rows.data, rows.glyphs
    tuning = summarise_tuning(study, args, split)
    tuning["original_weight"] = max(1.0, ORIGINALS_SHARE * args.fit_copies)
    if glyphs is not None:
        tuning["glyphs"]["rows"] = len(glyphs[1])
    fitted, with_glyphs, models = fit_cells(tuning["best_params"], split, data, tuning["original_weight"],
                                            glyphs, args.seed, args.n_jobs, costs)
    tuning["fit_seconds"] = costs["fit tuned"]["wall_s"]
    with measured(costs, "score held-out"):
        metrics, held_out = evaluate_all(models, split)
    with measured(costs, "score drawings"):
        metrics["drawings"], drawings = drawing_accuracy(models)
    # The real digits are read only here, after every model is fitted: they score, never train.
    with measured(costs, "score real"):
        metrics["real"], real = real_accuracy(models)
    with measured(costs, "compare"):
        metrics["cells"] = fitted
        yardsticks = {"held_out": held_out, "real": real, "drawings": drawings}
        metrics["comparisons"] = {name: compare_effects(answers, fitted, args.seed)
                                  for name, answers in yardsticks.items()}
        if with_glyphs is not None:
            metrics["glyph_cells"] = with_glyphs
            for name, answers in yardsticks.items():
                metrics["comparisons"][name] += glyph_effects(answers, with_glyphs, fitted["default"]["plain"],
                                                              args.seed)
    tuning["costs"] = costs
    # Models first, then the facts about them: a reader never finds facts for models not yet written.
    save_models(args.artifacts, models["tuned"], models["baseline"])
    write_json(args.artifacts / TUNING_FILE, tuning)
    write_json(args.artifacts / METRICS_FILE, metrics)
    report = write_report(args.artifacts, study, tuning, metrics)
    print(f"best trial {tuning['best_trial']}: CV {tuning['best_cv_mean']:.4f} "
          f"± {tuning['best_cv_std']:.4f}, params {tuning['best_params']}")
    print(format_metrics(metrics))
    print(format_costs(costs))
    print(f"report: {report}")


def run(args: argparse.Namespace) -> None:
    url = args.storage or default_storage(args.artifacts)
    args.artifacts.mkdir(parents=True, exist_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if args.command in ("all", "fit") and not args.digits_only:
        check_fonts()  # before minutes of tuning, not after
    # `all` is one process, so its sampler is seeded; `tune` workers may start together.
    study = open_storage(url, args.study_name, args.seed if args.command == "all" else None)
    adopt_or_pin_settings(study, args)
    background = None
    if args.command in ("all", "tune"):
        split = load_split(args.seed)
        if args.command == "all":
            background = Background(split.X_train, split.y_train, args.fit_copies, args.seed, not args.digits_only)
        try:
            tune(study, split, args, url)
        except BaseException:
            if background is not None:
                background.stop()
            raise
    if args.command in ("all", "fit"):
        fit_evaluate_report(study, args, background.result() if background else None)


def tune(study: optuna.Study, split: Split, args: argparse.Namespace, url: str) -> None:
    data = augment(split.X_train, split.y_train, args.augment_copies, args.seed)
    config = TuneConfig(trials=args.trials, folds=args.folds, seed=args.seed,
                        n_jobs=args.n_jobs, timeout=args.timeout,
                        progress=not args.no_progress)
    started = time.perf_counter()
    try:
        ran = run_trials(study, data, config)
    except Exception as exc:
        cause = storage_failure(exc)
        if cause is None:
            raise
        raise storage_error(url, cause, action="use") from exc
    print(f"tuning: worker {worker_id()} ran {ran} trials in "
          f"{time.perf_counter() - started:.1f}s; "
          f"study {args.study_name!r} holds {len(finished_trials(study))} finished trials")


# What defines a study's scores: trials are only comparable when these match.
STUDY_SETTINGS = ("augment_copies", "folds", "seed")


def adopt_or_pin_settings(study: optuna.Study, args: argparse.Namespace) -> None:
    """`fit` adopts the study's settings; `tune`/`all` must match them (or pin them, if new)."""
    stored = study.user_attrs
    if args.command == "fit":
        for name in STUDY_SETTINGS:
            if name in stored:
                setattr(args, name, stored[name])
        return
    clashes = [f"--{name.replace('_', '-')} {getattr(args, name)} (study has {stored[name]})"
               for name in STUDY_SETTINGS if name in stored and stored[name] != getattr(args, name)]
    if clashes:
        raise UsageError(f"study {study.study_name!r} was tuned with other settings: "
                         f"{'; '.join(clashes)}; use the same ones or a new --study-name")
    for name in STUDY_SETTINGS:
        if name not in stored:
            study.set_user_attr(name, getattr(args, name))


def open_storage(url: str, study_name: str, seed: int | None) -> optuna.Study:
    try:
        return open_study(make_storage(url), study_name, seed)
    except (SQLAlchemyError, StorageInternalError, ImportError, ValueError, OSError) as exc:
        raise storage_error(url, exc) from exc


INTERRUPTED = 130  # the shell's code for a process ended by SIGINT


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.no_augment:
        args.augment_copies = args.fit_copies = 0
    try:
        run(args)
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
