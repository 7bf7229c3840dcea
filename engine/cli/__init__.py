"""Command line: ``clausewatch check|validate|...``, one module per command.

Each command module has ``add_parser(subparsers)`` and ``run(args) -> exit status``.
Exit status: 0 no breach, 1 a breach (or a failed rule test), 2 bad usage or input,
3 an internal error (a bug: one line on standard error, the traceback with ``--debug``
or ``CLAUSEWATCH_DEBUG=1``), 141 when the reader of standard output went away (a closed
pipe, as in ``clausewatch check | head``: the output stops quietly, as Unix tools do),
130 when interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from engine.cli import calendar, check, explain, test, upcoming, validate
from engine.cli.common import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK
from engine.collector import give_back
from engine.diagnostics import printable, shorten

COMMANDS: dict[str, ModuleType] = {
    "check": check,
    "validate": validate,
    "explain": explain,
    "calendar": calendar,
    "upcoming": upcoming,
    "test": test,
}
DEBUG_ENV = "CLAUSEWATCH_DEBUG"
EXIT_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a tool stopped by a closed pipe
EXIT_INTERRUPTED = 130  # 128 + SIGINT


def parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    top = argparse.ArgumentParser(
        prog="clausewatch",
        description="Check contracts' obligations against dated facts. "
        "`clausewatch COMMAND --help` describes each command's options.",
        epilog="exit status: 0 no breach; 1 a breach (check), a failed rule test (test); "
        "2 bad usage or bad input (path:line[:col]: message on standard error)",
    )
    debug = f"on an internal error (exit 3), print the traceback (also set by {DEBUG_ENV}=1)"
    top.add_argument("--debug", action="store_true", help=debug)
    sub = top.add_subparsers(dest="command", required=True)
    for module in COMMANDS.values():
        module.add_parser(sub)
    for command in sub.choices.values():  # `clausewatch check --debug` works too
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=debug)
    return top


def _debugging(argv: Sequence[str], args: argparse.Namespace | None) -> bool:
    if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
        return True
    return bool(getattr(args, "debug", False)) if args is not None else "--debug" in argv


def _silence_stdout() -> None:
    """Point standard output (and error) at /dev/null, so that nothing more is written to
    the closed pipe, not even by the interpreter's last flush at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError, AttributeError):  # no file behind it (captured in tests)
            pass
    os.close(devnull)


def internal_error(exc: BaseException, debug: bool) -> int:
    """Say that ClauseWatch failed (a bug, not bad input), in one line; exit status 3."""
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    what = printable(shorten(f"{type(exc).__name__}: {exc}", 300))
    hint = "" if debug else f" (run again with --debug, or {DEBUG_ENV}=1, for the traceback)"
    print(
        f"clausewatch: internal error, please report it with the command that caused it: "
        f"{what}{hint}",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (never a traceback, never 1 on a bug)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = None
    try:
        try:
            args = parser().parse_args(argv)
        except SystemExit as exc:
            return EXIT_INPUT if exc.code else EXIT_OK
        status = COMMANDS[args.command].run(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return status
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_PIPE
    except KeyboardInterrupt:
        print("clausewatch: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the last resort: exit 3, never a traceback
        return internal_error(exc, _debugging(argv, args))
    finally:
        give_back()  # what the command set aside from the collector (``engine.collector``)


if __name__ == "__main__":
    sys.exit(main())
