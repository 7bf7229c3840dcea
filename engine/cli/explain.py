"""``clausewatch explain RULE [KEY]``: how one finding was reached."""

from __future__ import annotations

import argparse
import json

from engine.cli.common import EXIT_OK, add_input_arguments, fail, finish, load_and_evaluate
from engine.cli.options import paragraph
from engine.diagnostics import Diagnostic, Location, suggest
from engine.output.explain import explanation, explanation_text, matching

EXIT_CODES = """\
exit status:
  0  the explanation was printed (whatever its status)
  2  no such finding (with the rule ids or keys there are), several findings and no KEY
     to choose one, or bad usage or input (path:line[:col]: message on standard error)"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register the command."""
    parser = sub.add_parser(
        "explain",
        help="show how one finding was reached, step by step",
        description=paragraph(
            "Print one finding as of the as-of date: the clause, the facts it rests on "
            "with their file:line, and every step of the reasoning (dates counted, "
            "amounts computed)."
        ),
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("rule", help="the rule id, e.g. funding-deadline")
    parser.add_argument(
        "key", nargs="?", help="the finding's key (a notice id...), needed if the rule has several"
    )
    parser.add_argument(
        "--contract", metavar="ID", help="the contract instance (default: any that has the finding)"
    )
    add_input_arguments(parser)
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default), or json: {as_of, explanations: [...]}",
    )


def run(args: argparse.Namespace) -> int:
    """Print the explanation of the finding(s) named; exit 2 when there is none."""
    outcome = load_and_evaluate(args, keep_facts=True)  # explanations cite the facts
    if isinstance(outcome, list):
        return fail(outcome)
    inputs, result = outcome
    if result.unchecked and args.contract in {u.contract for u in result.unchecked}:
        return finish(inputs, result, EXIT_OK)
    found = matching(result, args.rule, args.key, args.contract)
    if not found:
        rules = sorted({f.rule for f in result.findings})
        same = sorted({f.key or "-" for f in result.findings if f.rule == args.rule})
        if same:
            why = f"no finding of `{args.rule}` with key `{args.key}`; its keys: {', '.join(same)}"
        else:
            why = (
                f"no finding of rule `{args.rule}` as of {inputs.as_of}{suggest(args.rule, rules)}"
            )
        return fail([Diagnostic(Location("explain"), why)])
    if len(found) > 1 and args.key is None:
        keys = ", ".join(f.key or "-" for f in found)
        message = f"`{args.rule}` has {len(found)} findings; name one by key: {keys}"
        return fail([Diagnostic(Location("explain"), message)])
    docs = [explanation(f, inputs.contracts, inputs.facts) for f in found]
    if args.format == "json":
        print(json.dumps({"as_of": inputs.as_of.isoformat(), "explanations": docs}, indent=2))
    else:
        print("\n\n".join(explanation_text(d, inputs.as_of.isoformat()) for d in docs))
    return finish(inputs, result, EXIT_OK)
