"""How the study got to its best: the best CV score after 10, 25 and 50 trials, and the top's spread."""

from __future__ import annotations

import pytest

from train.progress import Checkpoint, best_so_far, first_within, repeated, top_spread

# Trial order: improves at trials 3, 12 and 40, then never again.
SCORES = [0.90, 0.91, 0.95] + [0.94] * 8 + [0.97] + [0.96] * 27 + [0.975] + [0.95] * 20


@pytest.mark.parametrize("scores, expected", [
    (SCORES, [Checkpoint(10, 0.95, pytest.approx(0.025)), Checkpoint(25, 0.97, pytest.approx(0.005)),
              Checkpoint(50, 0.975, 0.0), Checkpoint(60, 0.975, 0.0)]),
    (SCORES[:50], [Checkpoint(10, 0.95, pytest.approx(0.025)), Checkpoint(25, 0.97, pytest.approx(0.005)),
                   Checkpoint(50, 0.975, 0.0)]),
    (SCORES[:4], [Checkpoint(4, 0.95, 0.0)]),  # a quick study: only its last trial
    ([], []),
])
def test_best_so_far_at_each_checkpoint(scores, expected):
    assert best_so_far(scores) == expected


@pytest.mark.parametrize("margin, trials", [
    (0.0, 40),
    (0.006, 12),
    (0.03, 3),
    (0.1, 1),
])
def test_first_within_a_margin_of_the_final_best(margin, trials):
    assert first_within(SCORES, margin) == trials


def test_no_trials_never_get_within():
    assert first_within([], 0.01) is None


@pytest.mark.parametrize("top, best, worst, sd", [
    (1, 0.975, 0.975, 0.0),
    (2, 0.975, 0.97, pytest.approx(0.0025)),
    (5, 0.975, 0.96, pytest.approx(0.0063246, abs=1e-7)),  # 0.975, 0.97, 0.96, 0.96, 0.96: sqrt(4e-5)
    (100, 0.975, 0.90, pytest.approx(0.0117435, abs=1e-7)),  # more than the study holds: all of it
])
def test_top_spread(top, best, worst, sd):
    spread = top_spread(SCORES, top)
    assert (spread.trials, spread.best, spread.worst, spread.sd) == (min(top, len(SCORES)), best, worst, sd)


@pytest.mark.parametrize("params, repeats", [
    ([{"a": 1, "b": 2}, {"a": 1, "b": 3}], 0),
    ([{"a": 1, "b": 2}, {"b": 2, "a": 1}, {"a": 1, "b": 2}], 2),  # key order does not matter
    ([{"a": 1}, {"a": 2}, {"a": 1}, {"a": 2}, {"a": 3}], 2),
    ([], 0),
])
def test_repeated_parameter_sets(params, repeats):
    assert repeated(params) == repeats
