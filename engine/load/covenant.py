"""Covenant tests and cures in a rule file: a figure per period against a limit, and its cure.

```yaml
kind: test
per: fiscal_quarters
key: period
due: {from: cure_deadline}            # breached when it fails, uncured, after this date
test:
  fact: compliance_certificate_delivered          # the period's figures
  value: "fact.total_debt / fact.ebitda"
  at_most: "param.max_leverage"                   # or at_least
  says: Consolidated Leverage Ratio
cure:
  fact: equity_cure_received
  value: "test.total_debt / (test.ebitda + cure.amount)"
  after: period.end                               # received after ... and by ...
  by: cure_deadline
  unless_refused_by: equity-cure-limit            # a refused cure does not count
```
"""

from __future__ import annotations

from engine.load.dates import DateParts
from engine.model import Cure, Measure


class CovenantParts(DateParts):
    """``test`` and ``cure`` of a rule of kind ``test``."""

    def measure(self, spec: dict, jp: list, rule: str) -> Measure | None:
        """The figure tested and its limit, over the fields of the period's fact."""
        ftype = self.fact_type(spec["fact"], [*jp, "fact"], rule)
        scope = {**self.scope(None), "fact": ftype}
        value = self.expression(spec["value"], [*jp, "value"], rule, scope)
        bound = "at_most" if "at_most" in spec else "at_least"
        limit = self.expression(spec[bound], [*jp, bound], rule, scope)
        if value is None or limit is None:
            return None
        return Measure(spec["fact"], value, limit, bound == "at_most", spec.get("says", ""))

    def cure(self, spec: dict, jp: list, rule: str, tested: str) -> Cure | None:
        """A cure: its fact, the figure it gives (``test.*``, ``cure.*``), its window."""
        ftype = self.fact_type(spec["fact"], [*jp, "fact"], rule)
        scope = {**self.scope(None), "test": self.fact_types.get(tested), "cure": ftype}
        value = self.expression(spec["value"], [*jp, "value"], rule, scope)
        after = self.date(spec["after"], [*jp, "after"], rule, None) if "after" in spec else None
        by = self.date(spec["by"], [*jp, "by"], rule, None) if "by" in spec else None
        refused_by = spec.get("unless_refused_by", "")
        if refused_by:
            self.rule_refs.append((rule, refused_by, [*jp, "unless_refused_by"]))
        if value is None:
            return None
        return Cure(spec["fact"], value, after, by, refused_by)
