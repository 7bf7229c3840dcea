"""The deadline calendar (``clausewatch calendar``, engine/ics.py), read back twice.

Every file is parsed with ``icalendar`` and again with ``vobject``, an independent parser.
Expected values were worked by hand from rules/nhtc-series-j.yaml and a printed calendar,
never by running the code under test:

- funding-deadline (1(d)): 17:00 New York time on the 3rd NYSE trading day after the day
  of acceptance. Accepted Fri 2000-02-04: Mon 7, Tue 8, Wed 9 Feb -> Wed 2000-02-09 17:00
  EST (-05:00) = 22:00Z. Accepted Fri 2000-03-31: Mon 3, Tue 4, Wed 5 Apr -> Wed
  2000-04-05 17:00 EDT (-04:00, DST began Sun 2000-04-02) = 21:00Z. No NYSE holiday on
  those days (Washington's Birthday was Mon 21 Feb, Good Friday Fri 21 Apr).
- The event of a timed deadline is 15 minutes long and ends at it: 16:45-17:00.
- conversion-delivery (5(c)): due the end of the notice's delivery_date: an all-day event
  on that date, DTEND the next day.
- DTSTAMP is the run's time, passed in (here 2000-02-07 07:30:05 UTC).
- With acceptance and two conversion notices only, as of 2000-02-07, the open findings with
  a due are the funding deadline and the two deliveries: the closing-date duties, the
  Meeting Date and the ends of the prohibitions wait for facts not in the log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
import vobject

from engine.output.ics import citation, event_uid, offset_text, parse_offset, to_ics

RULES = str(Path(__file__).resolve().parent.parent / "rules")
NY = "America/New_York"
RUN_TIME = datetime(2000, 2, 7, 7, 30, 5, tzinfo=UTC)  # the run's time, given by the CLI
FUNDING_SUMMARY = "Buyer: deposit the Purchase Price with the Escrow Agent (SPA 1(d))"


def fact(fid: str, ftype: str, at: str, **fields: Any) -> dict[str, Any]:
    return {"id": fid, "type": ftype, "at": at, **fields}


def notice(fid: str, at: str, notice_id: str, delivery: str) -> dict[str, Any]:
    return fact(
        fid, "conversion_notice", at, notice_id=notice_id, delivery_date=delivery, amount=10000
    )


WINTER = [
    fact("acc", "agreement_accepted", "2000-02-04"),
    notice("n1", "2000-02-07T10:00", "N1", "2000-02-10"),
    notice("n2", "2000-02-07T11:00", "N2", "2000-02-14"),
]
SUMMER = [fact("acc", "agreement_accepted", "2000-03-31")]


@pytest.fixture
def ics(run: Callable[..., Any], contracts: list[Any]) -> Callable[..., str]:
    """The calendar of ``facts`` as of ``as_of``, as text."""

    def _ics(facts: list[dict[str, Any]], as_of: str, **kwargs: Any) -> str:
        result = run(facts, as_of)
        kwargs.setdefault("now", RUN_TIME)
        return to_ics(result.findings, contracts, date.fromisoformat(as_of), **kwargs).decode()

    return _ics


def events(text: str) -> dict[str, Any]:
    """icalendar's VEVENTs by summary."""
    cal = icalendar.Calendar.from_ical(text)
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}


def vevents(text: str) -> dict[str, Any]:
    """vobject's VEVENTs by summary."""
    cal = vobject.readOne(text)
    return {e.summary.value: e for e in cal.vevent_list}


def n_summary(key: str) -> str:
    return f"Company: deliver the conversion shares by the Delivery Date (SPA 5(c)) [{key}]"


# --- times and days ---------------------------------------------------------------------


def test_winter_deadline_is_a_timed_event_ending_at_17_est(ics: Callable[..., str]) -> None:
    text = ics(WINTER, "2000-02-07")
    assert "DTSTART;TZID=America/New_York:20000209T164500" in text
    assert "DTEND;TZID=America/New_York:20000209T170000" in text
    ev = events(text)[FUNDING_SUMMARY]
    assert ev["DTSTART"].params["TZID"] == NY
    end = ev["DTEND"].dt
    assert end.utcoffset() == timedelta(hours=-5)
    assert end.astimezone(UTC) == datetime(2000, 2, 9, 22, 0, tzinfo=UTC)
    assert ev["DTSTART"].dt.astimezone(UTC) == datetime(2000, 2, 9, 21, 45, tzinfo=UTC)
    vev = vevents(text)[FUNDING_SUMMARY]
    assert vev.dtend.value.utcoffset() == timedelta(hours=-5)
    assert vev.dtend.value.astimezone(UTC) == datetime(2000, 2, 9, 22, 0, tzinfo=UTC)


