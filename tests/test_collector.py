"""Python's cycle collector around a run (``engine.collector``): paused while a log is read,
a part evaluated or a report rendered, and what a command set aside given back when it
ends, so that a program running many commands in one process keeps its collector."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from engine.cli import main
from engine.collector import collector_paused

ROOT = Path(__file__).resolve().parent.parent


def test_a_pause_restores_the_collector_even_when_the_block_fails():
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        assert not gc.isenabled()
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_pause_leaves_a_collector_that_was_off_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("extra", [[], ["--jobs", "2"], ["--format", "text"]])
def test_a_command_gives_back_what_it_set_aside(extra, capsys):
    assert gc.get_freeze_count() == 0
    code = main(["check", "--rules", str(ROOT / "rules"), "--facts", str(ROOT / "facts"),
                 "--as-of", "2001-12-31", "--quiet", *extra])
    capsys.readouterr()
    assert code in (0, 1)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # the rules and facts read are the collector's again


def test_bad_input_gives_back_what_was_set_aside(tmp_path, capsys):
    log = tmp_path / "bad.jsonl"
    log.write_text('{"id": "x", "type": "no_such_type", "at": "2001-01-02"}\n')
    code = main(["check", "--rules", str(ROOT / "rules"), "--facts", str(log),
                 "--as-of", "2001-12-31"])
    assert code == 2
    assert "no_such_type" in capsys.readouterr().err
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_freeze_made_by_the_program_running_the_command_is_left_alone(capsys):
    keep = [{"made": "before the command"}]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        main(["check", "--rules", str(ROOT / "rules"), "--facts", str(ROOT / "facts"),
              "--as-of", "2001-12-31", "--quiet"])
        capsys.readouterr()
        # neither unfrozen (0) nor added to (the command's rules and facts: thousands of
        # objects); a frozen object may have been freed meanwhile
        assert 0 < gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()
    assert keep


def test_what_is_made_after_the_first_set_aside_is_set_aside_with_it():
    """The run's findings are set aside after the facts (``load_and_evaluate_delta``), and
    the command's end gives back both."""
    from engine.collector import give_back, set_aside

    read = [[n] for n in range(1000)]
    set_aside()
    try:
        first = gc.get_freeze_count()
        found = [[n] for n in range(1000)]
        set_aside()
        assert gc.get_freeze_count() >= first + 1000  # the lists made since, at least
    finally:
        give_back()
    assert gc.get_freeze_count() == 0
    assert read and found
