"""Reading the JSON files analysts edit (segments, campaigns): one clear sentence per mistake."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from actui.errors import ActuiError


def parse_json_text(text: str, source_name: str, error: Callable[[str], ActuiError]) -> Any:
    """The JSON value in ``text``; ``error(sentence)`` is raised when the syntax is wrong."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as problem:
        raise error(
            f"{source_name} is not valid JSON (line {problem.lineno}, column {problem.colno}: "
            f"{problem.msg}); fix the JSON syntax and try again."
        ) from None


def read_json_file(
    path: str | Path, kind: str, error: Callable[[str], ActuiError]
) -> tuple[str, str]:
    """The text of a ``kind`` file ("segment", "campaign") and the name to use in messages."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as problem:
        raise error(f"Cannot read the {kind} file {file}: {problem.strerror}.") from None
    return text, f"The {kind} file {file}"
