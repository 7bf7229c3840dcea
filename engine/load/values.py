"""Lookups and computed values in a rule file: facts read on a day, values computed in order."""

from __future__ import annotations

from engine.expressions import Expression
from engine.load.dates import DateParts
from engine.model import FactType, Lookup


class ValueParts(DateParts):
    """``lookups`` (a fact of a type, ``on`` a day, done ``by`` a deadline) and ``values``."""

    def lookup_specs(
        self, specs: dict, jp: list, rule: str, trigger: FactType | None
    ) -> dict[str, Lookup]:
        """The facts an obligation reads values from."""
        found = {}
        for name, spec in specs.items():
            self.fact_type(spec["fact"], [*jp, name, "fact"], rule)
            on = self.date(spec["on"], [*jp, name, "on"], rule, trigger) if "on" in spec else None
            by = self.date(spec["by"], [*jp, name, "by"], rule, trigger) if "by" in spec else None
            found[name] = Lookup(spec["fact"], on, by)
            self.lookups[name] = spec["fact"]
        return found

    def value_specs(
        self, specs: dict, jp: list, rule: str, trigger: FactType | None
    ) -> dict[str, Expression]:
        """Named computations, in order: each may use the lookups and the values before it."""
        found = {}
        for name, source in specs.items():
            expr = self.expression(source, [*jp, name], rule, self.scope(trigger))
            self.values.append(name)
            if expr is not None:
                found[name] = expr
        return found
