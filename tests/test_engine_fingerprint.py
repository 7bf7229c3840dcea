"""The engine's fingerprint (``engine.run.digest.engine_fingerprint``), part of every
instance's digest for the nightly delta: another version of any library that decides
dates (the calendars' holidays included) or matches makes every instance evaluated again."""

from __future__ import annotations

from importlib import metadata

import pytest

from engine.run import digest


@pytest.mark.parametrize(
    "library",
    ["durable_rules", "exchange_calendars", "holidays", "pandas", "python-dateutil", "pendulum"],
)
def test_another_version_of_a_library_deciding_dates_changes_it(
    library: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed = metadata.version
    digest.engine_fingerprint.cache_clear()
    before = digest.engine_fingerprint()

    def other(name: str) -> str:
        return "0.0.1-other" if name == library else installed(name)

    monkeypatch.setattr(digest.metadata, "version", other)
    digest.engine_fingerprint.cache_clear()
    try:
        assert digest.engine_fingerprint() != before
    finally:
        monkeypatch.undo()
        digest.engine_fingerprint.cache_clear()
    assert digest.engine_fingerprint() == before
