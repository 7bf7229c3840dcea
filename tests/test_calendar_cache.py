"""The calendars' days kept on disk (``engine.days.calendar_cache``): built once with the
libraries, then read back without them, the same days; a file that is not whole, or not
the one wanted, is built again; a cache folder that cannot be written is no error."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from engine.days.calendar_cache import cache_folder, cached_days

ROOT = Path(__file__).resolve().parent.parent

# Known days, from the exchanges' and the Fed's published calendars: the NYSE was closed
# 11-14 September 2001 and reopened on Monday the 17th; Good Friday (9 April 2004) closes
# the NYSE but not the Fed; Columbus Day (11 October 2004) closes the Fed but not the NYSE;
# 1 January 1990 was a holiday of the NYSE, whose first session is 2 January 1990.
_PROBE = """
import json, sys
from datetime import date
from engine.days.calendars import get_calendar
x, f = get_calendar("XNYS"), get_calendar("XFED")
days = {str(d): [x.is_day(d), f.is_day(d)] for d in (date(2001, 9, 11), date(2001, 9, 14),
    date(2001, 9, 17), date(2004, 4, 9), date(2004, 10, 11))}
print(json.dumps({"days": days, "first": str(x.days[0]),
    "counts": [len(x.days), len(f.days)], "libraries": ["pandas" in sys.modules,
    "exchange_calendars" in sys.modules, "holidays" in sys.modules]}))
