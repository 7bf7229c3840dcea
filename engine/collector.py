"""Python's cycle collector kept from walking what a run makes and keeps.

Each collection walks every tracked object of the generations it collects, and the
oldest generation holds everything kept so far: reading a log keeps every fact, and a
part's evaluation keeps its instances' obligations and findings until the part is done.
Pausing the collector meanwhile saves that walking (a third of the read time; about a
sixth of the evaluation's). The few reference cycles made meanwhile are garbage once
the batch is done, and are collected as soon as the collector runs again (in a command,
those of a run are set aside with its findings: a few hundred objects a part). The pause
is process-wide: a Dask worker should run one part at a time (``--nthreads 1``, as the
README says), or overlapping parts may shorten each other's pause (never lengthen it:
the collector is always running again once the last part is done).

What a command has read (the rules, every fact) lives until the command ends, or, the
facts, until the run they are handed over to lets them go: it is set aside, out of the
collector's reach, from then on (``set_aside``), and given back when the command ends.
So are the findings the run gives back, read while the collector is paused: with it
running, a million findings coming back from worker processes were walked again and
again as they grew.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused, if it runs, for the ``with`` block."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


_set_aside = False  # whether this process's objects are frozen by ``set_aside``


def set_aside() -> None:
    """Every object made so far put out of the collector's reach (``gc.freeze``) until
    ``give_back``: a command's rules and facts, once read, live until it ends or hands the
    facts over (and forked workers share their pages untouched, as the collector no
    longer writes to them); called again, what was made since (the findings of the run)
    is set aside with them. Nothing is done if objects are frozen already by another (a
    program running the command)."""
    global _set_aside
    if _set_aside or gc.get_freeze_count() == 0:
        gc.freeze()
        _set_aside = True


def give_back() -> None:
    """The objects ``set_aside`` froze given back to the collector (``gc.unfreeze``): the
    command has ended, and this process may go on (the tests run many commands in one)."""
    global _set_aside
    if _set_aside:
        gc.unfreeze()
        _set_aside = False
