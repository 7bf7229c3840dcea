"""Compile: a contract template becomes one durable_rules ruleset, one stage per block.

``patterns`` builds the durable_rules conditions shared by every stage and names the
actions rules fire (``Handler``, ``Fire``); each building block has its own stage
module (``deadline``, ``standing``, ``prohibition``, ``contract``); ``ruleset`` runs
the stages of each obligation. Nothing here depends on how a run reacts to a match.
"""