"""
_EXPECTED = {
    "2001-09-11": [False, True],
    "2001-09-14": [False, True],
    "2001-09-17": [True, True],
    "2004-04-09": [False, True],
    "2004-10-11": [True, False],
}


def _probe(cache: Path) -> dict[str, object]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, cwd=ROOT, env=env,
        check=True,
    )  # fmt: skip
    return json.loads(done.stdout)


def test_days_built_once_then_read_back_without_the_libraries(tmp_path: Path) -> None:
    built = _probe(tmp_path)
    assert built["libraries"] == [True, True, True]
    files = sorted(p.name for p in (tmp_path / "clausewatch").iterdir())
    assert len(files) == 2
    assert files[0].startswith("XFED-holidays-")
    assert files[0].endswith("-1990-01-01-2045-12-31.days")
    assert files[1].startswith("XNYS-exchange_calendars-") and "-pandas-" in files[1]
    read = _probe(tmp_path)
    assert read["libraries"] == [False, False, False]
    assert read["days"] == built["days"] == _EXPECTED
    assert read["first"] == built["first"] == "1990-01-02"
    assert read["counts"] == built["counts"]


FIRST, LAST = date(2000, 1, 1), date(2000, 12, 31)
DAYS = (date(2000, 1, 3), date(2000, 1, 4), date(2000, 7, 5))


def _days(calls: list[int]) -> tuple[date, ...]:
    calls.append(1)
    return DAYS


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache folder of a test of its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = cache_folder()
    assert folder == tmp_path / "clausewatch"
    return folder


def _keep(calls: list[int]) -> tuple[date, ...]:
    return cached_days("T", ("pytest",), FIRST, LAST, lambda: _days(calls))


def test_written_once_then_read(cache: Path) -> None:
    calls: list[int] = []
    assert _keep(calls) == DAYS and calls == [1]
    (path,) = cache.iterdir()
    assert path.name.startswith("T-pytest-") and path.name.endswith("-2000-01-01-2000-12-31.days")
    head, body = path.read_text().split("\n", 1)
    assert body == "2000-01-03\n2000-01-04\n2000-07-05\n"
    assert head.endswith(f" 3 {hashlib.sha256(body.encode()).hexdigest()}")
    assert _keep(calls) == DAYS and calls == [1]  # read back, not built


def _waited(*_: object) -> None:
    raise AssertionError("reading the cache waited for 10 s")


def _rewrite(path: Path, head: str, body: str) -> None:
    digest = hashlib.sha256(body.encode()).hexdigest()
    path.write_text(f"{head} {body.count(chr(10))} {digest}\n{body}")


@pytest.mark.parametrize(
    "damage",
    [
        "truncated",
        "a date changed",
        "not text",
        "empty",
        "another range",
        "another builder",
        "days out of order",
        "a day out of range",
        "a weekend day",
        "too large",
        "a pipe",
    ],
)
def test_a_file_not_whole_or_not_the_one_wanted_is_built_again(
    cache: Path, damage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    _keep(calls)
    (path,) = cache.iterdir()
    text = path.read_text()
    head = text.split("\n", 1)[0].rsplit(" ", 2)[0]
    if damage == "truncated":
        path.write_text(text[:-6])
    elif damage == "a date changed":
        path.write_text(text.replace("2000-07-05", "2000-07-06"))
    elif damage == "not text":
        path.write_bytes(b"\xff\xfe" + text.encode())
    elif damage == "empty":
        path.write_text("")
    elif damage == "another range":
        _rewrite(path, head.replace("2000-12-31", "2001-12-31"), "2000-01-03\n")
    elif damage == "another builder":  # the source of the code that builds the days changed
        _rewrite(path, head[:-64] + "0" * 64, "2000-01-03\n")
    elif damage == "days out of order":
        _rewrite(path, head, "2000-01-04\n2000-01-03\n")
    elif damage == "a weekend day":  # (its sha256 made again: only the days tell)
        _rewrite(path, head, "2000-01-01\n2000-01-03\n")
    elif damage == "too large":  # over 1 MiB: never one of ours (56 years: about 155 KB)
        with path.open("ab") as fh:
            fh.truncate(1 << 30)  # (sparse: nothing written; reading it would take 1 GiB)
        read = Path.read_bytes

        def not_that_one(self: Path) -> bytes:
            assert self != path or self.stat().st_size < 1 << 20, "a file over 1 MiB read"
            return read(self)

        monkeypatch.setattr(Path, "read_bytes", not_that_one)
    elif damage == "a pipe":  # reading it would wait for a writer forever
        path.unlink()
        os.mkfifo(path)
        signal.signal(signal.SIGALRM, _waited)  # (a failure, not a test run that hangs)
        signal.alarm(10)
    else:
        _rewrite(path, head, "1999-12-31\n2000-01-03\n")
    try:
        assert _keep(calls) == DAYS and calls == [1, 1]  # built again
    finally:
        signal.alarm(0)
    assert path.is_file() and path.read_text() == text  # and the file made whole again
    assert _keep(calls) == DAYS and calls == [1, 1]


def test_a_cache_folder_that_cannot_be_written_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    calls: list[int] = []
    assert _keep(calls) == DAYS and _keep(calls) == DAYS
    assert calls == [1, 1]  # built each time: nothing could be kept
    assert blocked.read_text() == "not a folder"


def test_a_relative_cache_home_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_folder() == tmp_path / ".cache" / "clausewatch"
    monkeypatch.setenv("HOME", "relative-home")  # nor a relative home: no cache then
    assert cache_folder() is None


@pytest.mark.parametrize("fails", ["writing", "renaming"])
def test_a_write_that_fails_leaves_nothing_behind(
    cache: Path, monkeypatch: pytest.MonkeyPatch, fails: str
) -> None:
    def full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    made = tempfile.NamedTemporaryFile

    class Aside:  # a file made aside, whose writing fails
        def __init__(self, **options: Any) -> None:
            self.file = made(**options)
            self.name = self.file.name

        def __enter__(self) -> Aside:
            return self

        def __exit__(self, *_: object) -> None:
            self.file.close()

        write = full

    if fails == "writing":
        monkeypatch.setattr(tempfile, "NamedTemporaryFile", Aside)
    else:
        monkeypatch.setattr(os, "replace", full)
    calls: list[int] = []
    assert _keep(calls) == DAYS and calls == [1]
    assert list(cache.iterdir()) == []  # the file made aside removed, none renamed
