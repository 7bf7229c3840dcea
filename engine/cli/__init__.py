"""Command line: ``clausewatch check|validate|...``, one module per command.

Each command module has ``add_parser(subparsers)`` and ``run(args) -> exit status``.
Exit status: 0 no breach, 1 a breach (or a failed rule test), 2 bad usage or input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from engine.cli import calendar, check, explain, test, upcoming, validate
from engine.cli.common import EXIT_INPUT, EXIT_OK

COMMANDS: dict[str, ModuleType] = {
    "check": check,
    "validate": validate,
    "explain": explain,
    "calendar": calendar,
    "upcoming": upcoming,
    "test": test,
}


def parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    top = argparse.ArgumentParser(
        prog="clausewatch",
        description="Check contracts' obligations against dated facts. "
        "`clausewatch COMMAND --help` describes each command's options.",
        epilog="exit status: 0 no breach; 1 a breach (check), a failed rule test (test); "
        "2 bad usage or bad input (path:line[:col]: message on standard error)",
    )
    sub = top.add_subparsers(dest="command", required=True)
    for module in COMMANDS.values():
        module.add_parser(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_INPUT if exc.code else EXIT_OK
    return COMMANDS[args.command].run(args)


if __name__ == "__main__":
    sys.exit(main())
