"""One training run's settings, and the ones a study pins: what its trials' scores mean."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Literal

import optuna

from digits.cli import UsageError

Command = Literal["all", "tune", "fit"]


@dataclass(frozen=True)
class StudySettings:
    """What defines a study's scores: trials are only comparable when these match."""

    augment_copies: int  # jittered copies of each training image that tuning scores on
    folds: int
    seed: int


@dataclass(frozen=True)
class RunSettings:
    artifacts: Path
    storage: str | None  # None: the default sqlite file in `artifacts`
    study_name: str
    study: StudySettings
    trials: int  # finished trials the study should hold, across all workers
    timeout: float | None  # seconds after which no new trial starts
    n_jobs: int  # parallel jobs inside each forest fit
    fit_copies: int  # jittered copies of each training image for the final fit
    digits_only: bool  # fit without the font-glyph rows
    progress: bool


def adopt_or_pin(study: optuna.Study, command: Command, settings: StudySettings) -> StudySettings:
    """`fit` adopts the study's settings; `tune`/`all` must match them (or pin them, if new).

    Returns the settings the run goes on with."""
    stored = study.user_attrs
    asked = asdict(settings)
    if command == "fit":
        return replace(settings, **{name: stored[name] for name in asked if name in stored})
    clashes = [f"--{name.replace('_', '-')} {value} (study has {stored[name]})"
               for name, value in asked.items() if name in stored and stored[name] != value]
    if clashes:
        raise UsageError(f"study {study.study_name!r} was tuned with other settings: "
                         f"{'; '.join(clashes)}; use the same ones or a new --study-name")
    for name, value in asked.items():
        if name not in stored:
            study.set_user_attr(name, value)
    return settings
