"""A fast manifest writer: the same bytes as :mod:`svcgen.kube.yamlwrite`, without ruamel.yaml.

Why: ruamel.yaml's representer is pure Python and walks every node of every document, building a
node graph that its (C) emitter then walks again; for 10,000 Services that was a third of a
render. Manifests are small trees of dicts, lists, short strings and ints, and almost every
string in them (names, labels, protocols, ``app.kubernetes.io/name``) is one whose YAML form
does not depend on any emitter decision. Those documents are written here directly.

What is written here is only what the rules below make certain; any document holding anything
else (a string with a single quote, a tab or another control character, a non-ASCII character,
a multi-line string, an empty top-level mapping, a list directly inside a list, a float) is
handed to ruamel.yaml, whole.
The tests compare both paths byte for byte on every example, the real-world corpus and generated
hostile input. One writer serves a whole stream and remembers how it wrote each string and key
line: kinds, protocols, port and label names recur in every document. It forgets them all when
it has learnt :data:`_REMEMBERED` of either (the recurring ones are learnt again at once): a
stream written a document at a time (``svcgen render``) would otherwise keep a copy of every
name and image it wrote (3 MB for 10,000 Deployments).

The certain cases, as ruamel.yaml (block style, indent 2, indentless sequences in mappings, width
4096) writes them, with its C emitter (libyaml's rules) and its pure-Python one alike:

- a string of 1 to 1,000 printable ASCII characters (space to ``~``) without a single quote:
  plain unless a YAML 1.1 or 1.2 reader would read it as anything but a string (``'true'``,
  ``'0777'``), or a plain scalar cannot hold it in block context (both emitters' scalar analysis:
  a leading indicator such as ``#``, ``&``, ``*``, ``@``, ``-``/``?``/``:`` followed by a space,
  ``---``/``...`` at the start, ``: `` or a trailing ``:``, `` #``, a leading or trailing space),
  then in single quotes (which need no escaping for those characters). Images
  (``registry.example.com/app:1.2``), arguments (``--listen=:8080``) and commands with spaces
  are such strings: a Deployment with them went to ruamel.yaml whole, which was half of a
  10,000-Deployment render. The length bound keeps the line under the width, where an emitter
  would fold a string at a space. A single quote is left out: the two emitters quote such a
  string differently (single quotes doubled, or double quotes);
- as a mapping key, such a string of at most 100 characters (longer ones may take the ``? key``
form);
- ints, ``true``/``false``, ``null``; ``{}`` and ``[]`` for empty collections.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

__all__ = ["fast_document", "fast_documents", "fast_writer"]

_SAFE = re.compile(r"[ -&(-~]{1,1000}")  # printable ASCII but the single quote
# What keeps a plain scalar out of block context (both emitters' analyze_scalar, for _SAFE strings).
_NOT_PLAIN = re.compile(r"^(?:---|\.\.\.|[#,\[\]{}&*!|>\"%@`]|[?:-](?: |$)| )|:(?: |$)| #| $")
_SIMPLE_KEY = (
    100  # longer keys may be written in the "? key" form (ruamel.yaml: from 128 characters)
)
_REMEMBERED = 1024
"""The strings (or key lines at one indent) a writer remembers before it forgets them all."""


class _Unsure(Exception):
    """Something the fast path does not write: the document goes to ruamel.yaml."""


class _Writer:
    """Writes one stream's documents; remembers how each string and key line was written."""

    def __init__(self, plain_str: Any) -> None:
        self.plain_str = plain_str
        self.strings: dict[
            str, str
        ] = {}  # a string -> its YAML form (names, kinds, protocols recur)
        self.heads: dict[str, dict[str, str]] = {}  # indent -> key -> "indent key:"

    def scalar(self, value: Any) -> str:
        if (
            type(value) is str
        ):  # a str subclass (an Enum member, say) prints otherwise: ruamel.yaml decides
            written = self.strings.get(value)
            if written is None:
                if not _SAFE.fullmatch(value):
                    raise _Unsure
                plain = self.plain_str(value) and not _NOT_PLAIN.search(value)
                if len(self.strings) >= _REMEMBERED:
                    self.strings.clear()  # in place: mapping() holds it
                written = self.strings[value] = value if plain else f"'{value}'"
            return written
        if value is True:
            return "true"
        if value is False:
            return "false"
        if value is None:
            return "null"
        if type(value) is int:
            return str(value)
        raise _Unsure

    def head(self, indent: str, key: Any, heads: dict[str, str]) -> str:
        if type(key) is not str or len(key) > _SIMPLE_KEY:
            raise _Unsure
        if len(heads) >= _REMEMBERED:
            heads.clear()
        written = heads[key] = f"{indent}{self.scalar(key)}:"
        return written

    def mapping(self, data: Mapping[Any, Any], indent: str, out: list[str]) -> None:
        heads = self.heads.get(indent)
        if heads is None:
            heads = self.heads[indent] = {}
        strings = self.strings
        for key, value in data.items():
            head = heads.get(key) if type(key) is str else None
            if head is None:
                head = self.head(indent, key, heads)
            if type(value) is str:  # most values: a string written before
                out.append(f"{head} {strings.get(value) or self.scalar(value)}\n")
            elif isinstance(value, dict):
                if value:
                    out.append(head + "\n")
                    self.mapping(value, indent + "  ", out)
                else:
                    out.append(head + " {}\n")
            elif isinstance(value, list):
                if value:
                    out.append(head + "\n")
                    self.sequence(value, indent, out)  # indentless: "- " at the key's column
                else:
                    out.append(head + " []\n")
            else:
                out.append(f"{head} {self.scalar(value)}\n")

    def sequence(self, data: Iterable[Any], indent: str, out: list[str]) -> None:
        for item in data:
            if isinstance(item, dict):
                if not item:
                    out.append(f"{indent}- {{}}\n")
                    continue
                first = len(out)
                self.mapping(item, indent + "  ", out)
                out[first] = f"{indent}- " + out[first][len(indent) + 2 :]
            elif isinstance(item, list):
                raise _Unsure
            else:
                out.append(f"{indent}- {self.scalar(item)}\n")

    def document(self, document: Mapping[str, Any]) -> str | None:
        """``document`` as ruamel.yaml would write it, or None when that is not certain."""
        if not isinstance(document, dict) or not document:
            return None
        out: list[str] = []
        try:
            self.mapping(document, "", out)
        except _Unsure:
            return None
        return "".join(out)


def fast_document(document: Mapping[str, Any], plain_str: Any) -> str | None:
    """``document`` as ruamel.yaml would write it, or None when that is not certain.

    ``plain_str(value)``: whether a string may be written plain (no reader takes it for another
    type).
    """
    return _Writer(plain_str).document(document)


def fast_documents(documents: Iterable[Mapping[str, Any]], plain_str: Any) -> Iterator[str | None]:
    """:func:`fast_document` of each document, sharing what was learnt about strings and keys."""
    write = fast_writer(plain_str)
    return (write(document) for document in documents)


def fast_writer(plain_str: Any) -> Callable[[Mapping[str, Any]], str | None]:
    """:func:`fast_document` for the documents of one stream, given one at a time.

    The writer shares what it learns between them.
    """
    return _Writer(plain_str).document
