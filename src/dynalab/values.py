"""Parsers of the values a user types after ``key=`` (agent and env specs, sweep files),
and the "did you mean" suggestion every unknown-name message offers.

A parser takes the text and returns the value, or raises :class:`BadValueError` saying
what was expected; the caller places it (which key, which spec, which file).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Sequence

Parser = Callable[[str], object]


class BadValueError(Exception):
    """A value that does not parse: what was expected and a hint, for the caller to place."""

    def __init__(self, expected: str, hint: str = "") -> None:
        super().__init__(expected)
        self.expected = expected
        self.hint = hint


def closest(word: str, choices: Sequence[str]) -> str | None:
    """The choice closest to ``word`` (case-blind, by difflib), or None if none is close."""
    by_lower = {choice.lower(): choice for choice in choices}
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=1)
    return by_lower[matches[0]] if matches else None


def did_you_mean(suggestion: str | None) -> str:
    """``"; did you mean 'x'?"``, or ``""`` without a suggestion."""
    return f"; did you mean {suggestion!r}?" if suggestion is not None else ""


def suggestion(word: str, choices: Sequence[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices``, else ``""``."""
    return did_you_mean(closest(word, choices))


def int_in_range(low: int, high: int | None = None) -> Parser:
    """A parser of base-10 integers ``>= low`` (and ``<= high`` when given)."""
    if high is None:
        expected = f"expected an integer >= {low}"
    else:
        expected = f"expected an integer from {low} to {high}"

    def parse(text: str) -> int:
        if re.fullmatch(r"[+-]?[0-9]+", text) is None:
            raise BadValueError(expected)
        number = int(text)
        if number < low or (high is not None and number > high):
            raise BadValueError(expected)
        return number

    return parse


def finite_float(text: str) -> float:
    """A finite number, as Python's ``float`` reads it."""
    try:
        number = float(text)
    except ValueError:
        raise BadValueError("expected a number") from None
    if not math.isfinite(number):
        raise BadValueError("expected a finite number")
    return number


def one_of(choices: Sequence[str]) -> Parser:
    """A parser of one of ``choices``, suggesting the closest when the text is not one."""

    def parse(text: str) -> str:
        if text not in choices:
            raise BadValueError(f"expected one of {', '.join(choices)}", suggestion(text, choices))
        return text

    return parse
