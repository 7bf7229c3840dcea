"""Limits in a rule file: each fact of a type counted against caps over the earlier ones.

```yaml
kind: limit
per: fiscal_quarters
key: period                            # the fact's field naming its period
limit:
  fact: equity_cure_received
  counts: {after: period.end, by: cure_deadline}   # which facts count (received then)
  refused_when:
    - {reach: 2, periods: 4}           # 2 other periods among any 4 consecutive ones
    - {reach: 5}                       # 5 in the life of the contract
    - {reach: 3, days: 365}            # 3 received in the 365 days before it
```
A fact refused by a cap is a breach dated at the fact; refused facts do not count.
"""

from __future__ import annotations

from engine.load.dates import DateParts
from engine.model import Cap, Limit


class LimitParts(DateParts):
    """``limit`` of a rule of kind ``limit``."""

    def limit(self, spec: dict, jp: list, rule: str, per: str) -> Limit:
        """The fact type limited, which of its facts count, and the caps."""
        self.fact_type(spec["fact"], [*jp, "fact"], rule)
        counts = spec.get("counts") or {}
        cjp = [*jp, "counts"]
        after = (
            self.date(counts["after"], [*cjp, "after"], rule, None) if "after" in counts else None
        )
        by = self.date(counts["by"], [*cjp, "by"], rule, None) if "by" in counts else None
        caps = tuple(
            Cap(
                int(cap["reach"]),
                int(cap.get("periods", 0)),
                int(cap.get("days", 0)),
                cap.get("says", ""),
            )
            for cap in spec["refused_when"]
        )
        return Limit(spec["fact"], per, caps, after, by)
