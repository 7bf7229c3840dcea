"""Late-payment schedules in a rule file: days late counted after a date, priced by tier."""

from __future__ import annotations

from decimal import Decimal

from engine.load.dates import DateParts
from engine.model import FactType, LatePayment, Tier


class LatePaymentParts(DateParts):
    """``late_payment``: tiers that go up, the last without ``through``."""

    def late_payment(
        self, spec: dict, jp: list, rule: str, trigger: FactType | None
    ) -> LatePayment:
        """A tiered late-payment schedule."""
        tiers: list[Tier] = []
        for i, tier in enumerate(spec["tiers"]):
            through, before = tier.get("through"), tiers[-1].through if tiers else None
            if (i == len(spec["tiers"]) - 1) != (through is None):
                message = "every tier but the last needs `through`; the last has none"
                self.error([*jp, "tiers", i], message, rule)
            if through is not None and before is not None and through <= before:
                message = f"tiers must go up: `through: {through}` is not above {before}"
                self.error([*jp, "tiers", i, "through"], message, rule)
            tiers.append(Tier(Decimal(str(tier["rate"])), through))
        days = spec["days_late"]
        return LatePayment(
            count_unit=days["count"],
            after=self.date(days["after"], [*jp, "days_late", "after"], rule, trigger),
            base=self.expression(spec["base"], [*jp, "base"], rule, self.scope(trigger)),
            per=Decimal(str(spec["per"])),
            tiers=tuple(tiers),
        )
