"""What lint keeps of an object once its own checks ran: the fields its checks across objects read.

Why (a fast path for memory): the checks across objects (:mod:`.services`, :mod:`.port_references`,
duplicate definitions) can only run once every document is read, so lint holds every object
until the end. Held whole, with a position for each key, a manifest took about 35 times its size
in memory (a 40 MB file: 1.3 GB). Once an object's own checks ran, everything those later checks
do not read (images, environment, resources, volumes, a ConfigMap's data, a CRD's schema) is
dropped here, and the document's positions are then packed (:meth:`Document.compact`). Messages
keep pointing at the same lines: what they point at is what is kept.

:data:`KEEP` lists, by kind, the fields kept; a kind not listed keeps what every object keeps
(apiVersion, kind, name and namespace: a duplicate definition names the earlier one's line).
A document with aliases is kept whole: one value may stand in several places of it.
"""

from __future__ import annotations

from typing import Any

from svcgen.kube.objects import WORKLOAD_POD_SPEC, KubeObject

__all__ = ["KEEP", "Keep", "keep_for", "retain"]

Keep = bool | dict[str, "Keep"]
"""True: a value whole; a mapping: of a mapping, those keys (of a list, those keys of each item)."""

_COMMON: dict[str, Keep] = {
    "apiVersion": True,
    "kind": True,
    "metadata": {"name": True, "namespace": True},
}
_LABELLED: dict[str, Keep] = {
    "metadata": {"name": True, "namespace": True, "labels": True}
}  # selected by labels
_CONTAINER: Keep = dict.fromkeys(
    (
        "name",
        "ports",
        "restartPolicy",
        "livenessProbe",
        "readinessProbe",
        "startupProbe",
        "lifecycle",
    ),
    True,
)
_POD_SPEC: Keep = {"containers": _CONTAINER, "initContainers": _CONTAINER}
_ROUTE: dict[str, Keep] = {"spec": {"rules": {"backendRefs": True}}}
_MONITOR: dict[str, Keep] = {"selector": True, "namespaceSelector": True}


def _workload(path: tuple[Any, ...]) -> dict[str, Keep]:
    """A Pod's or workload's pod template labels and containers; ``path`` leads to its pod spec."""
    keep: dict[str, Keep] = {"spec": _POD_SPEC}
    if len(path) > 1:  # a workload's pod template's labels (a Pod's own)
        keep["metadata"] = {"labels": True}
    else:
        keep.update(_LABELLED)
    for part in reversed(path[:-1]):
        keep = {part: keep}
    return keep


KEEP: dict[str, dict[str, Keep]] = {
    "Service": {
        **_LABELLED,
        "spec": dict.fromkeys(("type", "ports", "healthCheckNodePort", "selector"), True),
    },
    **{kind: _workload(path) for kind, path in WORKLOAD_POD_SPEC.items()},
    "Ingress": {
        "spec": {
            "defaultBackend": True,
            "backend": True,
            "rules": {"http": {"paths": {"backend": True}}},
        }
    },
    **dict.fromkeys(("HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute"), _ROUTE),
    "NetworkPolicy": {"spec": {"podSelector": True, "ingress": {"ports": True}}},
    "ServiceMonitor": {"spec": {**_MONITOR, "endpoints": {"port": True}}},
    "PodMonitor": {"spec": {**_MONITOR, "podMetricsEndpoints": {"port": True}}},
    "Endpoints": {"subsets": {"ports": True}},
    "EndpointSlice": {**_LABELLED, "ports": True},
}
"""By kind (of any API group: keeping more than needed is harmless), what is kept beside
:data:`_COMMON`."""


def keep_for(kind: str) -> dict[str, Keep]:
    """What is kept of an object of ``kind``."""
    return _KEPT.get(kind, _COMMON)


_KEPT = {kind: {**_COMMON, **extra} for kind, extra in KEEP.items()}


def _prune(node: Any, keep: Keep, positions: dict[int, dict[Any, int]] | None) -> bool:
    """Drops, in place, what ``keep`` drops of ``node``; whether ``node`` (a mapping) lost keys.

    A mapping below it that lost keys is replaced by a copy sized to what is left (see
    :func:`retain`),
    when ``positions`` (its document's, to carry them over) is given.
    """
    if keep is True or keep is False:
        return False
    if isinstance(node, list):
        for i, item in enumerate(node):
            if _prune(item, keep, positions) and positions is not None:
                node[i] = _resized(item, positions)
    elif isinstance(node, dict):
        dropped = [k for k in node if k not in keep]
        for key in dropped:
            del node[key]
        for key, value in node.items():
            if _prune(value, keep[key], positions) and positions is not None:
                node[key] = _resized(value, positions)  # (an existing key: the dict's size stays)
        return bool(dropped)
    return False


def _resized(node: dict[Any, Any], positions: dict[int, dict[Any, int]]) -> dict[Any, Any]:
    """A copy of ``node`` sized to its keys, with its positions.

    A dict keeps its table's size when keys go, and so does ``dict(node)``'s copy: not a
    comprehension's.
    """
    smaller = {key: value for key, value in node.items()}
    positions[id(smaller)] = positions.pop(id(node), {})
    return smaller


def retain(obj: KubeObject) -> None:
    """Drops, in place, what no check across objects reads of ``obj`` (see the module docstring).

    A mapping below the object that lost keys is replaced by a copy sized to what is left, its
    positions carried over (a container's 12 keys pruned to 4 would keep the table of 12, twice
    the size). Not in a typed List's item, whose copy shares its mappings with the document.
    """
    if obj.doc.aliased:
        return
    keep = keep_for(obj.kind)
    node: Any = (
        obj.doc.value
    )  # a typed List's item is a copy (with the List's kind): the document's own too
    for part in obj.prefix:
        node = node[part]
    positions = obj.doc.key_positions if node is obj.value and obj.doc.packed is None else None
    _prune(obj.value, keep, positions)
    if node is not obj.value:
        _prune(node, keep, None)
