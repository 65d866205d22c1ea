"""Write manifests as a YAML stream (ruamel.yaml): block style, stable, safe for any YAML reader."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver, implicit_resolvers
from ruamel.yaml.tag import Tag

__all__ = ["to_yaml"]

_YAML_VERSIONS = ((1, 1), (1, 2))


class _StrictResolver(VersionedResolver):
    """Quote every string that YAML 1.1 *or* 1.2 would read as something else.

    kubectl reads YAML 1.1 (``on``, ``yes``, ``0777``, ``12:30`` are not strings there), ruamel.yaml
    and many other tools read 1.2: a label value must survive both.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            tag = _implicit_tag(value)
            if tag is not None:
                return tag
            return self.DEFAULT_SCALAR_TAG
        return super().resolve(kind, value, implicit)


@lru_cache(maxsize=4096)
def _implicit_tag(value: str) -> Any:
    for tag, regexp, first in _RESOLVERS:
        if (first is None or (value[:1] in first)) and regexp.match(value):
            return Tag(suffix=tag)
    return None


_RESOLVERS = [
    (tag, regexp, None if first is None else set(first))
    for versions, tag, regexp, first in implicit_resolvers
    if any(v in versions for v in _YAML_VERSIONS)
]


def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.Resolver = _StrictResolver
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.width = 4096  # never fold long strings (annotations) over several lines
    return yaml


def to_yaml(documents: Iterable[Mapping[str, Any]]) -> str:
    """Dump documents as one YAML stream, ``---`` between documents, keys in the order given."""
    docs = list(documents)
    if not docs:
        return ""
    stream = io.StringIO()
    _yaml().dump_all(docs, stream)
    return stream.getvalue()