def test_summer_deadline_across_the_dst_switch_is_17_edt(ics: Callable[..., str]) -> None:
    text = ics(SUMMER, "2000-03-31")
    assert "DTSTART;TZID=America/New_York:20000405T164500" in text
    assert "DTEND;TZID=America/New_York:20000405T170000" in text
    ev = events(text)[FUNDING_SUMMARY]
    assert ev["DTEND"].dt.utcoffset() == timedelta(hours=-4)
    assert ev["DTEND"].dt.astimezone(UTC) == datetime(2000, 4, 5, 21, 0, tzinfo=UTC)
    vev = vevents(text)[FUNDING_SUMMARY]
    assert vev.dtstart.value.utcoffset() == timedelta(hours=-4)
    assert vev.dtstart.value.astimezone(UTC) == datetime(2000, 4, 5, 20, 45, tzinfo=UTC)
    assert vev.dtend.value.astimezone(UTC) == datetime(2000, 4, 5, 21, 0, tzinfo=UTC)


def test_vtimezone_for_new_york_is_included(ics: Callable[..., str]) -> None:
    cal = icalendar.Calendar.from_ical(ics(SUMMER, "2000-03-31"))
    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == [NY]
    assert vobject.readOne(ics(SUMMER, "2000-03-31")).vtimezone.tzid.value == NY


def test_end_of_day_deadline_is_an_all_day_event(ics: Callable[..., str]) -> None:
    text = ics(WINTER, "2000-02-07")
    assert "DTSTART;VALUE=DATE:20000210" in text
    assert "DTEND;VALUE=DATE:20000211" in text
    ev = events(text)[n_summary("N1")]
    assert ev["DTSTART"].dt == date(2000, 2, 10)
    assert ev["DTEND"].dt == date(2000, 2, 11)
    vev = vevents(text)[n_summary("N2")]
    assert vev.dtstart.value == date(2000, 2, 14)
    assert vev.dtend.value == date(2000, 2, 15)
    assert not isinstance(vev.dtstart.value, datetime)


def test_only_open_deadlines_with_a_due_date(ics: Callable[..., str]) -> None:
    assert sorted(events(ics(WINTER, "2000-02-07"))) == sorted(
        [FUNDING_SUMMARY, n_summary("N1"), n_summary("N2")]
    )


# --- identity: UIDs and DTSTAMP ----------------------------------------------------------

LATER = [
    *WINTER,
    fact("dep", "purchase_price_deposited", "2000-02-08T12:00", amount=1000000),
    notice("n3", "2000-02-08T10:00", "N3", "2000-02-15"),
]


def uids(text: str) -> dict[str, str]:
    return {name: str(ev["UID"]) for name, ev in events(text).items()}


def test_uids_stable_across_as_of_dates_and_facts(ics: Callable[..., str]) -> None:
    first = uids(ics(WINTER, "2000-02-07"))
    later = uids(ics(LATER, "2000-02-08", include_past=True))
    assert later["Met: " + FUNDING_SUMMARY] == first[FUNDING_SUMMARY]
    assert later[n_summary("N1")] == first[n_summary("N1")]
    assert later[n_summary("N2")] == first[n_summary("N2")]
    assert later[n_summary("N3")] not in first.values()
    v = {
        e.summary.value: e.uid.value for e in vobject.readOne(ics(LATER, "2000-02-08")).vevent_list
    }
    assert v[n_summary("N1")] == first[n_summary("N1")]


def test_uids_differ_per_key_and_name_clausewatch(ics: Callable[..., str]) -> None:
    found = uids(ics(WINTER, "2000-02-07"))
    assert len(set(found.values())) == 3
    assert all(u.endswith("@clausewatch") for u in found.values())
    assert event_uid("c", "r", "N1") != event_uid("c", "r", "N2")
    assert event_uid("c", "r", None) != event_uid("c", "r", "")


def test_same_inputs_same_bytes_and_dtstamp_is_the_run_time(ics: Callable[..., str]) -> None:
    # Issue 10: DTSTAMP is when the run made the file (the CLI passes its clock in), not
    # the end of the as-of day, which may be in the future.
    one, two = ics(WINTER, "2000-02-07"), ics(WINTER, "2000-02-07")
    assert one == two
    stamps = {str(ev["DTSTAMP"].to_ical(), "ascii") for ev in events(one).values()}
    assert stamps == {"20000207T073005Z"}
    for ev in vobject.readOne(one).vevent_list:
        assert ev.dtstamp.value == datetime(2000, 2, 7, 7, 30, 5, tzinfo=UTC)
    later = ics(WINTER, "2000-02-07", now=datetime(2000, 2, 7, 9, 0, tzinfo=UTC))
    assert later != one and later.replace("20000207T090000Z", "20000207T073005Z") == one


