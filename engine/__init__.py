"""ClauseWatch: contract obligations as YAML rules, checked against dated facts.

The package is laid out by pipeline stage, each folder one room: ``load`` (rule files,
fact logs), ``days`` (instants, calendars, date rules), ``expressions``, ``compile``
(a template to a durable_rules ruleset), ``run`` (event-time evaluation), ``findings``
(state to statuses and words), ``evaluate`` (run then findings), ``output`` (text,
JSON, calendar, upcoming, explain), ``history`` (run history) and ``ruletests``; ``cli``
is the only place that reads the clock, argv or the environment. ``model`` holds the
value types every stage shares. Imports point down this list, never back up
(``tests/test_layout.py``); ``ARCHITECTURE.md`` follows a fact from its line to a finding.
"""

__version__ = "0.1.0"
