"""Create or resume the Optuna study and run cross-validated trials against it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import optuna
from optuna.samplers import TPESampler
from optuna.study import MaxTrialsCallback
from optuna.trial import TrialState
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import cross_val_score

from train.augment import TrainingSet
from train.space import suggest_params


@dataclass(frozen=True)
class TuneConfig:
    storage: str
    study_name: str
    trials: int  # total finished trials the study should reach, across runs and workers
    folds: int
    seed: int
    n_jobs: int = 1
    timeout: float | None = None
    progress: bool = True


def open_study(storage: str, study_name: str, seed: int) -> optuna.Study:
    """Create the study, or load it if it exists, so a second run continues the first.

    The sampler's seed is offset by the number of trials already stored: a resumed run then
    draws new candidates instead of replaying the first run's random start-up trials.
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
        sampler=TPESampler(seed=seed + existing),
        load_if_exists=True,
    )


def make_objective(data: TrainingSet, folds: int, seed: int, n_jobs: int):
    cv = data.folds(folds, seed)

    def objective(trial: optuna.Trial) -> float:
        model = RandomForestClassifier(**suggest_params(trial), random_state=seed, n_jobs=n_jobs)
        scores = cross_val_score(model, data.X, data.y, cv=cv, scoring="accuracy")
        trial.set_user_attr("cv_scores", [float(s) for s in scores])
        trial.set_user_attr("cv_std", float(np.std(scores)))
        return float(np.mean(scores))

    return objective


def finished_trials(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def run_trials(study: optuna.Study, data: TrainingSet, config: TuneConfig) -> int:
    """Run trials until the study holds `config.trials` finished ones; return how many ran here."""
    remaining = config.trials - len(finished_trials(study))
    if remaining <= 0:
        return 0
    before = len(study.trials)
    study.optimize(
        make_objective(data, config.folds, config.seed, config.n_jobs),
        n_trials=remaining,
        timeout=config.timeout,
        # Other workers may share the study: stop once the whole study reaches the budget.
        callbacks=[MaxTrialsCallback(config.trials, states=(TrialState.COMPLETE,))],
        show_progress_bar=config.progress,
    )
    return len(study.trials) - before
