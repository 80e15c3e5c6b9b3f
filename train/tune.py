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
from typing import Any

import numpy as np
import optuna
from optuna.exceptions import ExperimentalWarning
from optuna.samplers import TPESampler
from optuna.storages import BaseStorage, fail_stale_trials
from optuna.study import MaxTrialsCallback
from optuna.trial import FrozenTrial, TrialState
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_validate

from train.augment import TrainingSet
from train.space import SEARCH_SPACE, suggest_params

# Trials that hold a place in the budget: done, or being done by some worker right now.
CLAIMED = (TrialState.COMPLETE, TrialState.RUNNING)
WORKER_ATTR = "worker"
OVER_BUDGET_ATTR = "over_budget"
NODES_ATTR = "tree_nodes"
BY_TREES_ATTR = "cv_scores_by_trees"

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
        result = cross_validate(model, data.X, data.y, cv=cv, scoring="accuracy", return_estimator=True)
        scores = result["test_score"]
        trial.set_user_attr("cv_scores", [float(s) for s in scores])
        trial.set_user_attr("cv_std", float(np.std(scores)))
        trial.set_user_attr(NODES_ATTR, round(float(np.mean([tree_nodes(m) for m in result["estimator"]]))))
        trial.set_user_attr(BY_TREES_ATTR, scores_by_trees(result["estimator"], data, cv))
        return float(np.mean(scores))

    return objective


def tree_nodes(forest: RandomForestClassifier) -> int:
    """What a forest costs to ship and to run: its nodes make the ONNX file, the server's memory
    and the work per request."""
    return sum(tree.tree_.node_count for tree in forest.estimators_)


def scores_by_trees(forests: list[RandomForestClassifier], data: TrainingSet,
                    cv: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, list[float]]:
    """Each fold's accuracy with only the first k trees of its forest, for every smaller tree count
    the search space offers (k = its low, low + step, ... below the forest's own)."""
    low, _, step = SEARCH_SPACE["n_estimators"]
    result: dict[str, list[float]] = {}
    for forest, (_, scored) in zip(forests, cv):
        X, y = data.X[scored], data.y[scored]
        votes = np.cumsum([tree.predict_proba(X) for tree in forest.estimators_], axis=0)
        for trees in range(low, len(forest.estimators_), step):
            right = forest.classes_[votes[trees - 1].argmax(axis=1)] == y
            result.setdefault(str(trees), []).append(float(right.mean()))
    return result


def rescored_by_trees(trial: FrozenTrial, data: TrainingSet, folds: int, seed: int, n_jobs: int = 1
                      ) -> dict[str, list[float]]:
    """`scores_by_trees` for a trial scored before trials stored them: its CV forests fitted
    again (the same rows, folds and seed give the same forests)."""
    cv = data.folds(folds, seed)
    forests = [RandomForestClassifier(**trial.params, random_state=seed, n_jobs=n_jobs).fit(data.X[fit], data.y[fit])
               for fit, _ in cv]
    return scores_by_trees(forests, data, cv)


def finished_trials(study: optuna.Study) -> list[FrozenTrial]:
    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def cv_noise(trial: FrozenTrial) -> float:
    """One standard error of a trial's CV mean: its folds' sd / sqrt(folds)."""
    scores = trial.user_attrs.get("cv_scores", [])
    return float(np.std(scores) / np.sqrt(len(scores))) if len(scores) > 1 else 0.0


@dataclass(frozen=True)
class Choice:
    """What the final model is fitted from: the best trial's parameters with `params`'
    n_estimators, whose CV scores are `cv_scores` (the first that many trees of its CV forests)."""

    trial: FrozenTrial
    params: dict[str, Any]
    cv_scores: list[float]
    by_trees: dict[str, list[float]]  # each smaller tree count's fold scores, what was weighed

    @property
    def cv_mean(self) -> float:
        return float(np.mean(self.cv_scores))


def choose(study: optuna.Study, by_trees: dict[str, list[float]] | None = None) -> Choice:
    """The best trial (highest CV mean) with the fewest trees whose CV mean is within one standard
    error of its own (the one-standard-error rule): CV cannot tell those forests apart, while
    every tree adds to the ONNX file, the server's memory and the work per request.

    The fewer-tree forests are the first trees of the trial's own CV forests (a RandomForest's
    first k trees are the k-tree forest with the same seed), so they cost no extra fit. Only the
    number of trees is traded: depth and leaf size shrink trees too, but what they cut is what
    the final fit's far larger rows need for real handwriting, and Digits CV cannot see that
    (docs/real-handwriting.md, "Choosing the forest's size"). A trial without the scores (an
    older study, unless `by_trees` gives them: `rescored_by_trees`) is fitted as it is."""
    best = max(finished_trials(study), key=lambda t: t.value)
    by_trees = best.user_attrs.get(BY_TREES_ATTR, {}) if by_trees is None else by_trees
    floor = best.value - cv_noise(best)
    for trees in sorted(by_trees, key=int):
        if np.mean(by_trees[trees]) >= floor:
            return Choice(best, {**best.params, "n_estimators": int(trees)}, by_trees[trees], by_trees)
    return Choice(best, best.params, best.user_attrs.get("cv_scores", [best.value]), by_trees)


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
