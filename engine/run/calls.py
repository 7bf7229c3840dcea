"""durable_rules' C engine called directly: a message in, the actions it fires run.

durable_rules' Python host wraps every call in work this engine does not need: the
message encoded by the stdlib's JSON encoder, each fired action's session state decoded
into a ``Closure`` and encoded again, a ``Promise`` and two callbacks per action. Its C
engine (``durable_rules_engine``) takes JSON text and gives JSON text back; this module
calls it with msgspec's encoding (the library fact lines are read with) and decodes only
the message an action gets. The rulesets are still registered and their sessions
deleted through the host (``engine.run.hosts``); the matching is all durable_rules'. The
loop is that of ``durable.engine.Ruleset.do_actions`` and ``_flush_actions``: start the
actions of the state the message reached, run one, ``complete_and_start_action`` for
the next, until none is left; an error abandons the action and is raised. The host also
calls ``update_state`` after each action, with the session state the action may have
changed: the C engine then deletes the session's state fact and stores the new one
(``handleMessageCore``, ``ACTION_UPDATE_STATE``). Actions here never change the state,
and no pattern matches a state fact (each names a ``kind``, which it has not), so that
call would store the same text again, for nothing: it is not made.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import durable_rules_engine as _c
import msgspec
from durable.engine import MessageObservedException

_HANDLED, _NOT_HANDLED, _OBSERVED = 0, 1, 2
_ENCODER, _DECODER = msgspec.json.Encoder(), msgspec.json.Decoder()


def encode(message: dict[str, Any]) -> str:
    """A message as the JSON text the C engine reads."""
    return _ENCODER.encode(message).decode()


class Call:
    """What an action gets (durable_rules' ``Closure``, the parts this engine uses):
    ``c.s.sid``, ``c.host``, the matched facts by alias (``c.m``, ``c.o``, ``c.f``,
    ``c.t``: the messages as decoded, read by key), and ``assert_fact``/``retract_fact``
    into the same session."""

    __slots__ = ("host", "s", "_handle", "_matched")

    def __init__(self, host: Any, handle: int, sid: str, matched: dict[str, Any]) -> None:
        self.host = host
        self.s = SimpleNamespace(sid=sid)
        self._handle = handle
        self._matched = matched

    def __getattr__(self, alias: str) -> dict[str, Any] | None:
        return self._matched.get(alias)  # (the message itself: actions read it by key)

    def assert_fact(self, fact: dict[str, Any]) -> bool:
        """Assert a fact into the session now (its actions run after this one); False when
        no rule looks at a fact like it (where durable_rules' host would raise)."""
        text = encode(fact)
        return _state(_c.assert_fact(self._handle, text), text) is not None

    def retract_fact(self, fact: dict[str, Any]) -> bool:
        """Retract a fact from the session now; False as for ``assert_fact``."""
        text = encode(fact)
        return _state(_c.retract_fact(self._handle, text), text) is not None


def _state(result: tuple[int, int], text: str) -> int | None:
    """The state handle of a call's result (0: none to run), None when no rule looks at
    the message (``text``, as encoded); durable_rules' other refusal raised as its host
    raises it (with the message's text)."""
    code = result[0]
    if code == _NOT_HANDLED:
        return None
    if code == _OBSERVED:
        raise MessageObservedException(text)
    return result[1] if code == _HANDLED else 0


class Session:
    """One registered ruleset, posted to directly; ``actions``: its rules' action functions."""

    def __init__(self, host: Any, ruleset: Any) -> None:
        self.host = host
        self.handle: int = ruleset._handle
        self.actions: dict[str, Callable[[Any], None]] = {
            name: promise._func for name, promise in ruleset._actions.items()
        }

    def post(self, text: str, sid: str, retract: bool = False) -> bool:
        """Assert (or retract) a message of session ``sid``, as encoded (``encode``: a
        fact asserted then retracted is encoded once), and run the actions it fires;
        False when no rule of the ruleset looks at a message like it (nothing happened)."""
        call = _c.retract_fact if retract else _c.assert_fact
        state = _state(call(self.handle, text), text)
        if state is None:
            return False
        self._run_actions(state, sid)
        return True

    def _run_actions(self, state: int, sid: str) -> None:
        started = _c.start_action_for_state(self.handle, state)
        if not started:
            return
        fired = started[1]
        while fired:
            name, matched = next(iter(_DECODER.decode(fired).items()))
            try:
                self.actions[name](Call(self.host, self.handle, sid, matched))
                fired = _c.complete_and_start_action(self.handle, state)
            except BaseException:
                _c.abandon_action(self.handle, state)
                raise
