"""Findings: the state of a run turned into statuses, amounts, messages and traces.

One module per kind of obligation (``deadline``, ``standing``, ``prohibition``), built
on ``make`` (a finding of an instance, sort order); late payments (``latepay``) and
waivers (``waivers``) adjust them; ``instance`` gathers every finding of one contract
instance.
"""
