"""Which findings are deadlines: what ``upcoming``, the calendar and the summary list.

A deadline is a date by which a party must act: a duty's due date, or the last day to
exercise a right. A prohibition is not a deadline: the last day of its window is when a
duty to refrain ends, and one in force with no end date is not due on any day.
"""

from __future__ import annotations

from engine.model import Finding, Kind


def is_deadline(f: Finding) -> bool:
    """Whether a finding's date is a deadline (a prohibition's window end is not)."""
    return f.kind != Kind.PROHIBITION.value