# --- reminders, title, description ------------------------------------------------------


def test_default_reminders_seven_days_and_one_day_before(ics: Callable[..., str]) -> None:
    text = ics(WINTER, "2000-02-07")
    timed = events(text)[FUNDING_SUMMARY]
    alarms = timed.walk("VALARM")
    assert [a["TRIGGER"].dt for a in alarms] == [timedelta(days=-7), timedelta(days=-1)]
    assert all(str(a["ACTION"]) == "DISPLAY" for a in alarms)
    assert all(a["TRIGGER"].params["RELATED"] == "END" for a in alarms)
    assert "TRIGGER;RELATED=END:-P7D" in text and "TRIGGER;RELATED=END:-P1D" in text
    assert "TRIGGER:-P7D" in text  # the all-day events: relative to the start of the day
    vev = vevents(text)[n_summary("N1")]
    assert sorted(a.trigger.value for a in vev.valarm_list) == [
        timedelta(days=-7),
        timedelta(days=-1),
    ]
    assert {a.action.value for a in vev.valarm_list} == {"DISPLAY"}


def test_custom_reminders(ics: Callable[..., str]) -> None:
    text = ics(SUMMER, "2000-03-31", reminders=[parse_offset("2h"), parse_offset("30m")])
    alarms = events(text)[FUNDING_SUMMARY].walk("VALARM")
    assert [a["TRIGGER"].dt for a in alarms] == [timedelta(hours=-2), timedelta(minutes=-30)]
    assert "TRIGGER;RELATED=END:-PT2H" in text and "TRIGGER;RELATED=END:-PT30M" in text


def test_description_has_clause_section_message_and_facts(ics: Callable[..., str]) -> None:
    text = ics(WINTER, "2000-02-07")
    desc = str(events(text)[FUNDING_SUMMARY]["DESCRIPTION"])
    assert "section 1(d)" in desc
    assert "Not later than 5:00 p.m., New York time, on the date which is three (3)" in desc
    assert "Facts: acc." in desc
    assert "Wed 2000-02-09 17:00 EST" in desc
    vdesc = vevents(text)[n_summary("N1")].description.value
    assert "section 5(c)" in vdesc and "Facts: n1." in vdesc
    assert "a delay in the issuance of the Shares of Common Stock beyond the Delivery Date" in vdesc


def test_past_findings_only_when_asked_without_reminders(ics: Callable[..., str]) -> None:
    # As of Thu 2000-02-10 with no deposit, the 2000-02-09 17:00 deadline is breached.
    assert FUNDING_SUMMARY not in " ".join(events(ics(WINTER, "2000-02-10")))
    ev = events(ics(WINTER, "2000-02-10", include_past=True))["BREACHED: " + FUNDING_SUMMARY]
    assert ev.walk("VALARM") == []


# --- helpers and the command line ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", timedelta(days=7)),
        ("1d", timedelta(days=1)),
        ("2h", timedelta(hours=2)),
        ("30m", timedelta(minutes=30)),
        ("1w", timedelta(days=7)),
        ("1d12h", timedelta(days=1, hours=12)),
    ],
)
def test_parse_offset(text: str, expected: timedelta) -> None:
    assert parse_offset(text) == expected


@pytest.mark.parametrize("text", ["", "3x", "d", "-1d", "1.5h"])
def test_parse_offset_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="malformed reminder"):
        parse_offset(text)


def test_offset_text_and_citation() -> None:
    assert offset_text(timedelta(days=7)) == "7 days"
    assert offset_text(timedelta(days=1, hours=12)) == "1 day 12 hours"
    assert citation("NHTC Series J Securities Purchase Agreement", "1(d)") == "SPA 1(d)"
    assert citation("Office Lease", "2") == "§ 2"


def test_cli_writes_stdout_or_file_and_exits_0(
    cli: Callable[..., tuple[int, str, str]],
    write_facts: Callable[..., Path],
    tmp_path: Path,
) -> None:
    facts = str(write_facts(WINTER))
    args = ["calendar", "--rules", RULES, "--facts", facts, "--as-of", "2000-02-10"]
    code, out, err = cli(args)  # the funding deadline is breached: still exit 0
    assert (code, err) == (0, "")
    assert out.startswith("BEGIN:VCALENDAR\r\n")
    assert FUNDING_SUMMARY not in out
    target = tmp_path / "deadlines.ics"
    code, out, err = cli([*args, "--include-past", "--remind", "2h", "--out", str(target)])
    assert (code, out, err) == (0, "", "")
    data = target.read_bytes()
    assert b"\r\n" in data and b"\nBEGIN:VEVENT\r\n" in data
    assert "BREACHED: " + FUNDING_SUMMARY in events(data.decode())
    alarms = events(data.decode())[n_summary("N2")].walk("VALARM")
    assert [a["TRIGGER"].dt for a in alarms] == [timedelta(hours=-2)]


