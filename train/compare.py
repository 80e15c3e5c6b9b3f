"""Like-for-like comparisons of two models on the same scored rows, with how sure each one is.

Both models answer the same rows, so every comparison is paired: the bootstrap resamples rows
(or groups of rows) and takes both models' answers on them together, and McNemar's exact test
looks only at the rows where exactly one of the two was right.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final, Literal

import numpy as np
from scipy.stats import binomtest, bootstrap

Verdict = Literal["better", "worse", "no measurable difference"]

CONFIDENCE: Final = 0.95
RESAMPLES: Final = 10_000
ALPHA: Final = 0.05  # McNemar's level, matching the 95 % interval

PARAMETERS: Final = ("default", "tuned")
ROWS: Final = ("plain", "augmented")

# The four cells of the 2x2: parameters -> training rows -> the model's name in metrics.json.
Cells = dict[str, dict[str, str]]
CELLS: Final[Cells] = {
    "default": {"plain": "baseline", "augmented": "baseline_with_augmentation"},
    "tuned": {"plain": "tuned_without_augmentation", "augmented": "tuned"},
}


def cells(augmented: bool) -> Cells:
    """The cells a run fits. Without augmentation there is one column, and its tuned model is the
    one shipped as `tuned`."""
    if augmented:
        return {params: dict(row) for params, row in CELLS.items()}
    return {"default": {"plain": "baseline"}, "tuned": {"plain": "tuned"}}


@dataclass(frozen=True)
class Effect:
    """`model` against `reference`: one factor changed, `held` (parameters or rows) the same."""

    factor: Literal["tuning", "augmentation", "both"]
    held: str
    model: str
    reference: str


def effects(fitted: Cells) -> list[Effect]:
    """Each factor alone at every level of the other, then both together (the shipped model
    against the default on plain rows)."""
    rows = [r for r in ROWS if all(r in fitted[p] for p in PARAMETERS)]
    found = [Effect("tuning", r, fitted["tuned"][r], fitted["default"][r]) for r in reversed(rows)]
    if len(rows) == 2:
        found += [Effect("augmentation", p, fitted[p]["augmented"], fitted[p]["plain"])
                  for p in reversed(PARAMETERS)]
        found.append(Effect("both", "-", fitted["tuned"]["augmented"], fitted["default"]["plain"]))
    return found


@dataclass(frozen=True)
class Comparison:
    difference: float  # accuracy of the model minus the reference's
    low: float  # paired bootstrap interval of `difference`
    high: float
    model_only: int  # rows the model got right and the reference wrong
    reference_only: int
    p_value: float  # McNemar's exact test on those discordant rows
    verdict: Verdict
    units: int  # what the bootstrap resampled: rows, or groups of rows


def verdict(low: float, high: float, p_value: float) -> Verdict:
    """A difference counts when its interval excludes 0 and McNemar's exact test agrees.

    With a handful of discordant rows the percentile bootstrap is too narrow: 4 rows to 0 of 360
    gives an interval above 0 although the exact test cannot tell the two apart (p = 0.125).
    """
    if p_value >= ALPHA:
        return "no measurable difference"
    if low > 0:
        return "better"
    if high < 0:
        return "worse"
    return "no measurable difference"


def unit_differences(model_right: np.ndarray, reference_right: np.ndarray,
                     groups: np.ndarray | None = None) -> np.ndarray:
    """Per-row right-minus-right (-1, 0, 1), or its mean per group when rows come in groups.

    Rows of one group (one real digit uploaded in 8 styles) are not independent answers;
    resampling whole groups keeps the interval from counting one digit eight times.
    """
    differences = model_right.astype(float) - reference_right.astype(float)
    if groups is None:
        return differences
    _, index = np.unique(groups, return_inverse=True)
    return np.bincount(index, weights=differences) / np.bincount(index)


def paired_interval(differences: np.ndarray, seed: int, resamples: int = RESAMPLES,
                    confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean paired difference (defined even when every
    difference is equal, where BCa is not)."""
    result = bootstrap((differences,), np.mean, n_resamples=resamples, confidence_level=confidence,
                       method="percentile", rng=np.random.default_rng(seed), batch=1000)
    interval = result.confidence_interval
    return float(interval.low), float(interval.high)


def mcnemar_exact(model_right: np.ndarray, reference_right: np.ndarray) -> tuple[int, int, float]:
    """Discordant counts and McNemar's exact two-sided p (a binomial test on the discordant rows)."""
    model_only = int(np.sum(model_right & ~reference_right))
    reference_only = int(np.sum(reference_right & ~model_right))
    discordant = model_only + reference_only
    p_value = binomtest(model_only, discordant, 0.5).pvalue if discordant else 1.0
    return model_only, reference_only, float(p_value)


def compare(model_right: np.ndarray, reference_right: np.ndarray, groups: np.ndarray | None = None,
            seed: int = 0) -> Comparison:
    model_right, reference_right = np.asarray(model_right, bool), np.asarray(reference_right, bool)
    if model_right.shape != reference_right.shape:
        raise ValueError(f"unpaired answers: {model_right.shape} vs {reference_right.shape} rows")
    differences = unit_differences(model_right, reference_right, groups)
    low, high = paired_interval(differences, seed)
    model_only, reference_only, p_value = mcnemar_exact(model_right, reference_right)
    return Comparison(
        difference=float(model_right.mean() - reference_right.mean()), low=low, high=high,
        model_only=model_only, reference_only=reference_only, p_value=p_value,
        verdict=verdict(low, high, p_value), units=len(differences),
    )


@dataclass(frozen=True)
class Answers:
    """Which rows of one yardstick each model got right (rows sharing a group resample together)."""

    right: Mapping[str, np.ndarray]
    groups: np.ndarray | None = None


def compare_effects(answers: Answers, fitted: Cells, seed: int = 0) -> list[dict[str, Any]]:
    """Every effect the fitted cells allow, on one yardstick's rows."""
    right = answers.right
    return [
        {**asdict(effect), **asdict(compare(right[effect.model], right[effect.reference], answers.groups, seed))}
        for effect in effects(fitted)
    ]
