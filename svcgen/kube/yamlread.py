"""Read YAML from anywhere, safely: plain values plus the line and column of every key.

Hostile input is normal input here. The stream is parsed into events (libyaml where available)
and built into dicts, lists and scalars by this module, which never constructs objects from
tags, resolves plain scalars as kubectl does (:func:`resolve_plain`: ``yes`` is a bool there),
stops at a nesting depth limit and refuses documents that aliases would expand past a size
limit, in values and in characters ("billion laughs", and its variant that repeats a megabyte
scalar instead of many small ones). Every failure is a :class:`DocumentError` with a position,
for the document it happened in; the documents before it are kept.

ruamel.yaml is imported when a stream is read, not with this module: a render whose project reads
no YAML never loads it (its import is a fifth of a cold start; :func:`resolve_plain` is used by
the writer without it).
"""

from __future__ import annotations

import math
import re
import sys
from array import array
from collections.abc import Iterator
from typing import Any

from svcgen.errors import shorten

__all__ = [
    "MAX_ALIAS_CHARACTERS",
    "MAX_DEPTH",
    "MAX_NODES",
    "Document",
    "DocumentError",
    "Position",
    "iter_documents",
    "load_documents",
    "packed_position",
    "resolve_plain",
]

MAX_DEPTH = 200
"""Deepest nesting accepted (real manifests stay under 20)."""

MAX_NODES = 1_000_000
"""Most values a document's aliases may repeat (values written out are not limited)."""

MAX_ALIAS_CHARACTERS = 10_000_000
"""Most characters (of scalars, keys included) a document's aliases may repeat: a 1 MB anchored
scalar repeated ten times is refused, since every reader of the value (and every message quoting
it) would pay for each copy."""

Position = tuple[int, int]
"""1-based line and column."""

_TAG = "tag:yaml.org,2002:"
_BOOL_TRUE = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}
_BOOL_FALSE = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}
_NULL = {"", "~", "null", "Null", "NULL"}
_SPECIAL_FLOATS = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
# go-yaml v2's resolve(), after it drops every "_": Go's strconv.ParseInt with base 0 (0x, 0o, 0b in
# either case, a leading 0 for octal), then its yamlStyleFloat pattern. No base-60 forms
# (``12:30``):
# YAML 1.1 has them, go-yaml reads them as strings, and ``backup-window: 12:30`` must stay one.
_GO_INT_RE = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_GO_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
# ParseFloat's decimals that start with "." (compiled when met)
_GO_DOT_FLOAT = r"\.[0-9_]+(?:[eE][-+]?[0-9_]+)?"