def test_cli_bad_input_exits_2(
    cli: Callable[..., tuple[int, str, str]], write_facts: Callable[..., Path]
) -> None:
    facts = str(write_facts(WINTER))
    code, out, err = cli(["calendar", "--rules", RULES, "--facts", facts, "--as-of", "2000-13-01"])
    assert (code, out) == (2, "")
    assert err.startswith("--as-of: ")
    code, _, err = cli(["calendar", "--rules", RULES, "--facts", facts, "--remind", "soon"])
    assert code == 2 and "malformed reminder" in err


# --- deadlines only; the run's time; updates with the run history (issue 10) ---------------


def test_a_prohibition_window_end_is_not_an_event(ics: Callable[..., str]) -> None:
    # Accepted 2000-02-04, effective 2000-05-16: rofr-notice (4(j)(i)) is in force through
    # Thu 2001-01-11 (240 days); as of 2001-01-05 that is the end of a window, not a
    # deadline, so the calendar has no event for it (it had a "last day in force" one).
    facts = [
        fact("acc", "agreement_accepted", "2000-02-04"),
        fact("eff", "effective_date", "2000-05-16"),
    ]
    titles = " ".join(events(ics(facts, "2001-01-05", include_past=True)))
    assert "offer every New Transaction" not in titles and "in force" not in titles
    assert "BREACHED: " + FUNDING_SUMMARY in titles  # the past deadline is still there


def test_dtstamp_is_the_wall_clock_time_of_the_cli_run(
    cli: Callable[..., tuple[int, str, str]], write_facts: Callable[..., Path]
) -> None:
    facts = str(write_facts(WINTER))
    before = datetime.now(UTC).replace(microsecond=0)
    args = ["calendar", "--rules", RULES, "--facts", facts, "--as-of", "2045-12-01"]
    code, out, _ = cli([*args, "--include-past"])
    after = datetime.now(UTC)
    stamps = {ev["DTSTAMP"].dt for ev in icalendar.Calendar.from_ical(out).walk("VEVENT")}
    [stamp] = stamps or [None]
    assert code == 0 and stamp is not None
    assert before <= stamp <= after  # not the end of the as-of day, 2045-12-02


def by_uid(text: str) -> dict[str, Any]:
    """Each VEVENT by UID: (summary, sequence, status, dtstart, alarms)."""
    out = {}
    for ev in icalendar.Calendar.from_ical(text).walk("VEVENT"):
        status = str(ev.get("STATUS", ""))
        start = ev["DTSTART"].dt
        alarms = len(ev.walk("VALARM"))
        out[str(ev["UID"])] = (str(ev["SUMMARY"]), int(ev["SEQUENCE"]), status, start, alarms)
    return out


