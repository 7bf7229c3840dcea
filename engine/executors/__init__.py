"""Executors: where the parts of a partitioned run are evaluated, and how they come back.

A run is split by instance into parts (``engine.run.partition``); an executor evaluates
each part (``work.evaluate_part``: the durable_rules run of a batch of instances, then
their findings) and hands the results back in part order. ``local`` runs them in this
process or in forked worker processes (``--jobs N``); ``on_dask`` sends them to a Dask
scheduler (``--executor dask://host:8786``). ``choose.executor_for`` reads the
command line's choice.
"""
