"""Create or resume the Optuna study and run cross-validated trials against it.

Many processes may run trials on one study at once (`python -m train tune` on N machines).
They share one budget, `trials`: the study ends up holding exactly that many COMPLETE trials.
"""

from __future__ import annotations

import os
import socket
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import optuna
from optuna.exceptions import ExperimentalWarning
from optuna.samplers import TPESampler
from optuna.storages import BaseStorage, fail_stale_trials
from optuna.study import MaxTrialsCallback
from optuna.trial import FrozenTrial, TrialState
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_val_score

from train.augment import TrainingSet
from train.space import suggest_params

# Trials that hold a place in the budget: done, or being done by some worker right now.
CLAIMED = (TrialState.COMPLETE, TrialState.RUNNING)
WORKER_ATTR = "worker"
OVER_BUDGET_ATTR = "over_budget"

Objective = Callable[[optuna.Trial], float]


@dataclass(frozen=True)
class TuneConfig:
    trials: int  # total COMPLETE trials the study should reach, across runs and workers
    folds: int
    seed: int
    n_jobs: int = 1
    timeout: float | None = None
    progress: bool = True


def open_study(storage: str | BaseStorage, study_name: str, seed: int | None) -> optuna.Study:
    """Create the study, or load it if it exists, so a second run continues the first.

    The sampler's seed is offset by the number of trials already stored: a resumed run then
    draws new candidates instead of replaying the first run's random start-up trials.
    `seed=None` leaves the sampler unseeded, for workers that start together on one study:
    they would all see the same stored count and draw the same candidates (Optuna likewise
    reseeds its sampler when one process runs trials in parallel threads).
    """
    existing = 0
    try:
        existing = len(optuna.load_study(study_name=study_name, storage=storage).trials)
    except KeyError:
        pass
    return optuna.create_study(
        study_name=study_name,
        storage=storage,
        direction="maximize",
        sampler=TPESampler(seed=None if seed is None else seed + existing),
        load_if_exists=True,
    )


def worker_id() -> str:
    """Who ran a trial, recorded on it so users can tell workers apart in the dashboard."""
    return f"{socket.gethostname()}:{os.getpid()}"


def make_objective(data: TrainingSet, folds: int, seed: int, n_jobs: int):
    cv = data.folds(folds, seed)

    def objective(trial: optuna.Trial) -> float:
        model = RandomForestClassifier(**suggest_params(trial), random_state=seed, n_jobs=n_jobs)
        scores = cross_val_score(model, data.X, data.y, cv=cv, scoring="accuracy")
        trial.set_user_attr("cv_scores", [float(s) for s in scores])
        trial.set_user_attr("cv_std", float(np.std(scores)))
        return float(np.mean(scores))

    return objective


def finished_trials(study: optuna.Study) -> list[FrozenTrial]:
    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def claimed_trials(study: optuna.Study) -> list[FrozenTrial]:
    return study.get_trials(deepcopy=False, states=CLAIMED)


def within_budget(study: optuna.Study, number: int, budget: int) -> bool:
    """Whether trial `number` is among the first `budget` claimed trials of the study.

    The storage hands out trial numbers atomically in creation order, so every worker that
    asks about the same trials gets the same answer: at most `budget` trials ever run.
    """
    return sum(1 for t in claimed_trials(study) if t.number < number) < budget


def budgeted(objective: Objective, budget: int, worker: str) -> Objective:
    """`objective`, run only if its trial fits in the budget the workers share.

    Optuna creates a trial before user code can look at the study, so two workers that both
    see one free place within the same few milliseconds both create a trial. The later-numbered
    one is not run: it is pruned at once, with no parameters, and marked with why.
    """

    def run_if_within_budget(trial: optuna.Trial) -> float:
        if not within_budget(trial.study, trial.number, budget):
            trial.set_user_attr(OVER_BUDGET_ATTR, f"all {budget} trials were claimed first")
            trial.study.stop()
            raise optuna.TrialPruned(f"over the budget of {budget} trials")
        trial.set_user_attr(WORKER_ATTR, worker)
        return objective(trial)

    return run_if_within_budget


def run_trials(study: optuna.Study, data: TrainingSet, config: TuneConfig) -> int:
    """Run trials until the study holds `config.trials` COMPLETE ones; return how many ran here.

    Budget accounting counts RUNNING trials too (they will complete), so N workers together
    stop at the budget instead of each finishing one trial beyond it.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        fail_stale_trials(study)  # a dead worker's RUNNING trial must not hold a place forever
    remaining = config.trials - len(claimed_trials(study))
    if remaining <= 0:
        return 0
    worker = worker_id()
    objective = make_objective(data, config.folds, config.seed, config.n_jobs)
    study.optimize(
        budgeted(objective, config.trials, worker),
        n_trials=remaining,
        timeout=config.timeout,
        callbacks=[MaxTrialsCallback(config.trials, states=CLAIMED)],
        show_progress_bar=config.progress,
    )
    return sum(1 for t in finished_trials(study) if t.user_attrs.get(WORKER_ATTR) == worker)
