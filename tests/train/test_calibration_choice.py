"""`python -m train.calibration_choice`: the "not sure" threshold rule, and a clear error without a model."""

from __future__ import annotations

import numpy as np
import pytest

from train.calibration_choice import choose_threshold, main


@pytest.mark.parametrize(("wrong_at", "right_at", "expected"), [
    (0.52, 0.90, 0.55),  # every threshold 0.55..0.90 catches all wrong and flags no right: the lowest
    (0.72, 0.97, 0.75),  # below 0.75 nothing is caught
    (0.52, 0.62, 0.55),  # from 0.65 on right answers are flagged too
])
def test_the_lowest_threshold_within_two_points_of_the_best_trade(wrong_at, right_at, expected):
    confidence = np.array([wrong_at] * 10 + [right_at] * 90)
    right = np.array([False] * 10 + [True] * 90)
    threshold, stats = choose_threshold(confidence, right)
    assert threshold == expected
    assert [s["threshold"] for s in stats][0] == 0.5


def test_a_missing_model_is_one_line(tmp_path, capsys):
    assert main(["--artifacts", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "best_model.pkl" in err and "make train" in err
