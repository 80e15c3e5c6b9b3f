"""Speed-ups of the featurizer graph must not change a single feature value (the golden features),
and its oracle digits/preprocess.py gives the same.

The expected features were recorded from the preprocessing before it was tuned for speed
(tests/recognizer/preprocess_cases.py says how to regenerate them, and when not to).
"""

from __future__ import annotations

import json

import pytest

from tests.recognizer.preprocess_cases import GOLDEN, cases, features, oracle_features

EXPECTED = json.loads(GOLDEN.read_text(encoding="utf-8"))
CASES = dict(cases())


def test_every_recorded_case_is_still_generated():
    assert set(CASES) == set(EXPECTED)


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_features_are_unchanged(case_id):
    assert features(CASES[case_id]) == EXPECTED[case_id]


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_the_oracle_gives_the_same(case_id):
    assert oracle_features(CASES[case_id]) == EXPECTED[case_id]
