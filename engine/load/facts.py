"""Fact logs: ``.jsonl`` files read, validated against the contracts' vocabularies, sorted.

Every line is a fact or a reported problem: nothing is silently dropped. Blank
lines are allowed. Every problem of a line is reported (not only the first), at
``path:line:col`` where the column of the offending key or value is known. Facts are
sorted by ``at``; ties keep file order (files in the order given, folders in name order).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from operator import attrgetter
from typing import Any

from engine.collector import collector_paused
from engine.days.instants import InstantError
from engine.diagnostics import Diagnostic, InputError, Location, excerpt, shorten, suggest
from engine.load.builtins import REFERRING, reference_problems
from engine.load.fact_chunks import chunk_lines, chunks, log_data, plain_objects
from engine.load.fact_files import FactFiles, find_fact_files
from engine.load.fact_line import EXACT as _DECODER
from engine.load.fact_line import (
    PlainFields,
    instant,
    lone_surrogate,
    numbered,
    plain_object,
)
from engine.load.fact_line import field_values as _fields
from engine.load.fact_line import key_columns as _columns
from engine.load.fact_line import name as _name
from engine.load.fact_takers import ALL, Takers
from engine.model import Contract, Fact, FactType

_SLOW = object()  # the fast path's answer for a line that must be read the exact way
_NO_ID = object()
_NO_ROUTE = object()  # a route not worked out yet (None is one: an instance held back)
_tuple_new = tuple.__new__
_fact_id = attrgetter("id")
_fact_loc = attrgetter("loc")
Route = tuple[str, FactType, str, PlainFields]  # see FactReader._fast_route


class FactReader(Takers):
    """Reads fact logs against a set of contracts, collecting every problem.

    A fact goes to the instance its ``contract`` names; ``"*"`` sends it to every
    instance whose template can take its type; without ``contract`` it goes to the one
    instance that can take its type, and is an error where several can. Each problem
    is also charged to the instances it may concern (``blame``), so that the others can
    still be checked: the instance named, else those that can take the fact's type,
    else every instance.
    """

    def __init__(
        self,
        contracts: list[Contract],
        held_back: Collection[str] = (),
        held_types: Collection[str] = (),
    ) -> None:
        super().__init__(contracts)
        self.held_back = frozenset(held_back) - self.instance_ids.keys()
        self.held_types = frozenset(held_types)  # fact types of templates that did not load
        self.problems: list[Diagnostic] = []
        self.blame: dict[str, list[Diagnostic]] = {}
        self.warnings: list[Diagnostic] = []  # files skipped (see engine.load.fact_files)
        self.seen_ids: dict[str, Location] = {}
        self.facts: list[Fact] = []  # the sound facts of the last ``read``, numbered
        self.routes: dict[str, dict[Any, Any]] = {}  # type -> contract -> ``_fast_route``
        self.plain_fields: dict[int, PlainFields] = {}  # id of a fact type -> its check
        self.kept: list[FactType] = []  # the fact types of ``plain_fields`` (ids stay theirs)

    def _charge(self, obj: Any, contract: str | None, problems: list[Diagnostic]) -> None:
        """Charge a line's problems to the instances it may concern (a file's: to all)."""
        if not problems:
            return
        if contract is not None and contract != ALL:
            who = [contract]
        elif isinstance(obj, dict) and isinstance(obj.get("type"), str):
            who = self._takers(obj["type"]) or list(self.instance_ids)
        else:
            who = list(self.instance_ids)
        for instance in who:
            self.blame.setdefault(instance, []).extend(problems)

    def parse_line(self, loc: Location, line: str | bytes) -> Fact | None:
        """One line to a Fact (not yet numbered), or None with every problem of the line
        recorded: the fast way when it can be, else exactly.

        ``line`` is text, or UTF-8 bytes known to be valid (as ``read`` gives them).
        """
        obj = plain_object(line)
        if obj is not None:
            found = self._fast_checked(loc, obj)
            if found is not _SLOW:
                return found  # type: ignore[return-value]
        return self._exact(loc, line if isinstance(line, str) else line.decode("utf-8"))

    def _fast_checked(self, loc: Location, obj: dict[str, Any]) -> Fact | object | None:
        """:meth:`_fast`, and the fact's id checked against those seen (``_SLOW`` if seen:
        ``_exact`` says so), then recorded."""
        fact = self._fast(loc, obj)
        if type(fact) is Fact:
            if fact.id in self.seen_ids:
                return _SLOW
            self.seen_ids[fact.id] = loc
        return fact

    def _fast(self, loc: Location, obj: dict[str, Any]) -> Fact | object | None:
        """A sound fact from a plain object (not yet numbered), or ``_SLOW`` at the first doubt.

        The checks of ``_exact`` for a line with no problem, but whether its id was seen
        before (:meth:`_fast_checked`): at any problem, the line is read again the exact
        way, which says every problem with its column. So nothing is recorded here.
        """
        kind, text = obj.get("type"), obj.get("at")
        if type(kind) is not str or type(text) is not str:
            return _SLOW
        contract = obj.get("contract")
        routes = self.routes.get(kind)
        if routes is None:
            routes = self.routes[kind] = {}
        route = routes.get(contract, _NO_ROUTE)
        if route is _NO_ROUTE:
            route = routes[contract] = self._fast_route(contract, kind)
        if type(route) is not tuple:
            return route  # _SLOW, or None for an instance held back (as ``_exact`` does)
        tz, ftype, contract, fields = route
        fact_id = obj.get("id", _NO_ID)
        if fact_id is _NO_ID:
            fact_id = f"{loc.path}:{loc.line}"
            if not fact_id.isascii() and lone_surrogate(fact_id):
                return _SLOW  # a path not UTF-8 (``_exact`` says so)
        if type(fact_id) is not str or not fact_id:
            return _SLOW
        try:
            at, epoch, outside = instant(text, tz)
        except InstantError:
            return _SLOW
        if outside or (contract == ALL and not self._one_instant(text, ftype)):
            return _SLOW
        values = fields.values(obj)
        if values is None or (
            ftype.name in REFERRING
            and reference_problems(ftype.name, values, self._contracts(contract))
        ):
            return _SLOW
        return Fact(fact_id, ftype.name, at, values, loc, 0, contract, at_us=epoch)

    def _fast_route(self, contract: Any, kind: str) -> Route | object:
        """For a line of type ``kind`` naming ``contract`` (None: none): the time zone of its
        ``at``, its fact type, the instance it goes to and its fields' check, when these are
        sound; else ``_SLOW``, or None for an instance held back. The same for every such
        line."""
        if contract is not None:
            if type(contract) is not str:
                return _SLOW
            if contract in self.held_back:
                return None
            if contract != ALL and contract not in self.instance_ids:
                return _SLOW
        tz = self._tz(contract, kind)
        ftype = self._types(contract).get(kind)
        if ftype is None:
            return _SLOW
        takers = self._taker_set(ftype.name)
        if contract is None:
            if len(takers) != 1:
                return _SLOW
            (contract,) = takers
        elif contract != ALL and contract not in takers:
            return _SLOW
        fields = self.plain_fields.get(id(ftype))
        if fields is None:
            fields = self.plain_fields[id(ftype)] = PlainFields(ftype)
            self.kept.append(ftype)  # (so that its id stays its own)
        return tz, ftype, contract, fields

    def _exact(self, loc: Location, line: str) -> Fact | None:
        """The line's Fact (not yet numbered), or None with every problem of the line recorded."""
        before = len(self.problems)

        def fail(message: str, col: int = 0) -> None:
            self.problems.append(Diagnostic(Location(loc.path, loc.line, col), message))

        try:
            obj = _DECODER.decode(line)
        except json.JSONDecodeError as exc:
            fail(f"invalid JSON: {exc.msg}", exc.colno)
            return None
        except RecursionError:
            fail("invalid JSON: values nested too deeply")
            return None
        if not isinstance(obj, dict):
            kind = "a list" if isinstance(obj, list) else excerpt(obj)
            fail(f"a fact must be a JSON object {{...}}, not {kind}")
            return None
        keys, cols = {}, {}
        for key, key_col, value_col in _columns(line):
            if key in keys:
                fail(f"duplicate key `{_name(key)}` (first at column {keys[key]})", key_col)
            keys.setdefault(key, key_col)
            cols.setdefault(key, value_col)
        for name, what in (("type", "its fact type"), ("at", "its date or date-time")):
            if name not in obj:
                fail(f"fact has no `{name}` ({what})")
            elif not isinstance(obj[name], str):
                fail(f"`{name}` must be a string, not {excerpt(obj[name])}", cols[name])
        contract = obj.get("contract")
        if contract is not None and not isinstance(contract, str):
            fail(f"`contract` must be a string, not {excerpt(contract)}", cols["contract"])
            contract = None
        elif contract in self.held_back:
            return None  # its instance is not checked: the reason is reported with it
        elif contract is not None and contract != ALL and contract not in self.instance_ids:
            hint = suggest(contract, self.instance_ids)
            fail(f"unknown contract `{_name(contract)}`{hint}", cols["contract"])
            contract = None
        fact_id = obj.get("id", f"{loc.path}:{loc.line}")
        if not isinstance(fact_id, str) or not fact_id:
            fail(f"`id` must be a non-empty string, not {excerpt(fact_id)}", cols.get("id", 0))
        elif lone := lone_surrogate(fact_id):
            if "id" in obj:
                fail(f"`id` must be text: it {lone}", cols["id"])
            else:
                fail(f"fact has no `id`, and its place (its id by default) is not text: it {lone}")
        elif fact_id in self.seen_ids:
            first = self.seen_ids[fact_id]
            where = f"line {first.line}" if first.path == loc.path else str(first)
            fail(f"duplicate fact id `{_name(fact_id)}` (first at {where})", cols.get("id", 0))
        else:
            self.seen_ids[fact_id] = loc
        at, epoch = None, 0
        if isinstance(obj.get("at"), str):
            try:
                at, epoch, outside = instant(obj["at"], self._tz(contract, obj.get("type")))
            except InstantError as exc:
                fail(f"`at`: {shorten(str(exc), 200)}", cols["at"])
            else:
                if outside:
                    fail(f"`at`: {outside}", cols["at"])
                    at = None
        ftype, values = None, {}
        if isinstance(obj.get("type"), str):
            types = self._types(contract)
            ftype = types.get(obj["type"])
            if ftype is None and contract is None and obj["type"] in self.held_types:
                return None  # its template did not load: reported with it
            if ftype is None:
                hint = suggest(obj["type"], types)
                fail(f"unknown fact type `{_name(obj['type'])}`{hint}", cols["type"])
            else:
                contract = self._route(contract, ftype.name, cols.get("type", 0), fail)
                if contract == ALL and at is not None and not self._one_instant(obj["at"], ftype):
                    zones = ", ".join(self._zones(ftype.name))
                    fail(
                        f"`at` has no UTC offset, and the instances that take this fact are in "
                        f"different time zones ({zones}): give an offset",
                        cols["at"],
                    )
                values, problems = _fields(ftype, obj)
                problems += reference_problems(ftype.name, values, self._contracts(contract))
                for name, message in problems:
                    where = keys[name] if name and name not in ftype.fields else cols.get(name, 0)
                    fail(message, where)
        if len(self.problems) > before:
            self._charge(obj, contract, self.problems[before:])
        if len(self.problems) > before or ftype is None or at is None or contract is None:
            return None
        return Fact(fact_id, ftype.name, at, values, loc, 0, contract, at_us=epoch)

    def _one_instant(self, text: str, ftype: FactType) -> bool:
        """Whether ``at`` is the same instant in the zone of every instance taking the type
        (a wall time that does not exist in one of the zones, skipped by a change to summer
        time, is not)."""
        try:
            return len({instant(text, tz)[1] for tz in self._zones(ftype.name)}) <= 1
        except InstantError:
            return False

    def _route(
        self, contract: str | None, fact_type: str, col: int, fail: Callable[[str, int], None]
    ) -> str | None:
        """The instance a fact goes to (``"*"``: every one that can take it), or None."""
        takers = self._takers(fact_type)
        if contract == ALL:
            return ALL
        if contract is not None:
            if contract not in self._taker_set(fact_type):
                template = self.instance_ids[contract].id
                fail(
                    f"contract `{contract}` (template `{template}`) has no fact type `{fact_type}`",
                    col,
                )
                return None
            return contract
        if len(takers) == 1:
            return takers[0]
        shown = ", ".join(takers[:5]) + (f" and {len(takers) - 5} more" if len(takers) > 5 else "")
        fail(
            f"fact type `{fact_type}` is used by {len(takers)} instances ({shown}): name its "
            f'`contract` (or `"contract": "*"` for all of them)',
            col,
        )
        return None

    def read(self, paths: list[str], files: FactFiles | None = None) -> list[Fact]:
        """Every fact of the files, sorted by time (ties in file order), numbered by ``seq``.

        The files are those ``paths`` name (:func:`engine.load.fact_files.find_fact_files`),
        or ``files`` when given; what was skipped is in ``warnings`` and, when there is a
        problem, among the diagnostics of the ``InputError`` raised too.
        """
        files = files or find_fact_files(paths)
        self.warnings = files.warnings
        self.problems += files.problems
        saved = (
            list(self.problems),
            {k: list(v) for k, v in self.blame.items()},
            dict(self.seen_ids),
        )
        with collector_paused():
            found = self._facts(files, checked=False)
            if found is None:  # an id given twice: read again, each id checked as it comes
                self.problems, self.blame, self.seen_ids = saved
                found = self._facts(files, checked=True)
            self.facts = numbered(found)
        charged = {id(d) for ds in self.blame.values() for d in ds}
        self._charge(None, None, [d for d in self.problems if id(d) not in charged])
        if self.problems:
            raise InputError([*self.problems, *self.warnings])
        return self.facts

    def _facts(self, files: FactFiles, checked: bool) -> list[Fact] | None:
        """The sound facts of the files, in file order; with ``checked`` false, None when a
        fact read the fast way has the id of another line.

        Unchecked, a fact read the fast way (most of them) is not looked up among the ids
        seen as it comes: all are recorded in ``seen_ids`` at the end, at once, and an id
        given twice adds one entry less than the facts. None then says that the files must
        be read again, each id checked as it comes, for the problem to be said at its line.
        """
        found: list[Fact] = []
        unseen = 0  # facts of ``found`` whose id is not in ``seen_ids``
        for p in files.paths:
            data = log_data(p)
            if isinstance(data, Diagnostic):
                self.problems.append(data)
                continue
            for first, chunk in chunks(data):
                unseen += self._chunk(str(p), first, chunk, found, checked)
        if checked:
            return found
        known = len(self.seen_ids)  # (the facts read otherwise are in it: recorded again)
        self.seen_ids.update(zip(map(_fact_id, found), map(_fact_loc, found), strict=True))
        return found if len(self.seen_ids) == known + unseen else None

    def _chunk(self, path: str, first: int, chunk: bytes, found: list[Fact], checked: bool) -> int:
        """Each sound fact of a chunk of a fact log, added to ``found``; how many of them
        were read the fast way unchecked (their ids not recorded, see :meth:`_facts`)."""
        objs = plain_objects(chunk)
        if objs is None:
            for number, line in chunk_lines(chunk, first):
                loc = _tuple_new(Location, (path, number, 0))  # (its __new__ is slower)
                if (fact := self.parse_line(loc, line)) is not None:
                    found.append(fact)
            return 0
        fast = self._fast_checked if checked else self._fast
        lines, unseen = None, 0
        for number, obj in enumerate(objs, first):
            loc = _tuple_new(Location, (path, number, 0))
            fact = fast(loc, obj)
            if fact is _SLOW:
                lines = lines or chunk.split(b"\n")
                line = lines[number - first].removesuffix(b"\r")  # (as ``chunk_lines``)
                fact = self._exact(loc, line.decode("utf-8"))
                if fact is not None:
                    found.append(fact)
            elif fact is not None:
                found.append(fact)  # type: ignore[arg-type]
                unseen += 1
        return 0 if checked else unseen


def read_facts(paths: list[str], contracts: list[Contract]) -> list[Fact]:
    """Read and validate fact logs; raise ``InputError`` listing every problem."""
    return FactReader(contracts).read(paths)
