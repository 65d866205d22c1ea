"""A fast path for writing manifests: the same bytes as :mod:`svcgen.kube.yamlwrite`, without ruamel.yaml.

Why: ruamel.yaml's representer is pure Python and walks every node of every document, building a
node graph that its (C) emitter then walks again; for 10,000 Services that was a third of a
render. Manifests are small trees of dicts, lists, short strings and ints, and almost every
string in them (names, labels, protocols, ``app.kubernetes.io/name``) is one whose YAML form
does not depend on any emitter decision. Those documents are written here directly.

What is written here is only what the rules below make certain; any document holding anything
else (a string with a space, a colon, a quote, a non-ASCII character, a multi-line string, an
empty top-level mapping, a list directly inside a list, a float) is handed to ruamel.yaml, whole.
The tests compare both paths byte for byte on every example, the real-world corpus and generated
hostile input.

The certain cases, as ruamel.yaml (block style, indent 2, indentless sequences in mappings, width
4096) writes them:

- a string of ``A-Z a-z 0-9 . _ / -`` starting with a letter or a digit, at most 1,000 characters:
  plain when no YAML 1.1 or 1.2 reader would read it as anything but a string, else in single
  quotes (``'true'``, ``'0777'``): those characters need no escaping in either style;
- as a mapping key, such a string of at most 100 characters (longer ones may take the ``? key`` form);
- ints, ``true``/``false``, ``null``; ``{}`` and ``[]`` for empty collections.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["fast_document"]

_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,999}")
_SIMPLE_KEY = 100  # longer keys may be written in the "? key" form (ruamel.yaml: from 128 characters)


class _Unsure(Exception):
    """Something the fast path does not write: the document goes to ruamel.yaml."""


def _scalar(value: Any, plain_str: Any) -> str:
    if isinstance(value, str):
        if not _SAFE.fullmatch(value):
            raise _Unsure
        return value if plain_str(value) else f"'{value}'"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if type(value) is int:
        return str(value)
    raise _Unsure


def _mapping(data: Mapping[Any, Any], indent: str, out: list[str], plain_str: Any) -> None:
    for key, value in data.items():
        if not isinstance(key, str) or len(key) > _SIMPLE_KEY:
            raise _Unsure
        head = f"{indent}{_scalar(key, plain_str)}:"
        if isinstance(value, dict):
            if value:
                out.append(head + "\n")
                _mapping(value, indent + "  ", out, plain_str)
            else:
                out.append(head + " {}\n")
        elif isinstance(value, list):
            if value:
                out.append(head + "\n")
                _sequence(value, indent, out, plain_str)  # indentless: "- " at the key's column
            else:
                out.append(head + " []\n")
        else:
            out.append(f"{head} {_scalar(value, plain_str)}\n")


def _sequence(data: Iterable[Any], indent: str, out: list[str], plain_str: Any) -> None:
    for item in data:
        if isinstance(item, dict):
            if not item:
                out.append(f"{indent}- {{}}\n")
                continue
            first = len(out)
            _mapping(item, indent + "  ", out, plain_str)
            out[first] = f"{indent}- " + out[first][len(indent) + 2:]
        elif isinstance(item, list):
            raise _Unsure
        else:
            out.append(f"{indent}- {_scalar(item, plain_str)}\n")


def fast_document(document: Mapping[str, Any], plain_str: Any) -> str | None:
    """``document`` as ruamel.yaml would write it, or None when that is not certain.

    ``plain_str(value)``: whether a string may be written plain (no reader takes it for another type).
    """
    if not isinstance(document, dict) or not document:
        return None
    out: list[str] = []
    try:
        _mapping(document, "", out, plain_str)
    except _Unsure:
        return None
    return "".join(out)
