"""A template (a rule file) and its instances (signed contracts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from engine.diagnostics import Location
from engine.model.rules import DateSpec, FactType, NoticeRule, Obligation, PeriodSchedule
from engine.model.values import ParameterSpec


@dataclass(frozen=True)
class Instance:
    """One signed contract of a template, with its own parameter values and parties' names."""

    id: str
    title: str
    parameters: dict[str, Any]  # name -> Decimal, date, str or Schedule
    parties: dict[str, str] = field(default_factory=dict, compare=False)  # role -> name
    loc: Location = field(default=Location(""), compare=False)  # where it is declared
    implicit: bool = field(default=False, compare=False)  # the template's own, none declared


@dataclass(frozen=True)
class Contract:
    """A parsed rule file: settings, vocabulary, obligations."""

    id: str
    title: str
    time_zone: str
    calendars: dict[str, str]  # role (trading_day, business_day) -> calendar name
    parameters: dict[str, Any]  # name -> default value (those without a default are absent)
    instances: tuple[Instance, ...]
    fact_types: dict[str, FactType]
    obligations: tuple[Obligation, ...]
    path: str = field(default="", compare=False)
    dates: dict[str, DateSpec] = field(default_factory=dict, compare=False)
    notices: NoticeRule | None = field(default=None, compare=False)
    parties: dict[str, str] = field(default_factory=dict, compare=False)  # role -> label
    parameter_specs: dict[str, ParameterSpec] = field(default_factory=dict, compare=False)
    periods: dict[str, PeriodSchedule] = field(default_factory=dict, compare=False)
    waivers_by: tuple[str, ...] = ()  # the parties whose waiver counts (empty: any but the bound)
    waivers_section: str = ""

    def ob(self, rule: str) -> Obligation:
        """The obligation with this rule id."""
        return self._by_rule[rule]

    @cached_property
    def _by_rule(self) -> dict[str, Obligation]:
        """The obligations by rule id (looked up for every finding)."""
        return {o.id: o for o in self.obligations}

    def calendar_for(self, unit: str) -> str:
        """The calendar name that counts ``unit`` (``trading_days`` ...); ``calendar`` for days."""
        if unit in ("trading_days", "trading_day"):
            return self.calendars["trading_day"]
        if unit in ("business_days", "business_day"):
            return self.calendars["business_day"]
        return "calendar"
