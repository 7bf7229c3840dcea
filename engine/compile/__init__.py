"""Compile: a contract template becomes one durable_rules ruleset, one stage per block.

``patterns`` builds the durable_rules conditions shared by every stage; each building
block has its own stage module (``deadline``, ``standing``, ``prohibition``,
``contract``); ``ruleset`` runs the stages of each obligation and names the actions the
rules fire by reference (``Handler``), so nothing here depends on how a run reacts.
"""
