"""Which files the ``--facts`` paths name: folders walked, each file once, every skip said.

The rules (README, "Which files are read"):

* A path that is a file is read whatever its name (a pipe too: ``--facts <(zcat x.gz)``).
* A folder is walked with its subfolders, entries in name order (a subfolder's files come
  where its name sorts). A file whose name ends in ``.jsonl``, in any case, is a fact log.
* A folder's README (``README``, ``README.md``, ... in any case) is documentation and
  is passed over without a word. Every other entry not read is said, as a warning
  ``path: skipped: why``: hidden entries (name starting with ``.``; a hidden folder is
  not entered), files with other names, a dangling link or a special file with another
  name, a folder met a second time (a symbolic link loop).
* Errors (exit 2): a path that does not exist or cannot be read; in a folder, a
  ``.json`` or ``.ndjson`` file (a fact log misnamed), a ``.jsonl`` entry that is a
  dangling link, a link loop or not a regular file; a folder with no fact log at all.
* The same file named twice (directly and through a folder, through a symbolic or a hard
  link) is read once: files are told apart by device and inode, not by name; the second
  naming is said (``skipped: the same file as ...``).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine.diagnostics import Diagnostic, Location

LOG_SUFFIX = ".jsonl"
MISNAMED = (".json", ".ndjson")  # a fact log under a wrong name: an error, not a warning


def is_fact_log(name: str) -> bool:
    """Whether a file of this name, met in a folder, is a fact log (``*.jsonl``, any case)."""
    return name.lower().endswith(LOG_SUFFIX) and len(name) > len(LOG_SUFFIX)


def _is_readme(name: str) -> bool:
    lower = name.lower()
    return lower == "readme" or lower.startswith("readme.")


@dataclass
class FactFiles:
    """The fact logs to read, in order, each once; what was skipped; what is wrong."""

    paths: list[Path] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    named: int = 0  # fact logs met, a file met twice counted twice
    recurse: bool = True  # False: subfolders are not entered (nor said)
    _files: dict[tuple[int, int], Path] = field(default_factory=dict, repr=False)
    _folders: dict[tuple[int, int], Path] = field(default_factory=dict, repr=False)

    def size(self) -> int:
        """How many bytes the logs hold (one that cannot be looked at counts none: reading
        it says why)."""
        total = 0
        for path in self.paths:
            try:
                total += path.stat().st_size
            except OSError:
                pass
        return total

    def add_path(self, p: Path, empty_ok: bool = False, others: tuple[str, ...] = ()) -> None:
        """The fact logs a path given names: the file itself, or those of the folder."""
        try:
            st = p.stat()
        except OSError as exc:
            self.fail(p, f"cannot read fact log: {exc.strerror or exc}")
            return
        if not stat.S_ISDIR(st.st_mode):
            self.add_file(p, st)
            return
        before = self.named
        if self.walk(p, st, others) and self.named == before and not empty_ok:
            self.fail(p, "no fact log (a file named *.jsonl) in this folder or below")

    def warn(self, path: Path, why: str) -> None:
        """Record a skipped entry."""
        self.warnings.append(Diagnostic(Location(str(path)), f"skipped: {why}"))

    def fail(self, path: Path, message: str) -> None:
        """Record a problem (the run stops with exit 2)."""
        self.problems.append(Diagnostic(Location(str(path)), message))

    def add_file(self, path: Path, st: os.stat_result) -> None:
        """A fact log to read, unless the same file is already in the list."""
        self.named += 1
        first = self._files.setdefault((st.st_dev, st.st_ino), path)
        if first is path:
            self.paths.append(path)
        else:
            self.warn(path, f"the same file as {first}, already read")

    def walk(self, folder: Path, st: os.stat_result, others: tuple[str, ...]) -> bool:
        """Every fact log in ``folder`` and its subfolders, in name order.

        False if the folder was walked already (named twice, or a link loop) or unreadable.
        """
        first = self._folders.setdefault((st.st_dev, st.st_ino), folder)
        if first is not folder:
            self.warn(folder, f"the same folder as {first}, already read")
            return False
        try:
            with os.scandir(folder) as it:
                names = sorted(entry.name for entry in it)
        except OSError as exc:
            self.fail(folder, f"cannot read folder: {exc.strerror or exc}")
            return False
        for name in names:
            self._entry(folder / name, name, others)
        return True

    def _entry(self, path: Path, name: str, others: tuple[str, ...]) -> None:
        if name.startswith("."):
            self.warn(path, "hidden (its name starts with `.`)")
            return
        log = is_fact_log(name)
        try:
            st = path.stat()
        except OSError as exc:
            dangling = exc.errno == errno.ENOENT and path.is_symlink()
            why = f"a dangling symbolic link to {os.readlink(path)}" if dangling else None
            why = why or exc.strerror or str(exc)
            if log:
                self.fail(path, f"cannot read fact log: {why}")
            else:
                self.warn(path, why)
            return
        if stat.S_ISDIR(st.st_mode):
            if self.recurse:
                self.walk(path, st, others)
        elif log and stat.S_ISREG(st.st_mode):
            self.add_file(path, st)
        elif log:
            self.fail(path, "cannot read fact log: not a regular file")
        elif name.lower().endswith(MISNAMED):
            self.fail(path, "not read: a fact log's name must end in .jsonl")
        elif not (_is_readme(name) or name.lower().endswith(others)):
            self.warn(path, "not a fact log (its name does not end in .jsonl)")


def find_fact_files(
    paths: Iterable[str], empty_ok: bool = False, others: tuple[str, ...] = ()
) -> FactFiles:
    """The fact logs that ``paths`` name (files as given, folders walked), and every skip.

    ``empty_ok`` lets a folder hold no fact log; ``others`` are name endings of files that
    another reader takes (``validate`` reads a folder's YAML rule files), not said.
    """
    found = FactFiles()
    for p in paths:
        found.add_path(Path(p), empty_ok, others)
    return found


def fact_paths(paths: list[str]) -> list[Path]:
    """The fact logs that ``paths`` name, in order, each once."""
    return find_fact_files(paths, empty_ok=True).paths
