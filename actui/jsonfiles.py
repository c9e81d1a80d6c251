"""Reading the JSON files analysts edit (segments, campaigns): one clear sentence per mistake.

A file must be UTF-8, nest at most :data:`MAX_JSON_DEPTH` arrays and objects deep, and hold only
finite numbers (Python's ``json`` would accept ``NaN`` and ``Infinity``, which no database
compares sensibly) and text that UTF-8 can encode (no lone surrogates such as ``"\\ud800"``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from actui.errors import ActuiError

#: the deepest nesting of arrays and objects a segment or campaign file may have
MAX_JSON_DEPTH = 64


def parse_json_text(text: str, source_name: str, error: Callable[[str], ActuiError]) -> Any:
    """The JSON value in ``text``; ``error(sentence)`` is raised when it cannot be used."""
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise error(
            f"{source_name} nests arrays and objects {depth} deep; at most {MAX_JSON_DEPTH} "
            "levels are allowed, so flatten the groups."
        )

    def refuse_constant(name: str) -> NoReturn:
        raise error(
            f"{source_name} holds {name}, which is not a number JSON allows; write a finite "
            "number instead."
        )

    try:
        value = json.loads(text, parse_constant=refuse_constant)
    except json.JSONDecodeError as problem:
        raise error(
            f"{source_name} is not valid JSON (line {problem.lineno}, column {problem.colno}: "
            f"{problem.msg}); fix the JSON syntax and try again."
        ) from None
    if not _encodable(value):
        raise error(
            f"{source_name} holds text that is not valid Unicode (an unpaired \\ud800-\\udfff "
            "escape); remove it and try again."
        )
    return value


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON ``text`` (strings are skipped)."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return text.count("[") + text.count("{")  # an upper bound that is already small enough
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _encodable(value: Any) -> bool:
    """True when every string (and key) of the decoded ``value`` encodes as UTF-8."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    return False
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def read_json_file(
    path: str | Path, kind: str, error: Callable[[str], ActuiError]
) -> tuple[str, str]:
    """The text of a ``kind`` file ("segment", "campaign") and the name to use in messages."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as problem:
        raise error(f"Cannot read the {kind} file {file}: {problem.strerror}.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        raise error(
            f"The {kind} file {file} is not UTF-8 text (byte 0x{raw[problem.start]:02x} at "
            f"offset {problem.start}); save it as UTF-8 and try again."
        ) from None
    return text, f"The {kind} file {file}"
