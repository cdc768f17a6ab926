"""The grammar every spec shares: ``NAME[:key=value,...]``, and its one-line errors.

Every bad spec raises :class:`SpecError` with a one-line message that says what is wrong
and where (the option and the spec as typed), and suggests the closest known name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dynalab.values import BadValueError, Parser, suggestion

AGENT_OPTION = "--agents"


ENV_OPTION = "--env"


class SpecError(ValueError):
    """A bad env or agent spec; the message is one line naming what is wrong and where.

    Line breaks in the message (from a wrapped error) are joined with spaces, so the CLI
    can always print it as one line.
    """

    def __init__(self, message: str) -> None:
        lines = str(message).splitlines()
        if len(lines) > 1:
            message = " ".join(line.strip() for line in lines if line.strip())
        super().__init__(message)


def located(option: str, spec: str) -> str:
    """Where a spec came from, for messages: ``--agents 'dyna-q:n=x'``."""
    return f"{option} {spec!r}" if option else repr(spec)


def split_pairs(text: str, where: str) -> dict[str, str]:
    """``key=value,...`` as a dict of stripped strings; malformed or repeated keys refused."""
    if not text.strip():
        raise SpecError(f"nothing after ':' in {where}; expected key=value[,key=value...]")
    pairs: dict[str, str] = {}
    for item in text.split(","):
        key, value = _split_pair(item, where)
        if key in pairs:
            raise SpecError(f"duplicate key {key!r} in {where}")
        pairs[key] = value
    return pairs


def _split_pair(item: str, where: str) -> tuple[str, str]:
    """One ``key=value`` item, both sides non-empty, split at its first ``=``."""
    if not item.strip():
        raise SpecError(f"empty item (a stray ',') in {where}; expected key=value[,key=value...]")
    key, equals, value = item.partition("=")
    key, value = key.strip(), value.strip()
    if not equals:
        raise SpecError(f"expected key=value, got {item.strip()!r} in {where}")
    if not key:
        raise SpecError(f"missing key before '={value}' in {where}")
    if not value:
        raise SpecError(f"missing value after '{key}=' in {where}")
    return key, value


def unknown_key(key: str, owner: str, keys: Sequence[str], where: str) -> SpecError:
    """The error for a key ``owner`` does not take, listing its keys and the closest one."""
    if not keys:
        return SpecError(f"{owner} takes no keys, got {key!r} in {where}")
    return SpecError(
        f"unknown key {key!r} for {owner} in {where}; keys: {', '.join(keys)}"
        + suggestion(key, keys)
    )


def _bad_value(key: str, text: str, error: BadValueError, where: str) -> SpecError:
    """The error for a value that does not parse as its key requires."""
    return SpecError(
        f"bad value for key {key!r} in {where}: {error.expected}, got {text!r}{error.hint}"
    )


def parse_values(
    pairs: Mapping[str, str],
    parsers: Mapping[str, Parser],
    owner: str,
    keys: Sequence[str],
    where: str,
) -> dict[str, object]:
    """Each ``key=value`` parsed by its key's parser; unknown keys and bad values refused."""
    values: dict[str, object] = {}
    for key, text in pairs.items():
        if key not in keys:
            raise unknown_key(key, owner, keys, where)
        try:
            values[key] = parsers[key](text)
        except BadValueError as error:
            raise _bad_value(key, text, error, where) from None
    return values


def split_name(spec: str, kind: str, where: str) -> tuple[str, str | None]:
    """``(name, rest)`` of ``NAME[:rest]``; ``rest`` is None without a ``:``."""
    if not isinstance(spec, str):
        raise TypeError(f"a {kind} spec must be a str, got {type(spec).__name__}")
    if not spec.strip():
        raise SpecError(f"empty {kind} spec in {where}")
    name, colon, rest = spec.partition(":")
    name = name.strip()
    if not name:
        raise SpecError(f"missing {kind} name before ':' in {where}")
    return name, (rest if colon else None)
