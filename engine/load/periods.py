"""Period schedules in a rule file (``periods:``): recurring periods and their own dates.

```yaml
periods:
  fiscal_quarters:
    every: quarter                     # month | quarter | year
    year_end: param.fiscal_year_end    # MM-DD (a month's last day), or a text parameter
    after: closing_date                # periods ending after this date ...
    through: param.maturity_date       # ... and on or before this one
    until: repaid_in_full              # none ending after this date, once it is known
    names: fiscal                      # 2028-Q1 (default); `date`: 2028-09-30
    dates:                             # dates of each period (period.start, period.end)
      statements_due: {from: period.end, add: {days: 45}, roll: following}
```
"""

from __future__ import annotations

from engine.days.periods import year_end_month
from engine.load.dates import DateParts
from engine.model import DateSpec, PeriodSchedule


class PeriodParts(DateParts):
    """``periods``: each schedule's bounds, year end, names and dates, checked."""

    period_specs: dict[str, PeriodSchedule]

    def year_end(self, value: str, jp: list) -> str:
        """``MM-DD`` naming a month's last day, or ``param.<name>`` of a text parameter."""
        if value.startswith("param."):
            name = value.split(".", 1)[1]
            spec = self.param_specs.get(name)
            if not self.known_param(name):
                self.error(jp, f"unknown parameter `{name}`")
            elif spec is not None and spec.type != "text":
                self.error(jp, f"parameter `{name}` is a {spec.type}, not text (MM-DD)")
        elif year_end_month(value) is None:
            self.error(jp, f"`{value}` is not a month's last day written MM-DD (e.g. 12-31)")
        return value

    def periods(self) -> dict[str, PeriodSchedule]:
        """The file's period schedules."""
        found: dict[str, PeriodSchedule] = {}
        if not self.usable(("periods",)):  # type: ignore[attr-defined]
            return found
        self.has_trigger, self.local_dates = False, {}
        for name, spec in (self.root.get("periods") or {}).items():
            jp: list[str | int] = ["periods", name]
            if not self.intact(tuple(jp)):  # type: ignore[attr-defined]
                continue
            self.in_period, self.period_dates = False, {}
            bounds: dict[str, DateSpec | None] = {
                key: self.date(spec[key], [*jp, key], "", None) if key in spec else None
                for key in ("after", "through", "until")
            }
            also = tuple(
                self.date({"from": item}, [*jp, "also", i], "", None)
                for i, item in enumerate(spec.get("also") or [])
            )
            self.in_period, self.period_dates = True, dict(spec.get("dates") or {})
            dates = self.named_dates(self.period_dates, [*jp, "dates"], "", None)
            self.in_period, self.period_dates = False, {}
            assert bounds["after"] is not None and bounds["through"] is not None
            found[name] = PeriodSchedule(
                name=name,
                every=spec["every"],
                year_end=self.year_end(spec.get("year_end", "12-31"), [*jp, "year_end"]),
                names=spec.get("names", "fiscal"),
                after=bounds["after"],
                through=bounds["through"],
                until=bounds["until"],
                also=also,
                dates=dates,
            )
        self.period_specs = found
        return found