class DocumentError(Exception):
    """A document cannot be read; ``position`` is where (when known)."""

    def __init__(
        self, message: str, position: Position | None = None, *, fatal: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.fatal = fatal  # the rest of the stream is not read (parsing it could take very long)


class Document:
    """One document of a stream: its value (None for an empty document) and where things are.

    ``key_positions`` maps ``id()`` of each mapping and list in ``value`` to the position of each
    of its keys (indexes), packed into one int (:meth:`key_position` unpacks it); ``error`` is the
    problem that stopped the document being read, if any; ``aliased``: whether an alias made one
    value appear in several places.

    A reader that keeps many documents (lint, to check them against each other) calls
    :meth:`compact` once it is done changing a document: the positions then take 8 bytes a key
    (in one bytes object: an array would add a header of 64 bytes, to each of many small
    documents) instead of about 150 (a dict per mapping and list; an int per key), and only
    :meth:`where`
    answers (:meth:`key_position` no longer does). For the same reason a document keeps its own
    position packed into one int (a tuple of two ints is about 110 bytes, for each of many small
    documents) and, once compact, shares one empty ``key_positions``.
    """

    __slots__ = ("_at", "aliased", "error", "index", "key_positions", "offsets", "packed", "value")

    def __init__(
        self,
        index: int,
        value: Any,
        position: Position,
        key_positions: dict[int, dict[Any, int]] | None = None,
        error: DocumentError | None = None,
    ) -> None:
        self.index = index
        self.value = value
        self._at = packed_position(position)
        self.key_positions = {} if key_positions is None else key_positions
        self.error = error
        self.aliased = False
        self.packed: bytes | None = None  # after compact(): an array("q")'s bytes
        self.offsets: dict[int, int] | None = (
            None  # id of a container -> offset of its keys in packed
        )

    @property
    def position(self) -> Position:
        """Where the document starts."""
        return _unpacked(self._at)

    @position.setter
    def position(self, position: Position) -> None:
        self._at = packed_position(position)

    def __repr__(self) -> str:
        return (
            f"Document(index={self.index}, value={self.value!r}, position={self.position}, "
            f"error={self.error!r})"
        )

    def key_position(self, container: Any, key: Any) -> Position | None:
        """The position of ``key`` (an index, in a list) of ``container``.

        ``container`` is a mapping or list of ``value``.
        """
        packed = self.key_positions.get(id(container), {}).get(key)
        return None if packed is None else _unpacked(packed)

    def compact(self) -> None:
        """Keeps the positions of what ``value`` holds now in one array (see the class docstring).

        Layout: a container's keys, each key's position (-1 for none: a key a merge (``<<``)
        brought),
        then the same for each of its containers, in order, depth first. ``value`` must not change
        afterwards.
        """
        if self.packed is not None or self.aliased:
            return  # (an alias repeats a container: kept as it is, with the id-keyed positions)
        packed: list[int] = []
        stack = [self.value]
        while stack:
            node = stack.pop()
            if not isinstance(node, (dict, list)):
                continue
            positions = self.key_positions.get(id(node), {})
            keys = node.keys() if isinstance(node, dict) else range(len(node))
            packed.extend(positions.get(key, -1) for key in keys)
            stack.extend(reversed(node.values() if isinstance(node, dict) else node))
        # (depth first from the end of a stack: a container's children follow it, first child first)
        self.packed, self.key_positions = array("q", packed).tobytes(), _COMPACTED

    def where(self, path: tuple[Any, ...]) -> Position:
        """The position of the deepest part of ``path`` (keys and indexes) that exists."""
        if self.packed is not None:
            return self._where_packed(path)
        best = self.position
        node = self.value
        for part in path:
            positions = self.key_positions.get(id(node))
            if positions is None or part not in positions:
                break
            best = _unpacked(positions[part])
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
        return best

    def _where_packed(self, path: tuple[Any, ...]) -> Position:
        assert self.packed is not None
        if (
            self.offsets is None
        ):  # where each container's keys start: found once, for the documents asked
            self.offsets = {}
            offset, stack = 0, [self.value]
            while stack:
                node = stack.pop()
                if isinstance(node, (dict, list)):
                    self.offsets[id(node)] = offset
                    offset += len(node)
                    stack.extend(reversed(node.values() if isinstance(node, dict) else node))
        best = self.position
        node = self.value
        for part in path:
            start = self.offsets.get(id(node))
            if start is None:
                break
            if isinstance(node, list):
                index = part if isinstance(part, int) and 0 <= part < len(node) else None
            else:
                index = next((i for i, key in enumerate(node) if key == part), None)
            at = 8 * (start + index) if index is not None else 0
            packed = int.from_bytes(self.packed[at : at + 8], sys.byteorder, signed=True)
            if index is None or packed < 0:
                break
            best = _unpacked(packed)
            node = node[part]
        return best


def _go_int(plain: str) -> int | float | None:
    """Go's ParseInt(plain, 0, 64), else its ParseUint (no sign, up to 2**64-1); None: out of range.

    ``plain`` matches the integer syntax and has no underscores.
    """
    digits = plain.lstrip("+-")
    base = _BASES.get(digits[:2].lower())
    if base is not None:
        digits = digits[2:]
    elif len(digits) > 1 and digits.startswith("0"):
        base = 8
    digits = digits.lstrip("0") or "0"
    if len(digits) > 64:  # wider than 64 bits in any base (and never a long int() conversion)
        return None
    number = int(digits, base or 10)
    value = -number if plain.startswith("-") else number
    if -(2**63) <= value < 2**63:
        return value
    if plain[:1] not in "+-" and value < 2**64:
        return _json_number(float(value))  # ParseUint's: past int64, kubectl carries it as a float
    return None


_BASES = {"0x": 16, "0o": 8, "0b": 2}


def _json_number(value: float) -> int | float:
    """The number the API server receives for a float (or an integer beyond int64).

    kubectl holds an integer beyond int64 as a float. Go's encoding/json writes the fewest digits
    that read back as the float, as an integer literal when it has no fraction and is below 1e21:
    ``80.0`` and ``8e1`` arrive as ``80``, 2**63 as 9223372036854776000. Python's ``repr`` finds the
    same digits.
    """
    if not math.isfinite(value) or value != int(value) or abs(value) >= 1e21:
        return value
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    fraction = fraction.rstrip("0")
    number: int = int(whole + fraction) * 10 ** (int(exponent or "0") - len(fraction))
    return -number if value < 0 else number


def resolve_plain(text: str) -> Any:
    """What kubectl makes of a plain (unquoted) scalar: None, a bool, an int, a float or the string.

    kubectl reads YAML with sigs.k8s.io/yaml: go-yaml v2's ``resolve()`` (goyaml.v2/resolve.go),
    whose value Go's encoding/json then turns into the JSON the API server receives. Checked
    against kubectl 1.32 sending objects to a local API server (tests/test_kube_yamlread.py).
    Timestamps stay the strings they are written as (sigs.k8s.io/yaml keeps them), and so do
    hexadecimal, octal and binary numbers wider than 64 bits.
    """
    if text in _NULL:
        return None
    if text in _BOOL_TRUE:
        return True
    if text in _BOOL_FALSE:
        return False
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    first = text[:1]
    if first == ".":  # go-yaml: Go's ParseFloat of the text as it is ("_" only between digits)
        if not (re.fullmatch(_GO_DOT_FLOAT, text) and _underscores_ok(text)):
            return text
        return _float(text.replace("_", ""), text)
    if first not in _NUMBER_STARTS:
        return text
    plain = text.replace("_", "")
    if _GO_INT_RE.fullmatch(plain):
        number = _go_int(plain)
        if number is not None:
            return number
        if plain.lstrip("+-")[:2].lower() in _BASES:
            return text  # too wide: kubectl sends the text
    if _GO_FLOAT_RE.fullmatch(plain):  # decimals too wide for 64 bits land here too, as floats
        return _float(plain, text)
    return text


def _float(number: str, text: str) -> Any:
    """ParseFloat's value as the API server gets it, or ``text`` where ParseFloat fails (1e400)."""
    value = float(number)
    return _json_number(value) if math.isfinite(value) else text


def _underscores_ok(text: str) -> bool:
    """Go's strconv.underscoreOK for a decimal: each "_" between two digits."""
    return re.search(r"(?<![0-9])_|_(?![0-9])", text) is None


_NUMBER_STARTS = frozenset("-+0123456789")


def _tagged(tag: str, text: str, position: Position) -> Any:
    kind = tag[len(_TAG) :] if tag.startswith(_TAG) else None
    if kind == "str":
        return text
    value = resolve_plain(text) if kind in ("int", "float", "bool") else None
    if kind == "int" and type(value) is int and _GO_INT_RE.fullmatch(text.replace("_", "")):
        return value  # (1.0 reads as 1, but go-yaml refuses a float's syntax under !!int)
    if kind == "float" and isinstance(value, (int, float)) and type(value) is not bool:
        return _json_number(float(value))  # go-yaml makes a float of an !!int; JSON writes it back
    if kind == "bool" and type(value) is bool:
        return value
    if kind == "null":
        return None
    if kind in ("timestamp", "binary"):
        return text
    if kind in ("int", "float", "bool"):  # as go-yaml: "cannot decode !!float `1.0` as a !!int"
        raise DocumentError(f"{text[:40]!r} is not a valid !!{kind}", position)
    raise DocumentError(f'unsupported tag "{shorten(str(tag))}" on value {text[:40]!r}', position)


def _json_key(key: Any) -> str:
    """Mapping keys as kubectl turns them into JSON (sigs.k8s.io/yaml): ``y:`` is the key "true"."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, float):
        return format(key, "g")
    return str(key)


_COMPACTED: dict[int, dict[Any, int]] = {}
"""The ``key_positions`` of every compact document (one shared empty dict: never written to)."""

_COLUMN_BITS = 32
_COLUMN_MASK = (1 << _COLUMN_BITS) - 1


def packed_position(position: Position) -> int:
    """A position as one int (columns past 2**32 are cut: no reader keeps such a line)."""
    return position[0] << _COLUMN_BITS | min(position[1], _COLUMN_MASK)


def _unpacked(packed: int) -> Position:
    return packed >> _COLUMN_BITS, packed & _COLUMN_MASK


def _pos(event: Any) -> Position:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1)


_NO_KEY = object()
_SHARED_STRING = (
    100  # strings up to this length are interned: one copy, however often they are written
)


class _Frame:
    """A mapping or sequence being filled."""

    __slots__ = (
        "anchor",
        "characters",
        "container",
        "key",
        "key_position",
        "merge_next",
        "merged",
        "position",
        "size",
    )

    def __init__(self, container: Any, anchor: str | None, position: Position) -> None:
        self.container = container
        self.anchor = anchor
        self.position = position
        self.key: Any = _NO_KEY
        self.key_position: Position | None = None
        self.merge_next = False
        self.merged: set[Any] = set()
        self.size = 1  # values, this container included
        self.characters = 0  # of its scalars, keys included


class _Builder:
    """Turns one document's events into values; containers are filled as their events arrive."""

    def __init__(self, document: Document) -> None:
        from ruamel.yaml import events

        self.events = events
        self.doc = document
        self.anchors: dict[str, tuple[Any, int, int]] = {}  # value, values, characters
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.expanded = 0
        self.expanded_characters = 0

    def _add(
        self, value: Any, size: int, characters: int, position: Position, *, merge_key: bool = False
    ) -> None:
        if not self.stack:
            self.root = value
            return
        frame = self.stack[-1]
        frame.size += size
        frame.characters += characters
        container = frame.container
        positions = self.doc.key_positions[id(container)]
        if isinstance(container, list):
            positions[len(container)] = packed_position(position)
            container.append(value)
        elif frame.key is _NO_KEY:
            if isinstance(value, (dict, list)):
                raise DocumentError("a mapping key must be a scalar", position)
            frame.key, frame.key_position, frame.merge_next = _json_key(value), position, merge_key
        else:
            key = frame.key
            if frame.merge_next:
                self._merge(frame, value, position)
            elif key in container and key not in frame.merged:
                raise DocumentError(
                    f'duplicate key "{shorten(key)}" in a mapping', frame.key_position
                )
            else:
                container[key] = value
                frame.merged.discard(key)
                assert frame.key_position is not None
                positions[key] = packed_position(frame.key_position)
            frame.key, frame.merge_next = _NO_KEY, False

    def _merge(self, frame: _Frame, value: Any, position: Position) -> None:
        """YAML 1.1 merge keys (``<<: *base``): keys given in the mapping itself win."""
        for source in value if isinstance(value, list) else [value]:
            if not isinstance(source, dict):
                raise DocumentError(
                    "a merge key (<<) needs a mapping or a list of mappings", position
                )
            for key, item in source.items():
                if key not in frame.container:
                    frame.container[key] = item
                    frame.merged.add(key)

    def feed(self, event: Any) -> None:
        events = self.events
        if isinstance(event, events.ScalarEvent):
            position = _pos(event)
            tag = event.tag
            if tag is not None and str(tag) != "!":
                value = _tagged(str(tag), event.value, position)
            elif event.implicit[0] and tag is None:
                value = resolve_plain(event.value)
            else:
                value = event.value
            if type(value) is str and len(value) <= _SHARED_STRING:
                value = sys.intern(
                    value
                )  # keys, kinds, protocols, port names recur in every document
            if event.anchor is not None:
                self.anchors[event.anchor] = (value, 1, len(event.value))
            merge_key = event.value == "<<" and event.implicit[0] and tag is None
            self._add(value, 1, len(event.value), position, merge_key=merge_key)
        elif isinstance(event, (events.MappingStartEvent, events.SequenceStartEvent)):
            tag = event.tag
            if tag is not None and str(tag) not in (_TAG + "map", _TAG + "seq", "!"):
                raise DocumentError(f'unsupported tag "{shorten(str(tag))}"', _pos(event))
            if len(self.stack) >= MAX_DEPTH:
                raise DocumentError(
                    f"nested more than {MAX_DEPTH} levels deep; the rest of the file is not read",
                    _pos(event),
                    fatal=True,
                )
            container: Any = {} if isinstance(event, events.MappingStartEvent) else []
            self.doc.key_positions[id(container)] = {}
            self.stack.append(_Frame(container, event.anchor, _pos(event)))
        elif isinstance(event, events.AliasEvent):
            self.doc.aliased = True
            if event.anchor not in self.anchors:
                raise DocumentError(f'unknown alias "*{shorten(event.anchor)}"', _pos(event))
            value, size, characters = self.anchors[event.anchor]
            # Only what aliases repeat counts: a large file of plain values is fine.
            self.expanded += size
            self.expanded_characters += characters
            if self.expanded > MAX_NODES or self.expanded_characters > MAX_ALIAS_CHARACTERS:
                what = (
                    f"{MAX_NODES:,} values"
                    if self.expanded > MAX_NODES
                    else f"{MAX_ALIAS_CHARACTERS:,} characters"
                )
                raise DocumentError(
                    f"the document expands to more than {what} through aliases (here "
                    f'"*{shorten(event.anchor)}": an alias bomb?); write the values out, or '
                    "repeat less",
                    _pos(event),
                )
            self._add(value, size, characters, _pos(event))
        elif isinstance(event, (events.MappingEndEvent, events.SequenceEndEvent)):
            frame = self.stack.pop()
            if frame.anchor is not None:
                self.anchors[frame.anchor] = (frame.container, frame.size, frame.characters)
            self._add(frame.container, frame.size, frame.characters, frame.position)


class _Pieces:
    """A text handed to the parser in pieces (a fast path for memory).

    The C parser copies a whole string into UTF-8 before reading it: a second copy of a large
    manifest, held while it is read. A stream is read a piece at a time. For ASCII texts only (each
    piece is then exactly its bytes; a lone surrogate would fail elsewhere than in a string). The
    name is the one the parser gives a string, for its messages. Once read, the text is let go:
    the parser's loader is in a reference cycle, which only the collector frees, and the CLI pauses
    the collector (a whole manifest would otherwise be held through lint's checks across objects).
    """

    name = "<unicode string>"

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def read(self, size: int = -1) -> str:
        size = _PIECE if size is None or size < 0 else size
        piece = self.text[self.at : self.at + size]
        self.at += len(piece)
        if not piece:
            self.text = ""
        return piece


_PIECE = 1 << 16


def _events(text: str) -> Iterator[Any]:
    from ruamel.yaml import YAML

    if len(text) <= _PIECE or not text.isascii():
        yield from YAML(typ="safe").parse(text)
        return
    pieces = _Pieces(text)
    del text
    try:
        yield from YAML(typ="safe").parse(pieces)
    finally:
        pieces.text = ""  # (a stream left unread too)


def load_documents(text: str) -> list[Document]:
    """Every document of a YAML (or JSON) stream (:func:`iter_documents`, as a list)."""
    return list(iter_documents(text))


def iter_documents(text: str) -> Iterator[Document]:
    """Every document of a YAML (or JSON) stream, each as soon as it is read.

    A document that cannot be read carries its ``error`` (and no value); reading stops after
    a stream-level syntax error, since what follows cannot be trusted. A reader that keeps only
    what it needs of each document holds one document at a time, not the stream.
    """
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.events import DocumentEndEvent, DocumentStartEvent

    count = 0
    builder: _Builder | None = None
    current: Document | None = None
    events = _events(text)
    while True:
        try:
            event = next(events)
        except StopIteration:
            break
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            position = (mark.line + 1, mark.column + 1) if mark is not None else None
            yield _failed(
                count,
                current,
                DocumentError(f"not valid YAML: {exc.problem or exc.context or exc}", position),
            )
            break
        except (YAMLError, ValueError, RecursionError, MemoryError) as exc:
            yield _failed(count, current, DocumentError(f"not valid YAML: {exc}"))
            break
        if isinstance(event, DocumentStartEvent):
            current = Document(count, None, _pos(event))
            builder = _Builder(current)
            continue
        if isinstance(event, DocumentEndEvent):
            if current is not None and current.error is None and builder is not None:
                current.value = builder.root
            if current is not None:
                count += 1
                yield current
            current, builder = None, None
            continue
        if builder is None or current is None or current.error is not None:
            continue
        try:
            builder.feed(event)
        except DocumentError as exc:
            current.error = exc
            current.key_positions.clear()
            if exc.fatal:
                yield current
                break


def _failed(count: int, current: Document | None, error: DocumentError) -> Document:
    if current is None:
        current = Document(count, None, error.position or (1, 1))
    current.error = error
    current.value = None
    return current
