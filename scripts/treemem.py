"""The memory of a process and all its descendants, sampled while it runs (Linux /proc).

Two sums over the tree, each sample: RSS (what ``top`` shows; pages shared by forked
workers with their parent are counted once per process) and PSS (each shared page
divided among the processes sharing it: the honest total for forked workers). The peaks
of both are kept. Elsewhere than Linux nothing is sampled (the peaks stay 0).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

PAGE_KIB = 4


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
    return found


def _kib(pid: int) -> tuple[int, int]:
    """RSS and PSS of one process in KiB (0, 0 if it is gone)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    rss = pss = 0
    for line in text.splitlines():
        if line.startswith("Rss:"):
            rss = int(line.split()[1])
        elif line.startswith("Pss:"):
            pss = int(line.split()[1])
    return rss, pss


@dataclass
class TreeMemory:
    """Samples the tree under ``pid`` every ``every`` seconds until stopped."""

    pid: int
    every: float = 0.1
    peak_rss_kib: int = 0
    peak_pss_kib: int = 0
    most_processes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> None:
        """Take one sample."""
        pids = descendants(self.pid)
        sizes = [_kib(p) for p in pids]
        self.peak_rss_kib = max(self.peak_rss_kib, sum(r for r, _ in sizes))
        self.peak_pss_kib = max(self.peak_pss_kib, sum(p for _, p in sizes))
        self.most_processes = max(self.most_processes, sum(1 for r, _ in sizes if r))

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()

    def __enter__(self) -> TreeMemory:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