def test_sequence_and_cancellations_with_the_run_history(
    cli: Callable[..., tuple[int, str, str]], write_facts: Callable[..., Path], tmp_path: Path
) -> None:
    db = tmp_path / "h.sqlite"
    funding = event_uid("nhtc-series-j", "funding-deadline", None)
    n1 = event_uid("nhtc-series-j", "conversion-delivery", "N1")
    n2 = event_uid("nhtc-series-j", "conversion-delivery", "N2")

    def calendar(facts: list[dict[str, Any]], as_of: str, *extra: str) -> dict[str, Any]:
        path = str(write_facts(facts))
        args = ["calendar", "--rules", RULES, "--facts", path, "--as-of", as_of, *extra]
        code, out, err = cli([*args, "--history", str(db)])
        assert (code, err) == (0, "")
        return by_uid(out)

    # Night 1 (as of Mon 02-07): three open deadlines, all SEQUENCE 0.
    first = calendar(WINTER, "2000-02-07")
    assert {u: v[1:3] for u, v in first.items()} == {funding: (0, ""), n1: (0, ""), n2: (0, "")}

    # Night 2 (Tue 02-08): N1 delivered on time (met); N2's notice corrected to a
    # Delivery Date of Wed 02-16 (its deadline changed); the funding deadline unchanged.
    corrected = notice("n2", "2000-02-07T11:00", "N2", "2000-02-16")
    delivered = fact("d1", "conversion_shares_delivered", "2000-02-08T10:00", notice_id="N1")
    second = calendar([*WINTER[:2], corrected, delivered], "2000-02-08")
    assert second[funding][1:3] == (0, "")  # same dates: same sequence
    assert second[n2][1:4] == (1, "", date(2000, 2, 16))  # moved: sequence raised
    assert second[n1][:3] == ("Cancelled: " + n_summary("N1"), 1, "CANCELLED")  # met
    assert second[n1][3:] == (date(2000, 2, 10), 0)  # its old day, no reminders

    # Night 3 (Wed 02-09, end of day): the deposit never came: the funding deadline is
    # sent with its final status (not cancelled: it did fall due); N1's cancellation is
    # sent again, unchanged, until its day (02-10) has passed.
    third = calendar([*WINTER[:2], corrected, delivered], "2000-02-09")
    assert third[funding][:3] == ("BREACHED: " + FUNDING_SUMMARY, 1, "")
    assert third[n1][1:3] == (1, "CANCELLED")
    assert third[n2][1] == 1

    # Night 4 (Fri 02-11): both are past their day and forgotten; N2 still SEQUENCE 1.
    fourth = calendar([*WINTER[:2], corrected, delivered], "2000-02-11")
    assert set(fourth) == {n2} and fourth[n2][1] == 1

    # N2's notice withdrawn from the log (gone): cancelled, and says why.
    path = str(write_facts(WINTER[:1]))
    args = ["calendar", "--rules", RULES, "--facts", path, "--as-of", "2000-02-12"]
    _, out, _ = cli([*args, "--history", str(db)])
    [gone] = icalendar.Calendar.from_ical(out).walk("VEVENT")
    assert (str(gone["UID"]), int(gone["SEQUENCE"]), str(gone["STATUS"])) == (n2, 2, "CANCELLED")
    assert str(gone["DESCRIPTION"]).startswith(
        "No longer reported as of the end of Sat 2000-02-12 (its facts or rules changed)."
    )


def test_without_history_nothing_is_remembered(
    cli: Callable[..., tuple[int, str, str]], write_facts: Callable[..., Path], tmp_path: Path
) -> None:
    delivered = fact("d1", "conversion_shares_delivered", "2000-02-08T10:00", notice_id="N1")
    for facts, as_of in ((WINTER, "2000-02-07"), ([*WINTER, delivered], "2000-02-08")):
        path = str(write_facts(facts))
        code, out, _ = cli(["calendar", "--rules", RULES, "--facts", path, "--as-of", as_of])
        assert code == 0
        assert all(v[1:3] == (0, "") for v in by_uid(out).values())
    assert list(tmp_path.glob("*.sqlite")) == []


def test_history_not_used_when_a_contract_could_not_be_checked(
    cli: Callable[..., tuple[int, str, str]], write_facts: Callable[..., Path], tmp_path: Path
) -> None:
    # Two instances, A and B, of the seed template. A notice with no delivery_date holds
    # back B: its open deadlines are not listed and must not be sent cancelled as if they
    # were gone; the calendar does not use (nor change) the history on such a run.
    portfolio = tmp_path / "portfolio.yaml"
    portfolio.write_text(
        "instances:\n  - {id: a, template: nhtc-series-j}\n  - {id: b, template: nhtc-series-j}\n",
        encoding="utf-8",
    )
    db = tmp_path / "h.sqlite"
    facts = [{**f, "id": f"{c}-{f['id']}", "contract": c} for c in ("a", "b") for f in WINTER]
    bad_line = {**notice("n9", "2000-02-07T12:00", "N9", "2000-02-20"), "contract": "b"}
    del bad_line["delivery_date"]
    good, bad = str(write_facts(facts)), str(write_facts([*facts, bad_line]))
    base = ["calendar", "--rules", RULES, "--rules", str(portfolio), "--history", str(db)]
    code, out, _ = cli([*base, "--facts", good, "--as-of", "2000-02-07"])
    assert code == 0 and len(by_uid(out)) == 6
    code, out, err = cli([*base, "--facts", bad, "--as-of", "2000-02-07"])
    assert code == 2 and "CANCELLED" not in out and len(by_uid(out)) == 3  # A's only
    assert "calendar history not used: some contracts could not be checked" in err
    code, out, _ = cli([*base, "--facts", good, "--as-of", "2000-02-08"])
    assert code == 0 and len(by_uid(out)) == 6
    assert {v[1:3] for v in by_uid(out).values()} == {(0, "")}  # nothing was cancelled
