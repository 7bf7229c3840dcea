"""The days of the exchange and banking calendars, kept on disk from one run to the next.

Building the NYSE's sessions imports ``exchange_calendars``, and with it pandas and
numpy; the banking days, ``holidays``: together about half a second and 50 MB of every
process that counts a trading or banking day. The days depend only on the libraries that
give them (``exchange_calendars``' holiday rules use pandas' and python-dateutil's),
their versions and the range: the first run writes them to a file of the cache folder,
named for the calendar, the libraries, their versions and the range, and later runs read
them back (a few milliseconds, no library imported). A new version of a library is a new
file, and a change to the code that builds them (the sha256 of its source file is in the
file's first line) replaces it: the days are built afresh.

The cache folder is ``$XDG_CACHE_HOME/clausewatch`` (``~/.cache/clausewatch`` when it is
not set to an absolute path; none when the home folder is not one either). A file is
used only if it is a regular file, whole and what its name says (its first line names the
calendar, libraries, versions, range and number of days, and the sha256 of the rest),
with weekdays only, in order, within the range; any other is built again and replaced. A
folder that cannot be made or written is no error: the days are built, as without a
cache, run after run. Deleting the folder is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable
from datetime import date
from importlib import metadata
from pathlib import Path

_MAGIC = "clausewatch-days 1"
_LARGEST = 1 << 20  # bytes: a file of 56 years of days holds about 155 KB


def cache_folder() -> Path | None:
    """Where the calendars' days are kept (None: no home folder to put it in)."""
    root = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(root):
        try:
            home = Path.home()
        except RuntimeError:  # no home folder known
            return None
        if not home.is_absolute():
            return None  # (a relative HOME would put it under the current folder)
        root = str(home / ".cache")
    return Path(root) / "clausewatch"


def cached_days(
    name: str,
    libraries: tuple[str, ...],
    first: date,
    last: date,
    build: Callable[[], tuple[date, ...]],
) -> tuple[date, ...]:
    """The days of calendar ``name`` from ``first`` to ``last``, as ``build`` gives them
    with the installed versions of ``libraries``: read from the cache when it holds them,
    else built and written there."""
    try:
        made_by = "-".join(f"{lib}-{metadata.version(lib)}" for lib in libraries)
    except metadata.PackageNotFoundError:
        return build()  # (building says what is missing)
    folder, code = cache_folder(), _code(build)
    span = f"{first.isoformat()}-{last.isoformat()}"
    head = f"{_MAGIC} {name} {made_by} {span} {code}"
    path = None
    if folder is not None and code is not None:
        path = folder / f"{name}-{made_by}-{span}.days"
        found = _read(path, head, first, last)
        if found is not None:
            return found
    days = build()
    if path is not None:
        _write(path, head, days)
    return days


def _code(build: Callable[[], tuple[date, ...]]) -> str | None:
    """The sha256 of the source file of the function building the days (None: unreadable,
    and then nothing is cached)."""
    try:
        return hashlib.sha256(Path(build.__code__.co_filename).read_bytes()).hexdigest()
    except (OSError, AttributeError):
        return None


def _read(path: Path, head: str, first: date, last: date) -> tuple[date, ...] | None:
    """The days a cache file holds, if it is whole and the one wanted; else None."""
    try:
        if not path.is_file() or path.stat().st_size > _LARGEST:
            return None  # (a pipe would never end; a device, a huge file: never ours)
        data = path.read_bytes()
    except OSError:
        return None
    top, _, body = data.partition(b"\n")
    try:
        fields = top.decode("ascii").rsplit(" ", 2)
        count, digest = int(fields[1]), fields[2]
        if fields[0] != head or hashlib.sha256(body).hexdigest() != digest:
            return None
        days = tuple(map(date.fromisoformat, body.decode("ascii").split()))
    except (UnicodeDecodeError, ValueError, IndexError):
        return None
    if len(days) != count or not days or days[0] < first or days[-1] > last:
        return None
    if any(a >= b for a, b in zip(days, days[1:], strict=False)):
        return None
    if any(d.weekday() >= 5 for d in days):
        return None  # (no calendar kept here has a weekend day)
    return days


def _write(path: Path, head: str, days: tuple[date, ...]) -> None:
    """Keep the days in the cache, written whole or not at all (a file made aside, then
    renamed over the old one, or removed); a folder that cannot be written is left alone."""
    body = "".join(f"{d.isoformat()}\n" for d in days).encode("ascii")
    text = f"{head} {len(days)} {hashlib.sha256(body).hexdigest()}\n".encode("ascii") + body
    aside = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".days-", delete=False) as fh:
            aside = fh.name
            fh.write(text)
        os.replace(aside, path)
    except OSError:
        if aside is not None:
            with contextlib.suppress(OSError):
                os.unlink(aside)
