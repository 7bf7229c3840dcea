"""Options several commands share: the filters (``--contract`` ...) and the run history.

Filters are views: they choose the findings shown (and what the exit status and the
summary count), never what is evaluated or recorded in the run history.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Sequence

from engine.diagnostics import Diagnostic, Location
from engine.history.compare import DEFAULT_PATH, ENV_PATH
from engine.model import Contract
from engine.output.select import FIELDS, Selection, known_values, problems

_FILTER_HELP = {
    "contract": ("ID", "a contract instance id (`contract` of a finding)"),
    "template": ("ID", "a template id: the `contract: id` of a rule file"),
    "rule": ("RULE", "a rule id, e.g. funding-deadline"),
    "party": ("PARTY", "the party a rule binds, e.g. company"),
    "status": ("STATUS", "open, met, breached, expired or waived"),
}


def paragraph(text: str) -> str:
    """Help text wrapped for a terminal (the help formatter keeps line breaks as given)."""
    return textwrap.fill(" ".join(text.split()), width=79)


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """``--contract``, ``--template``, ``--rule``, ``--party``, ``--status``, repeatable."""
    group = parser.add_argument_group(
        "filters",
        paragraph(
            "Show only some findings. Each filter is repeatable (a finding matches one of "
            "its values); several filters must all match. Default: every finding. A value "
            "that names nothing in the rules read is a usage error (exit 2)."
        ),
    )
    for name in FIELDS:
        metavar, words = _FILTER_HELP[name]
        group.add_argument(
            f"--{name}", action="append", default=[], metavar=metavar, help=f"only {words}"
        )


def selection_of(
    args: argparse.Namespace, contracts: Sequence[Contract]
) -> tuple[Selection, list[Diagnostic]]:
    """The filters given, and a usage problem for each value that names nothing known."""
    chosen = Selection(**{name: tuple(getattr(args, name) or ()) for name in FIELDS})
    found = problems(chosen, known_values(contracts))
    return chosen, [Diagnostic(Location(option), message) for option, message in found]


def add_history_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    """``--history [PATH]`` and ``--no-history`` (mutually exclusive)."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--history",
        nargs="?",
        const="",
        metavar="PATH",
        help=f"{what} (PATH default {DEFAULT_PATH}; the environment variable {ENV_PATH}=PATH, "
        f"or =on for the default PATH, does the same; default: no history, nothing written)",
    )
    where.add_argument(
        "--no-history", action="store_true", help=f"no run history, even if {ENV_PATH} is set"
    )
