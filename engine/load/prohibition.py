"""Prohibitions in a rule file: forbidden acts, their windows and the facts that permit them."""

from __future__ import annotations

from engine.load.dates import DateParts
from engine.model import FactType, Forbid, Window


class ProhibitionParts(DateParts):
    """``forbids``: a fact match, a window (``through`` or ``until``), ``unless_preceded_by``."""

    def window(self, spec: dict, jp: list, rule: str, trigger: FactType | None) -> Window:
        """The days an act is forbidden in (or, `outside`, out of)."""
        if "through" in spec and "until" in spec:
            self.error(jp, "a window has `through` or `until`, not both", rule)
        end_key = "until" if "until" in spec else "through"
        return Window(
            start=self.date(spec["from"], [*jp, "from"], rule, trigger) if "from" in spec else None,
            end=self.date(spec[end_key], [*jp, end_key], rule, trigger)
            if end_key in spec
            else None,
            end_inclusive=end_key == "through",
            outside=bool(spec.get("outside", False)),
        )

    def forbid(self, spec: dict, jp: list, rule: str, trigger: FactType | None) -> Forbid | None:
        """One forbidden act: a fact type, a condition, a window, an exemption."""
        match = self.match(spec, jp, rule, self.scope(trigger))
        window = (
            self.window(spec["window"], [*jp, "window"], rule, trigger)
            if "window" in spec
            else None
        )
        preceded = spec.get("unless_preceded_by", "")
        if preceded:
            self.fact_type(preceded, [*jp, "unless_preceded_by"], rule)
        if match is None:
            return None
        return Forbid(match, window, preceded, spec.get("says", ""))
