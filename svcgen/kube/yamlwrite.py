"""Write manifests as a YAML stream (ruamel.yaml): block style, stable, safe for any YAML reader.

ruamel.yaml's C emitter (from ``ruamel.yaml.clib``, installed with svcgen where a wheel exists)
is about three times faster than its pure-Python one. Documents whose bytes are certain without an
emitter (almost every manifest) are written by :mod:`svcgen.kube.fastyaml`, about six times faster
again, to the same bytes.

ruamel.yaml is imported on first use (:func:`_ruamel_kit`), not with this module: a render whose
every document fastyaml writes, and whose strings start with a letter, never loads it (its import
is a fifth of a cold ``svcgen render``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from svcgen.kube.fastyaml import fast_writer
from svcgen.kube.yamlread import resolve_plain

__all__ = ["C_EMITTER", "to_yaml", "yaml_documents"]

if TYPE_CHECKING:
    C_EMITTER: bool
    """Whether ruamel.yaml.clib's C emitter is there (a module attribute computed when asked:
    :func:`__getattr__`)."""


_YAML_VERSIONS = ((1, 1), (1, 2))
_LINE_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")
_SETTINGS: dict[str, Any] = {
    "width": 4096,
    "indent": 2,
    "allow_unicode": True,
    "default_flow_style": False,
}

# What a YAML 1.1 or 1.2 reader resolves a plain scalar by: its first character picks the
# candidate patterns. A scalar starting with any other character (a letter, "/", "_"...) can only
# be one of the boolean and null words below (tests/test_kube_yamlwrite.py checks both against
# ruamel.yaml's resolvers), so most strings are told plain without ruamel.yaml, which a render
# whose every document fastyaml writes then never imports.
_RESOLVER_FIRST = frozenset("!&*+-.0123456789<=~")
_WORDS = frozenset(
    {
        "y",
        "Y",
        "yes",
        "Yes",
        "YES",
        "n",
        "N",
        "no",
        "No",
        "NO",
        "true",
        "True",
        "TRUE",
        "false",
        "False",
        "FALSE",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
        "null",
        "Null",
        "NULL",
    }
)


class _Ruamel:
    """ruamel.yaml's part of the writer (imported on first use): tags, resolvers and the dumpers."""

    def __init__(self) -> None:
        from ruamel.yaml.dumper import SafeDumper
        from ruamel.yaml.nodes import MappingNode, ScalarNode
        from ruamel.yaml.resolver import implicit_resolvers
        from ruamel.yaml.tag import Tag

        # One Tag object per tag: ruamel.yaml decodes a new Tag's URI character by character, which
        # took a third of a large dump when every node made its own.
        self.str = Tag(suffix="tag:yaml.org,2002:str")
        self.seq = Tag(suffix="tag:yaml.org,2002:seq")
        self.map = Tag(suffix="tag:yaml.org,2002:map")
        self.int = Tag(suffix="tag:yaml.org,2002:int")
        self.bool = Tag(suffix="tag:yaml.org,2002:bool")
        self.null = Tag(suffix="tag:yaml.org,2002:null")
        self.resolvers = [
            (Tag(suffix=tag), regexp, None if first is None else frozenset(first))
            for versions, tag, regexp, first in implicit_resolvers
            if any(v in versions for v in _YAML_VERSIONS)
        ]
        self.scalar_node, self.mapping_node = ScalarNode, MappingNode
        self.pure: type[Any] = type("_PureDumper", (_Strict, SafeDumper), {})
        _register(self.pure)
        self.dumper = self.pure
        try:  # the C emitter of ruamel.yaml.clib
            from ruamel.yaml.cyaml import CSafeDumper
        except ImportError:  # pragma: no cover - depends on the platform's wheels
            self.c_emitter = False
        else:
            self.c_emitter = True
            self.dumper = type("_CDumper", (_Strict, CSafeDumper), {})
            _register(self.dumper)


@lru_cache(maxsize=1)
def _ruamel_kit() -> _Ruamel:
    return _Ruamel()


def __getattr__(name: str) -> Any:
    if (
        name == "C_EMITTER"
    ):  # whether ruamel.yaml.clib's C emitter is there (asking imports ruamel.yaml)
        return _ruamel_kit().c_emitter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The strings that recur (kinds, protocols, label keys) stay; a stream's unique names pass through
# (a larger cache held a copy of the last 8,192 of them: 1.7 MB of a 10,000-Deployment render).
@lru_cache(maxsize=1024)
def _implicit_tag(value: str) -> Any:
    """The tag a plain scalar would get from kubectl, a YAML 1.1 or a 1.2 reader.

    It is str when none of them reads it as anything else.
    """
    kit = _ruamel_kit()
    for tag, regexp, first in kit.resolvers:
        if (first is None or value[:1] in first) and regexp.match(value):
            return tag
    return kit.str if _kubectl_str(value) else kit.int


def _kubectl_str(value: str) -> bool:
    try:
        kubectl = resolve_plain(value)
    except ValueError:  # an integer too wide for Kubernetes: not a string either
        return False
    # kubectl (go-yaml v2 and Go's number syntax) reads 0X1F, 0O17 and 080 as numbers; YAML 1.1 and
    # 1.2 do not
    return isinstance(kubectl, str)


