"""What the final model is fitted from: the best trial's parameters with the fewest trees whose CV
mean is within one standard error of the whole forest's (train/tune.py, `choose`)."""

from __future__ import annotations

import optuna
import pytest
from optuna.distributions import IntDistribution
from optuna.trial import create_trial
from sklearn.ensemble import RandomForestClassifier

from train.augment import augment
from train.data import load_split
from train.tune import BY_TREES_ATTR, choose, cv_noise, make_objective, rescored_by_trees, scores_by_trees

# The best trial's folds: mean 0.97, sd 0.01, so one standard error is 0.01 / sqrt(4) = 0.005.
FOLDS = [0.96, 0.98, 0.96, 0.98]
SPACE = {"n_estimators": IntDistribution(50, 300, step=50), "max_depth": IntDistribution(5, 30, step=5)}


def trial(value: float, trees: int, by_trees: dict[str, float] | None) -> optuna.trial.FrozenTrial:
    attrs = {"cv_scores": FOLDS if value == 0.97 else [value] * 4}
    if by_trees is not None:
        attrs[BY_TREES_ATTR] = {k: [v] * 4 for k, v in by_trees.items()}
    return create_trial(value=value, params={"n_estimators": trees, "max_depth": 20}, distributions=SPACE,
                        user_attrs=attrs)


@pytest.mark.parametrize(("by_trees", "trees", "cv_mean"), [
    ({"50": 0.950, "100": 0.966, "150": 0.968}, 100, 0.966),  # the fewest within 0.005
    ({"50": 0.964, "100": 0.9651, "150": 0.969}, 100, 0.9651),  # 50 is 0.006 short
    ({"50": 0.966, "100": 0.950, "150": 0.968}, 50, 0.966),   # the fewest, not the first run of them
    ({"50": 0.950, "100": 0.960, "150": 0.964}, 200, 0.97),   # none within: the whole forest
    ({}, 200, 0.97),                                          # the smallest tree count: itself
    (None, 200, 0.97),                                        # an older study's trial: as it is
])
def test_the_best_trial_with_the_fewest_trees_within_one_standard_error(by_trees, trees, cv_mean):
    study = optuna.create_study(direction="maximize")
    study.add_trial(trial(0.965, 100, {"50": 0.965}))  # a smaller forest of another, worse trial
    study.add_trial(trial(0.97, 200, by_trees))
    choice = choose(study)
    assert choice.trial.number == 1
    assert choice.params == {"n_estimators": trees, "max_depth": 20}
    assert choice.cv_mean == pytest.approx(cv_mean)


def test_one_standard_error_is_the_folds_sd_over_their_root():
    assert cv_noise(trial(0.97, 200, None)) == pytest.approx(0.005)


def test_the_first_trees_of_a_cv_forest_score_as_the_smaller_forest_fitted_alone():
    split = load_split(0)
    data = augment(split.X_train[:400], split.y_train[:400], copies=0, seed=0)
    cv = data.folds(2, seed=0)
    forests = [RandomForestClassifier(150, random_state=0).fit(data.X[fit], data.y[fit]) for fit, _ in cv]
    scores = scores_by_trees(forests, data, cv)
    assert list(scores) == ["50", "100"]
    for trees, folds in scores.items():
        alone = [RandomForestClassifier(int(trees), random_state=0).fit(data.X[fit], data.y[fit])
                 .score(data.X[scored], data.y[scored]) for fit, scored in cv]
        assert folds == alone


def test_a_trial_scored_before_the_tree_counts_were_stored_gets_the_same_scores_again():
    split = load_split(0)
    data = augment(split.X_train[:300], split.y_train[:300], copies=1, seed=0)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=0))
    study.enqueue_trial({"n_estimators": 150, "max_depth": 10, "min_samples_split": 2, "min_samples_leaf": 1})
    study.optimize(make_objective(data, folds=2, seed=0, n_jobs=1), n_trials=1)
    stored = study.best_trial.user_attrs[BY_TREES_ATTR]
    assert list(stored) == ["50", "100"]
    assert rescored_by_trees(study.best_trial, data, folds=2, seed=0) == stored
    assert choose(study, stored) == choose(study)
