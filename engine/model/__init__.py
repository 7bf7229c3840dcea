"""Value types shared by every stage: templates, obligations, facts, findings (each never
changed once made).

``rules`` holds the parts of a template (vocabulary, dates, matches, obligations),
``values`` parameter values and periods, ``contract`` templates and their instances,
``outcome`` facts, findings and the result of a run. Import them from here.
"""

from engine.model.contract import Contract, Instance
from engine.model.outcome import Fact, Finding, Result, Status, Unchecked
from engine.model.rules import (
    Anchor,
    Cap,
    Cure,
    DateSpec,
    FactMatch,
    FactType,
    FieldSpec,
    Forbid,
    Kind,
    LatePayment,
    Limit,
    Lookup,
    Measure,
    NoticeRule,
    Obligation,
    PeriodSchedule,
    StandingCheck,
    Tier,
    Window,
)
from engine.model.values import ParameterSpec, Period, Schedule, Step

__all__ = [
    "Cap",
    "Cure",
    "Limit",
    "Measure",
    "Period",
    "PeriodSchedule",
    "Anchor",
    "Contract",
    "DateSpec",
    "Fact",
    "FactMatch",
    "FactType",
    "FieldSpec",
    "Finding",
    "Forbid",
    "Instance",
    "Kind",
    "LatePayment",
    "Lookup",
    "NoticeRule",
    "Obligation",
    "ParameterSpec",
    "Result",
    "Schedule",
    "StandingCheck",
    "Status",
    "Step",
    "Tier",
    "Unchecked",
    "Window",
]
