"""Every command in the repo answers a bad argument with one line on stderr and exit code 2 (one row a
command; each command's own validations are tested beside it, e.g. tests/train/test_train_cli.py)."""

from __future__ import annotations

import pytest

from tests.support import assert_usage_error, run_module

pytestmark = pytest.mark.live  # starts each command as a process

COMMANDS = [
    ("train", ["--trials", "many"], "--trials: expected a whole number >= 1, got 'many'"),
    ("train.evaluate", ["--no-such-flag"], "unrecognized arguments: --no-such-flag"),
    ("export", ["--tolerance", "tiny"], "--tolerance: invalid float value: 'tiny'"),
    ("server", ["--port", "http"], "--port: invalid int value: 'http'"),
    ("evaluation.drawings.generate", ["--per-class", "x"], "--per-class: invalid int value: 'x'"),
    ("evaluation.yardsticks.evaluate", ["--manifest", "m.csv"], "one of the arguments --url --model is required"),
    ("tools.reliability", ["nope"], "argument command: invalid choice: 'nope'"),
    ("tools.reliability fuzz", ["--requests", "lots"], "--requests: invalid int value: 'lots'"),
    ("tools.reliability soak", ["--no-such-flag"], "unrecognized arguments: --no-such-flag"),
    ("tools.bench.run", ["--no-such-flag"], "unrecognized arguments: --no-such-flag"),
    ("tools.bench.revisions", ["HEAD", "--rounds", "x"], "--rounds: invalid int value: 'x'"),
]


@pytest.mark.parametrize(("command", "args", "message"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_bad_argument_is_one_line_and_exit_2(command: str, args: list[str], message: str) -> None:
    """`command` is a module, or a module and its subcommand (`tools.reliability fuzz`)."""
    assert_usage_error(run_module(*command.split(), *args, timeout=60), command, message)
