"""python -m tools.reliability COMMAND: each command runs its module's main with the rest of the line."""

from __future__ import annotations

import pytest

from tools.reliability import __main__ as cli
from tools.reliability import fuzz_http, hostile, memory, slow_clients, soak


@pytest.mark.parametrize(("command", "module"), [
    ("fuzz", fuzz_http),
    ("soak", soak),
    ("hostile", hostile),
    ("slow-clients", slow_clients),
    ("memory", memory),
])
def test_each_command_is_its_modules_main(command, module):
    assert cli.COMMANDS[command] is module.main


def test_the_commands_are_exactly_these():
    assert sorted(cli.COMMANDS) == ["fuzz", "hostile", "memory", "slow-clients", "soak"]


@pytest.mark.parametrize(("argv", "forwarded"), [
    (["soak"], []),
    (["soak", "--seconds", "5", "--model", "m.onnx"], ["--seconds", "5", "--model", "m.onnx"]),
    (["soak", "--help"], ["--help"]),
    (["soak", "soak", "-x"], ["soak", "-x"]),
])
def test_the_rest_of_the_line_goes_to_the_command(monkeypatch, argv, forwarded):
    calls = []
    monkeypatch.setitem(cli.COMMANDS, "soak", lambda args: calls.append(args) or 7)
    assert cli.main(argv) == 7
    assert calls == [forwarded]


@pytest.mark.parametrize("argv", [[], ["nope"], ["--seconds", "5"]])
def test_no_or_an_unknown_command_is_a_usage_error(capsys, argv):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.startswith("python -m tools.reliability: error:")
