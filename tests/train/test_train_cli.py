"""`python -m train` as a user runs it: artifacts, resumption, honest report, clear CLI errors."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import joblib
import optuna
import pytest

from tests.support import QUICK_TRAIN_ARGS, REPO, assert_usage_error, run_module
from train.space import SEARCH_SPACE
from train.tune import choose

pytestmark = pytest.mark.live  # the real python -m train


def test_artifacts_exist_with_expected_keys(trained_artifacts: Path) -> None:
    for name in ("best_model.pkl", "baseline_model.pkl", "study.db", "tuning.json",
                 "metrics.json", "report/report.md", "report/optimization_history.png",
                 "report/param_importances.png", "report/slice.png", "report/confusion_matrix.png"):
        assert (trained_artifacts / name).is_file(), name
    metrics = json.loads((trained_artifacts / "metrics.json").read_text())
    for model in ("tuned", "baseline"):
        assert set(metrics[model]) == {"accuracy", "macro_f1", "classification_report",
                                       "confusion_matrix"}
        assert 0.8 < metrics[model]["accuracy"] <= 1.0
        matrix = metrics[model]["confusion_matrix"]
        assert len(matrix) == 10 and sum(map(sum, matrix)) == metrics["held_out_rows"] == 360
    tuning = json.loads((trained_artifacts / "tuning.json").read_text())
    assert tuning["n_trials"] == 4 and len(tuning["best_cv_scores"]) == 3


def test_saved_model_uses_the_chosen_trial_parameters(trained_artifacts: Path) -> None:
    tuning = json.loads((trained_artifacts / "tuning.json").read_text())
    study = optuna.load_study(study_name=tuning["study_name"],
                              storage=f"sqlite:///{trained_artifacts / 'study.db'}")
    chosen = choose(study)
    assert (tuning["best_trial"], tuning["best_params"]) == (study.best_trial.number, chosen.params)
    assert {k: v for k, v in chosen.params.items() if k != "n_estimators"} == {
        k: v for k, v in study.best_params.items() if k != "n_estimators"}
    assert chosen.params["n_estimators"] <= study.best_params["n_estimators"]
    model = joblib.load(trained_artifacts / "best_model.pkl")
    assert {k: model.get_params()[k] for k in SEARCH_SPACE} == chosen.params
    for name, (low, high, step) in SEARCH_SPACE.items():
        value = chosen.params[name]
        assert low <= value <= high and (value - low) % step == 0


def test_report_names_the_chosen_parameters_and_says_what_each_factor_did(trained_artifacts: Path) -> None:
    report = (trained_artifacts / "report" / "report.md").read_text()
    tuning = json.loads((trained_artifacts / "tuning.json").read_text())
    metrics = json.loads((trained_artifacts / "metrics.json").read_text())
    for name, value in tuning["best_params"].items():
        assert f"| {name} | {value} |" in report
    assert f"{tuning['best_cv_mean']:.4f} ± {tuning['best_cv_std']:.4f}" in report
    headline = {line.split("**")[1]: line for line in report.splitlines() if line.startswith("- **")}
    for factor, title in (("tuning", "Tuning alone"), ("augmentation", "Augmentation alone")):
        shipped_rows = next(c for c in metrics["comparisons"]["real"] if c["factor"] == factor)
        assert shipped_rows["verdict"] in headline[title], headline


def test_resumed_study_grows_without_redoing_trials(tmp_path: Path) -> None:
    common = ["tune", "--folds", "2", "--no-augment", "--no-progress", "--artifacts", str(tmp_path)]
    first = run_module("train", *common, "--trials", "2")
    assert first.returncode == 0, first.stderr
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    before = optuna.load_study(study_name="digits-rf", storage=storage).trials

    second = run_module("train", *common, "--trials", "5")
    assert second.returncode == 0, second.stderr
    assert "ran 3 trials" in second.stdout
    after = optuna.load_study(study_name="digits-rf", storage=storage).trials

    assert [t.number for t in after] == [0, 1, 2, 3, 4]
    for old, same in zip(before, after):  # the first run's trials are kept, not recomputed
        assert (old.params, old.value, old.datetime_complete) == (
            same.params, same.value, same.datetime_complete)
    assert len({tuple(sorted(t.params.items())) for t in after}) == 5

    third = run_module("train", *common, "--trials", "5")
    assert third.returncode == 0 and "ran 0 trials" in third.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trials", "0"], "--trials: expected a whole number >= 1, got '0'"),
        (["--folds", "1"], "--folds: expected at least 2 folds for cross-validation"),
        (["--timeout", "-5"], "--timeout: expected a number of seconds > 0"),
        (["--n-jobs", "0"], "--n-jobs: expected a non-zero whole number"),
        (["--seed", "x"], "--seed: invalid int value: 'x'"),
        (["retrain"], "invalid choice: 'retrain'"),
    ],
)
def test_bad_arguments_fail_with_one_line(args: list[str], message: str) -> None:
    assert_usage_error(run_module("train", *args), "train", message)


@pytest.mark.parametrize(
    ("storage", "message"),
    [
        ("nope://x", "cannot open storage nope://x"),
        ("postgresql+psycopg://u:secret@127.0.0.1:1/db", "u:***@127.0.0.1:1/db"),
        ("journal:///", "expected journal:///PATH"),
        ("journal:////no/such/dir/study.log", "No such file or directory"),
    ],
)
def test_unusable_storage_fails_with_one_line(tmp_path: Path, storage: str, message: str) -> None:
    result = run_module("train", "--storage", storage, "--artifacts", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "secret" not in result.stderr


def test_fit_without_trials_says_so(tmp_path: Path) -> None:
    storage = f"sqlite:///{tmp_path / 'empty.db'}"
    optuna.create_study(study_name="digits-rf", storage=storage)
    result = run_module("train", "fit", "--storage", storage, "--artifacts", str(tmp_path))
    assert result.returncode == 1
    assert "has no finished trial" in result.stderr


def test_interrupted_run_leaves_previous_artifacts_intact(trained_artifacts: Path,
                                                          tmp_path: Path) -> None:
    artifacts = tmp_path / "artifacts"
    shutil.copytree(trained_artifacts, artifacts)
    before = {p: p.read_bytes() for p in artifacts.rglob("*") if p.is_file() and p.suffix != ".db"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "train", *QUICK_TRAIN_ARGS, "--trials", "500", "--artifacts",
         str(artifacts)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    # Interrupt once tuning is under way (a trial beyond the copied study's is stored), not after
    # a guessed delay: 500 trials take minutes, so this lands well inside tuning.
    storage = f"sqlite:///{artifacts / 'study.db'}"
    trials_before = len(optuna.load_study(study_name="digits-rf", storage=storage).trials)
    deadline = time.monotonic() + 120
    while len(optuna.load_study(study_name="digits-rf", storage=storage).trials) <= trials_before:
        assert proc.poll() is None and time.monotonic() < deadline, "tuning never started"
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    after = {p: p.read_bytes() for p in artifacts.rglob("*") if p.is_file() and p.suffix != ".db"}
    assert after == before
    assert not list(artifacts.rglob("*.tmp"))


def test_an_interrupted_run_exits_even_with_a_thread_left_running() -> None:
    """A Ctrl-C that lands while Optuna starts its (non-daemon) heartbeat thread leaves that thread
    running; the interrupted exit must not wait for it."""
    script = ("import threading; from train.__main__ import exit_now; "
              "threading.Thread(target=threading.Event().wait).start(); exit_now(130)")
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, timeout=30, capture_output=True)
    assert result.returncode == 130, result.stderr
