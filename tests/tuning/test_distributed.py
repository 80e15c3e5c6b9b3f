"""Several `python -m train tune` workers on one study: one budget, then `fit` from the best.

The workers are real processes started at the same moment against a real PostgreSQL server
(tests/tuning/conftest.py) or a journal file, as users run them on several machines.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import joblib
import optuna
import pytest
from optuna.storages.journal import JournalFileBackend, JournalStorage
from optuna.trial import TrialState

from tests.support import REPO, run_module
from train.space import SEARCH_SPACE
from train.tune import OVER_BUDGET_ATTR, WORKER_ATTR, choose

pytestmark = pytest.mark.live  # a PostgreSQL server

STUDY = "shared"
SMALL = ["--folds", "2", "--no-augment", "--no-progress"]


def start_workers(count: int, storage: str, trials: int, artifacts: Path) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(
            [sys.executable, "-m", "train", "tune", "--storage", storage, "--study-name", STUDY,
             "--trials", str(trials), "--artifacts", str(artifacts), *SMALL],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        for _ in range(count)
    ]


def ran_by_each(workers: list[subprocess.Popen]) -> dict[str, int]:
    """`hostname:pid` of each worker -> the number of trials it says it ran."""
    ran = {}
    for worker in workers:
        stdout, stderr = worker.communicate(timeout=600)
        assert worker.returncode == 0, stderr
        said = re.search(r"worker (\S+) ran (\d+) trials", stdout)
        assert said, stdout
        assert said[1] == f"{socket.gethostname()}:{worker.pid}"
        ran[said[1]] = int(said[2])
    return ran


@pytest.fixture(params=[
    pytest.param(("postgres", 3, 12), id="postgresql-3-workers", marks=pytest.mark.postgres),
    pytest.param(("journal", 2, 8), id="journal-2-workers"),
])
def shared_study(request: pytest.FixtureRequest, tmp_path: Path):
    """(storage text for the CLI, the same storage for optuna.load_study, workers, budget)."""
    kind, workers, budget = request.param
    if kind == "postgres":
        url = request.getfixturevalue("postgres_url")
        return url, url, workers, budget
    log = tmp_path / "study.log"
    return f"journal:///{log}", JournalStorage(JournalFileBackend(str(log))), workers, budget


@pytest.mark.slow
def test_workers_share_one_budget_and_fit_uses_the_chosen_trial(shared_study, tmp_path: Path) -> None:
    cli_storage, storage, count, budget = shared_study
    ran = ran_by_each(start_workers(count, cli_storage, budget, tmp_path))

    study = optuna.load_study(study_name=STUDY, storage=storage)
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    assert len(complete) == budget
    numbers = [t.number for t in study.trials]
    assert sorted(numbers) == list(range(len(numbers)))  # unique, no gaps
    # The only other trials allowed: a worker that lost the race for the last place, which
    # prunes its empty trial at once (train/tune.py, `budgeted`).
    for trial in study.trials:
        if trial.state != TrialState.COMPLETE:
            assert trial.state == TrialState.PRUNED and not trial.params, trial
            assert OVER_BUDGET_ATTR in trial.user_attrs
    by_worker = Counter(t.user_attrs[WORKER_ATTR] for t in complete)
    assert by_worker == ran and len(ran) == count and min(ran.values()) >= 1

    # Workers that join a study which already holds its budget run nothing and add no trial.
    late = ran_by_each(start_workers(count, cli_storage, budget, tmp_path))
    assert set(late.values()) == {0}
    assert len(optuna.load_study(study_name=STUDY, storage=storage).trials) == len(numbers)

    fit = run_module("train", "fit", "--storage", cli_storage, "--study-name", STUDY,
                     "--artifacts", str(tmp_path / "artifacts"), *SMALL)
    assert fit.returncode == 0, fit.stderr
    tuning = json.loads((tmp_path / "artifacts" / "tuning.json").read_text())
    chosen = choose(study)
    assert (tuning["best_trial"], tuning["best_params"], tuning["best_cv_mean"]) == (
        study.best_trial.number, chosen.params, chosen.cv_mean)
    assert tuning["n_trials"] == budget
    model = joblib.load(tmp_path / "artifacts" / "best_model.pkl")
    assert {k: model.get_params()[k] for k in SEARCH_SPACE} == chosen.params


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda url: re.sub(r":[^:@/]+@", ":wrong@", url), "password authentication failed"),
        (lambda url: url.rsplit("/", 1)[0] + "/nosuchdb", 'database "nosuchdb" does not exist'),
    ],
    ids=["wrong-password", "missing-database"],
)
def test_wrong_postgresql_url_fails_with_one_line(postgres_url: str, change, message: str,
                                                 tmp_path: Path) -> None:
    url = change(postgres_url)
    result = run_module("train", "tune", "--storage", url, "--artifacts", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert "cannot open storage postgresql+psycopg://tuner:***@127.0.0.1" in result.stderr
    password = re.search(r":([^:@/]+)@", url)[1]
    assert password not in result.stderr
