"""Standing duties in a rule file: the fact type checked, the condition, the shortfall."""

from __future__ import annotations

from engine.load.parts import Parts, Scope
from engine.model import StandingCheck


class StandingParts(Parts):
    """``check``: a condition over the fact checked (``fact.*``, ``param.*``)."""

    def standing_check(self, c: dict, jp: list, rid: str) -> StandingCheck | None:
        """The condition of a standing duty."""
        ftype = self.fact_type(c["fact"], [*jp, "fact"], rid)
        cscope: Scope = {"fact": ftype}
        require = self.expression(c["require"], [*jp, "require"], rid, cscope)
        shortfall = None
        if "shortfall" in c:
            shortfall = self.expression(c["shortfall"], [*jp, "shortfall"], rid, cscope)
        return StandingCheck(c["fact"], require, shortfall) if require else None
