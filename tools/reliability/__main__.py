"""python -m tools.reliability COMMAND [ARGS...]: the reliability checks of the real server, one command each.

Each command runs its module's main with the arguments that follow it; `COMMAND --help` lists them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from digits.cli import OneLineParser
from tools.reliability import fuzz_http, hostile, memory, slow_clients, soak

COMMANDS: dict[str, Callable[[list[str] | None], int]] = {
    "fuzz": fuzz_http.main,
    "soak": soak.main,
    "hostile": hostile.main,
    "slow-clients": slow_clients.main,
    "memory": memory.main,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = OneLineParser(prog="python -m tools.reliability", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=COMMANDS)
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the command's own arguments")
    args = parser.parse_args(argv)
    return COMMANDS[args.command](args.args)


if __name__ == "__main__":
    sys.exit(main())
