"""Paired comparisons: the verdict on answers whose difference is known, McNemar's exact p, and
which models each effect compares."""

from __future__ import annotations

import numpy as np
import pytest

from train.compare import CELLS, Effect, cells, compare, effects, mcnemar_exact, verdict

ROWS = 400


def answers(wrong: range | list[int]) -> np.ndarray:
    """400 rows, right except at `wrong`."""
    right = np.ones(ROWS, dtype=bool)
    right[list(wrong)] = False
    return right


@pytest.mark.parametrize("case, model_right, reference_right, expected", [
    ("model right on 40 rows the reference gets wrong", answers([]), answers(range(40)), "better"),
    ("reference right on 40 rows the model gets wrong", answers(range(40)), answers([]), "worse"),
    ("the same answers", answers(range(30)), answers(range(30)), "no measurable difference"),
    ("20 wrong each, on different rows", answers(range(20)), answers(range(20, 40)), "no measurable difference"),
    ("one row apart", answers(range(10)), answers(range(11)), "no measurable difference"),
    ("35 right vs 5 on the 40 disputed rows", answers(range(35, 40)), answers(range(35)), "better"),
    # The bootstrap interval excludes 0 here, but 4 discordant rows cannot: exact p = 2 / 2**4
    ("right on 4 more rows, none fewer", answers([]), answers(range(4)), "no measurable difference"),
])
def test_verdict_on_constructed_answers(case, model_right, reference_right, expected):
    result = compare(model_right, reference_right, seed=0)
    assert result.verdict == expected, case
    assert result.difference == pytest.approx(model_right.mean() - reference_right.mean())
    assert result.low <= result.difference <= result.high


@pytest.mark.parametrize("low, high, p_value, expected", [
    (0.01, 0.03, 0.001, "better"),
    (-0.03, -0.01, 0.001, "worse"),
    (-0.01, 0.02, 0.001, "no measurable difference"),
    (0.0, 0.02, 0.001, "no measurable difference"),  # an interval touching 0 includes it
    (-0.02, 0.0, 0.001, "no measurable difference"),
    (0.0, 0.0, 1.0, "no measurable difference"),
    (0.01, 0.03, 0.125, "no measurable difference"),  # the exact test does not agree
    (-0.03, -0.01, 0.05, "no measurable difference"),
    (0.01, 0.03, 0.0499, "better"),
])
def test_a_difference_counts_when_the_interval_excludes_zero_and_mcnemar_agrees(low, high, p_value, expected):
    assert verdict(low, high, p_value) == expected


@pytest.mark.parametrize("model_right, reference_right, model_only, reference_only, p_value", [
    (answers([]), answers(range(10)), 10, 0, 2 / 2**10),  # 10 of 10 discordant one way: 2 * 0.5**10
    (answers(range(10)), answers([]), 0, 10, 2 / 2**10),
    (answers(range(5)), answers(range(5, 10)), 5, 5, 1.0),
    (answers(range(7)), answers(range(7)), 0, 0, 1.0),  # no discordant row: nothing to test
    (answers([0]), answers([1, 2, 3]), 3, 1, 0.625),  # binomial: P(X <= 1 or X >= 3 | n=4) = 10/16
])
def test_mcnemar_exact_counts_only_the_discordant_rows(model_right, reference_right, model_only,
                                                         reference_only, p_value):
    assert mcnemar_exact(model_right, reference_right) == (model_only, reference_only, pytest.approx(p_value))


def test_a_group_of_identical_rows_counts_as_one():
    """One real digit uploaded in 8 styles is one answer: 50 digits x 8 give the interval of 50 rows."""
    rng = np.random.default_rng(1)
    model, reference = rng.random(50) < 0.8, rng.random(50) < 0.7
    grouped = compare(np.repeat(model, 8), np.repeat(reference, 8), groups=np.repeat(np.arange(50), 8), seed=3)
    alone = compare(model, reference, seed=3)
    assert (grouped.low, grouped.high, grouped.units) == (alone.low, alone.high, 50)
    assert grouped.difference == pytest.approx(alone.difference)
    ungrouped = compare(np.repeat(model, 8), np.repeat(reference, 8), seed=3)
    assert ungrouped.high - ungrouped.low < grouped.high - grouped.low


def test_unpaired_answers_are_refused():
    with pytest.raises(ValueError, match="unpaired"):
        compare(answers([]), answers([])[:-1])


def test_the_same_seed_gives_the_same_interval():
    first, again = (compare(answers(range(12)), answers(range(4, 20)), seed=7) for _ in range(2))
    assert first == again


@pytest.mark.parametrize("augmented, expected", [
    (True, [
        Effect("tuning", "augmented", "tuned", "baseline_with_augmentation"),
        Effect("tuning", "plain", "tuned_without_augmentation", "baseline"),
        Effect("augmentation", "tuned", "tuned", "tuned_without_augmentation"),
        Effect("augmentation", "default", "baseline_with_augmentation", "baseline"),
        Effect("both", "-", "tuned", "baseline"),
    ]),
    # --no-augment: one column, whose tuned model is the shipped `tuned`
    (False, [Effect("tuning", "plain", "tuned", "baseline")]),
])
def test_each_effect_changes_one_factor(augmented, expected):
    assert effects(cells(augmented)) == expected


def test_the_shipped_and_baseline_models_keep_their_names():
    """export/ and train.evaluate read `tuned` and `baseline` from metrics.json."""
    assert (CELLS["tuned"]["augmented"], CELLS["default"]["plain"]) == ("tuned", "baseline")