class _Strict:
    """Mixed into ruamel.yaml's dumpers: strict quoting, keys in order, no anchors.

    Quotes every string that kubectl, YAML 1.1 or 1.2 would read as something else: kubectl
    reads YAML 1.1 booleans and Go's number forms (``on``, ``0777``, ``0X1F``, ``1e3`` are not
    strings there), ruamel.yaml and many other tools read 1.2, and a label value must survive all.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        kit = _ruamel_kit()
        if kind is kit.scalar_node:
            return _implicit_tag(value) if implicit[0] else kit.str
        return kit.map if kind is kit.mapping_node else kit.seq

    def ignore_aliases(self, data: Any) -> bool:
        return True  # never write &anchors / *aliases, even if an object appears twice

    def _represent_str(self, data: str) -> Any:
        # Line breaks (YAML's NEL, LS and PS too): double-quoted, escaped, so that the C and the
        # Python
        # emitter write the same bytes (the Python one folded a NEL in single quotes into a space).
        style = '"' if any(c in data for c in _LINE_BREAKS) else None
        return self.represent_scalar(_ruamel_kit().str, data, style=style)  # type: ignore[attr-defined]

    def _represent_int(self, data: int) -> Any:
        return self.represent_scalar(_ruamel_kit().int, str(data))  # type: ignore[attr-defined]

    def _represent_bool(self, data: bool) -> Any:
        return self.represent_scalar(_ruamel_kit().bool, "true" if data else "false")  # type: ignore[attr-defined]

    def _represent_none(self, data: None) -> Any:
        return self.represent_scalar(_ruamel_kit().null, "null")  # type: ignore[attr-defined]

    def _represent_dict(self, data: dict[Any, Any]) -> Any:
        return self.represent_mapping(_ruamel_kit().map, data)  # type: ignore[attr-defined]

    def _represent_list(self, data: list[Any]) -> Any:
        return self.represent_sequence(_ruamel_kit().seq, data)  # type: ignore[attr-defined]


def _register(dumper: type[Any]) -> None:
    for kind, method in (
        (str, _Strict._represent_str),
        (int, _Strict._represent_int),
        (bool, _Strict._represent_bool),
        (type(None), _Strict._represent_none),
        (dict, _Strict._represent_dict),
        (list, _Strict._represent_list),
    ):
        dumper.add_representer(kind, method)


def _plain(value: str) -> bool:
    if (
        value and value[0] not in _RESOLVER_FIRST and "\n" not in value
    ):  # only _WORDS can match a resolver
        return value not in _WORDS and _kubectl_str(value)
    return _implicit_tag(value) is _ruamel_kit().str


def to_yaml(
    documents: Iterable[Mapping[str, Any]], *, pure: bool = False, fast: bool = True
) -> str:
    """Dump documents as one YAML stream, ``---`` between documents, keys in the order given.

    Args:
        documents: plain dicts, lists, strings, ints and bools.
        pure: use the pure-Python emitter even when the C one is available.
        fast: write the documents :mod:`svcgen.kube.fastyaml` is certain of directly (same bytes);
            the others, and all of them when False, through ruamel.yaml.
    """
    docs = list(documents)
    if not fast or any(not isinstance(d, dict) or not d for d in docs):
        return _ruamel(docs, pure)
    return "".join(yaml_documents(docs, pure=pure))


def yaml_documents(documents: Iterable[Mapping[str, Any]], *, pure: bool = False) -> Iterator[str]:
    """The stream :func:`to_yaml` writes, one document at a time (``---`` before all but the first).

    Each document is written when it is asked for, so a caller that writes each text away holds
    neither the whole stream nor the documents already written. Every document must be a
    non-empty dict (a manifest): ``to_yaml`` writes the others.
    """
    write = fast_writer(_plain)  # one writer for the stream: what it learns about strings, it keeps
    for i, document in enumerate(documents):
        if not isinstance(document, dict) or not document:
            raise ValueError("yaml_documents writes non-empty mappings only; use to_yaml")
        text = write(document)
        if text is None:
            text = _ruamel([document], pure)
        yield text if i == 0 else "---\n" + text  # a block mapping's document start


def _ruamel(documents: Iterable[Mapping[str, Any]], pure: bool) -> str:
    stream = io.StringIO()
    kit = _ruamel_kit()
    dumper = (kit.pure if pure else kit.dumper)(stream, **_SETTINGS)
    dumper.sort_base_mapping_type_on_output = False  # keys in the order the manifest builder chose
    dumper.open()
    for document in documents:
        dumper.represent(document)
    dumper.close()
    # A dumper refers to itself (as its own emitter, serializer...): a cycle that only the cyclic
    # collector frees, which svcgen pauses while it renders (svcgen.gcpause). Break it, so that
    # the C emitter's buffers (tens of kB, unseen by tracemalloc) go now, not one per document at
    # the end.
    dumper.__dict__.clear()
    return stream.getvalue()
