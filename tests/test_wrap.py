"""Text wrapped as ``textwrap.wrap`` wraps it (``engine.output.wrap``): the same lines for
any text, width and indents, plain texts filled without it."""

from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

import engine.output.wrap as wrapping
from engine.output.wrap import wrap

# letters, digits, hyphens and spaces most, and every kind of text textwrap treats apart
TEXT = st.text(
    st.sampled_from([*"abcXY019", "-", " ", " ", ".", "(", ")", ":", "_", "\t", "\n", "\r",
                     "\x0b", "\x0c", "\x1c", "\x1f", "é", "\u00a0", "\u2028"]),
    max_size=300,
)  # fmt: skip


@settings(max_examples=3000, deadline=None)  # (a line of no room can hang textwrap itself)
@given(TEXT, st.integers(9, 100), st.sampled_from(["", " ", "    ", "        "]),
       st.sampled_from([None, "", "  ", "* "]))  # fmt: skip
def test_the_lines_of_textwrap(text: str, width: int, indent: str, first: str | None) -> None:
    start = indent if first is None else first
    expected = textwrap.wrap(text, width, initial_indent=start, subsequent_indent=indent)
    assert wrap(text, width, indent, first) == expected


# plain texts: words of letters, digits and punctuation (a hyphen only before a digit or
# after one, as in "1990-Q2"), one space apart, each (at most 18 characters) shorter than
# any line below (21 or more)
PLAIN = st.lists(
    st.text(st.sampled_from([*"abcxyzAB0123456789.,():'"]), min_size=1, max_size=6).map(
        lambda w: w.replace("9", "-9").replace("8", "8-Q")
    ),
    min_size=1,
    max_size=40,
).map(" ".join)


@settings(max_examples=2000, deadline=None)
@given(PLAIN, st.integers(32, 100), st.sampled_from(["", "    ", "           "]))
def test_plain_texts_filled_here_as_textwrap_fills_them(text: str, width: int, indent: str) -> None:
    expected = textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent)
    real, wrapping.textwrap.wrap = wrapping.textwrap.wrap, None  # type: ignore[assignment]
    try:
        assert wrap(text, width, indent) == expected
    finally:
        wrapping.textwrap.wrap = real


def test_a_plain_message_is_filled_without_textwrap(monkeypatch) -> None:
    """Worked by hand at width 30, indent 4 (26 characters a line): "[4(d)] Conversion" is
    17, with " shares" 24, with " delivered" 34 (too long); "delivered 2000-09-22 11:15"
    is 26 exactly (a hyphen before a digit is no break), with " EDT," 31."""
    monkeypatch.setattr(wrapping.textwrap, "wrap", None)  # (any call would fail)
    text = "[4(d)] Conversion shares delivered 2000-09-22 11:15 EDT, 21 days late."
    assert wrap(text, 30, "    ") == [
        "    [4(d)] Conversion shares",
        "    delivered 2000-09-22 11:15",
        "    EDT, 21 days late.",
    ]


def test_a_hyphenated_word_goes_to_textwrap() -> None:
    """textwrap may break "share-reserve" after its hyphen: at width 16 with an indent of
    2, a line holds 14 characters; "the share-" is 10, "the share-reserve" 17."""
    assert wrap("the share-reserve report", 16, "  ") == ["  the share-", "  reserve report"]


def test_a_first_line_with_less_room_goes_to_textwrap() -> None:
    """A first indent longer than the others: textwrap breaks a word too long for the
    next lines into the first (width 20, "* " leaves 18: "aaaaaaaa " is 9, so 9 of the
    19 b's fit); a first indent wider than the line leaves no room for a word."""
    assert wrap("aaaaaaaa " + "b" * 19, 20, "", first="* ") == [
        "* aaaaaaaa bbbbbbbbb",
        "bbbbbbbbbb",
    ]
    assert wrap("ab cd", 10, "", first="x" * 12) == ["xxxxxxxxxxxxa", "b cd"]
