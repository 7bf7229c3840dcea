"""Run: event-time evaluation of contract instances against the facts, at an as-of date.

``driver`` feeds facts and clock ticks into durable_rules sessions in time order,
``actions`` are the handlers the compiled rules fire, and ``state`` keeps what each
match established per instance. The outcome is state, not findings: ``engine.findings``
reads it.
"""
