"""The training run's stages in order: open the study, tune, then the final fit, evaluation and report."""

from __future__ import annotations

import time

import optuna
from optuna.exceptions import StorageInternalError
from sqlalchemy.exc import SQLAlchemyError

from train.augment import augment
from train.data import Split, load_split
from train.final_fit import fit_evaluate_report
from train.glyphs import check_fonts
from train.rows import Background
from train.settings import Command, RunSettings, StudySettings, adopt_or_pin
from train.storage import default_storage, make_storage, storage_error, storage_failure
from train.tune import TuneConfig, finished_trials, open_study, run_trials, worker_id


def run(command: Command, settings: RunSettings) -> None:
    """`all`: tune, then fit from the best trial; `tune`: only run trials; `fit`: only fit."""
    url = settings.storage or default_storage(settings.artifacts)
    settings.artifacts.mkdir(parents=True, exist_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if command in ("all", "fit") and not settings.digits_only:
        check_fonts()  # before minutes of tuning, not after
    # `all` is one process, so its sampler is seeded; `tune` workers may start together.
    study = open_storage(url, settings.study_name, settings.study.seed if command == "all" else None)
    scoring = adopt_or_pin(study, command, settings.study)
    background = None
    if command in ("all", "tune"):
        split = load_split(scoring.seed)
        if command == "all":
            background = Background(split.X_train, split.y_train, settings.fit_copies, scoring.seed,
                                    not settings.digits_only)
        try:
            tune(study, split, storage_url=url, scoring=scoring, trials=settings.trials,
                 timeout=settings.timeout, n_jobs=settings.n_jobs, progress=settings.progress)
        except BaseException:
            if background is not None:
                background.stop()
            raise
    if command in ("all", "fit"):
        fit_evaluate_report(study, artifacts=settings.artifacts, scoring=scoring, fit_copies=settings.fit_copies,
                            digits_only=settings.digits_only, n_jobs=settings.n_jobs,
                            rows=background.result() if background else None)


def tune(study: optuna.Study, split: Split, *, storage_url: str, scoring: StudySettings, trials: int,
         timeout: float | None, n_jobs: int, progress: bool) -> None:
    """Run trials until the study holds `trials` finished ones (or `timeout` passes)."""
    data = augment(split.X_train, split.y_train, scoring.augment_copies, scoring.seed)
    config = TuneConfig(trials=trials, folds=scoring.folds, seed=scoring.seed, n_jobs=n_jobs,
                        timeout=timeout, progress=progress)
    started = time.perf_counter()
    try:
        ran = run_trials(study, data, config)
    except Exception as exc:
        cause = storage_failure(exc)
        if cause is None:
            raise
        raise storage_error(storage_url, cause, action="use") from exc
    print(f"tuning: worker {worker_id()} ran {ran} trials in "
          f"{time.perf_counter() - started:.1f}s; "
          f"study {study.study_name!r} holds {len(finished_trials(study))} finished trials")


def open_storage(url: str, study_name: str, seed: int | None) -> optuna.Study:
    try:
        return open_study(make_storage(url), study_name, seed)
    except (SQLAlchemyError, StorageInternalError, ImportError, ValueError, OSError) as exc:
        raise storage_error(url, exc) from exc
