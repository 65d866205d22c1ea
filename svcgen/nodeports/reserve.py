"""nodePorts already in use elsewhere: read from Service manifests or ``kubectl get services``.

The kubectl output may be YAML or JSON (``-o yaml|json``). Manifests are read by the one reader,
:func:`svcgen.kube.objects.read_objects`; this module only picks the nodePorts and
healthCheckNodePorts of the Services among them. Pure: texts in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from svcgen.errors import InputError, Problem, one_line, shorten
from svcgen.kube.objects import KubeObject, Path, documents_of, format_path, is_int, read_objects
from svcgen.kube.portrange import NodePortRange
from svcgen.nodeports.lock import HEALTH_CHECK, Lock, PortKey

__all__ = [
    "Reservation",
    "ReserveError",
    "reservations_from_lock",
    "reservations_from_objects",
    "reservations_from_text",
]


class ReserveError(InputError):
    """A --reserve file is not YAML or JSON, or holds a Service whose nodePorts cannot be read.

    The message is printed on one line, control characters escaped (a hostile file name or value
    must not reach the terminal as an escape sequence).
    """

    def __init__(self, message: str) -> None:
        super().__init__(one_line(message))


@dataclass(frozen=True)
class Reservation:
    """A nodePort already in use outside this render (a cluster dump, another repo's manifests)."""

    node_port: int
    namespace: str
    service: str
    origin: str
    port: str = ""
    """The Service port's name in the dump ("healthCheck" for a healthCheckNodePort)."""
    protocol: str = ""
    claimed_by: str = ""
    """The project that holds it, for an entry of another project's lock or of a shared registry."""

    def owner(self) -> str:
        """Who holds the port, for messages.

        Names from a --reserve file are shortened: they may be anything.
        """
        ns = f"{shorten(self.namespace)}/" if self.namespace else ""
        service = shorten(self.service)
        if self.claimed_by:
            return (
                f"{self.origin}: {ns or '-/'}{service}/{shorten(self.port)} (project "
                f"{shorten(self.claimed_by)})"
            )
        return f'Service "{ns}{service}" in {self.origin}'

    def held_by(self, key: PortKey) -> bool:
        """True if this is the same Service (a reserved dump of what svcgen rendered before)."""
        return key.service == self.service and (
            not key.namespace or not self.namespace or key.namespace == self.namespace
        )


def _port(obj: KubeObject, path: Path, value: Any) -> int | None:
    """A nodePort value: a positive integer, or none (absent, null, 0).

    Anything else is an error.
    """
    if value is None or (is_int(value) and value == 0):
        return None
    if is_int(value) and 0 < value <= 65535:
        return value
    raise ReserveError(
        f"{obj.location(path)}: error: {obj.ref}: {format_path(path)}: not a port number: "
        f"{shorten(repr(value))}; the API server would refuse this Service"
    )


def _holds_node_port(value: Any) -> bool:
    """Whether a malformed part of a Service holds a ``nodePort`` that must not go unreserved."""
    if isinstance(value, dict):
        return "nodePort" in value or any(_holds_node_port(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_node_port(v) for v in value)
    return False


def _malformed(obj: KubeObject, path: Path, what: str) -> ReserveError:
    """A Service holding a nodePort where none can be read: an error, as it would go unreserved.

    Other odd shapes (``ports: 5``) hold no nodePort and are skipped, as the API server's checks
    (``svcgen lint``) report them.
    """
    return ReserveError(
        f"{obj.location(path)}: error: {obj.ref}: {format_path(path)} {what}; its nodePorts cannot "
        "be read (the API server would refuse this Service). Fix: correct the file, or leave it "
        "out of --reserve"
    )


def reservations_from_objects(objects: Iterable[KubeObject], origin: str) -> list[Reservation]:
    """Every nodePort and healthCheckNodePort of the Services among ``objects``.

    Objects of other kinds are ignored.

    Raises:
        ReserveError: a nodePort that is not a port number (a string, a float, out of range).
    """
    found: list[Reservation] = []
    for obj in objects:
        if not obj.is_service:
            continue
        spec = obj.spec
        ports = spec.get("ports")
        if _holds_node_port(ports) and not isinstance(ports, list):
            raise _malformed(obj, ("spec", "ports"), "is not a list")
        for i, p in enumerate(ports if isinstance(ports, list) else []):
            if not isinstance(p, dict):
                if _holds_node_port(p):
                    raise _malformed(obj, ("spec", "ports", i), "is not a mapping")
                continue
            number = _port(obj, ("spec", "ports", i, "nodePort"), p.get("nodePort"))
            if number is not None:
                name, protocol = p.get("name"), p.get("protocol")
                name = name if isinstance(name, str) else ""
                protocol = protocol if isinstance(protocol, str) and protocol else "TCP"
                found.append(
                    Reservation(number, obj.namespace, obj.name or "?", origin, name, protocol)
                )
        health_check = _port(obj, ("spec", "healthCheckNodePort"), spec.get("healthCheckNodePort"))
        if health_check is not None:
            found.append(
                Reservation(health_check, obj.namespace, obj.name or "?", origin, "healthCheck")
            )
    return found


def reservations_from_lock(lock: Lock, origin: str, default_owner: str) -> list[Reservation]:
    """Every entry of another project's lock file (or of a shared registry, with its owners)."""
    found = []
    for key, port in lock.entries.items():
        port_name = "healthCheck" if key.protocol == HEALTH_CHECK else key.port
        found.append(
            Reservation(
                port,
                key.namespace,
                key.service,
                origin,
                port_name,
                "" if key.protocol == HEALTH_CHECK else key.protocol,
                lock.owners.get(key, default_owner),
            )
        )
    return found


def _is_lock(text: str) -> bool:
    documents = documents_of(text)
    value = documents[0].value if len(documents) == 1 else None
    return (
        isinstance(value, dict)
        and "nodePorts" in value
        and "version" in value
        and "kind" not in value
    )


def reservations_from_text(text: str, origin: str) -> list[Reservation]:
    """Every nodePort taken in a --reserve file.

    The nodePorts and healthCheckNodePorts of the Services of a YAML/JSON stream (``kubectl get
    services -A -o yaml``, manifests), or every entry of a svcgen lock file. ``origin`` (the file
    name) names the owner in messages.

    Raises:
        ReserveError: not valid YAML or JSON, or neither Kubernetes objects nor a svcgen lock.
    """
    if _is_lock(text):
        from svcgen.nodeports.lockfile import LockFileError, parse_lock

        try:
            lock = parse_lock(text, origin, NodePortRange(1, 65535))
        except LockFileError as exc:
            raise ReserveError(str(exc)) from None
        return reservations_from_lock(lock, origin, PurePath(origin).parent.name or origin)
    objects: list[KubeObject] = []
    for found in read_objects([(origin, text)]):
        if isinstance(found, Problem):
            if found.rule == "yaml":
                line = f":{found.line}" if found.line else ""
                raise ReserveError(
                    f"{origin}{line}: error: not valid YAML or JSON: {found.message}"
                )
            if found.rule == "not-an-object":
                raise ReserveError(f"{found.location}: error: {_NEITHER}")
            if found.rule != "nested-list":  # (whose items are read: their nodePorts are reserved)
                raise ReserveError(
                    str(found)
                )  # a List item that is no object: its nodePorts cannot be known
        else:
            objects.append(found)
    if not objects and all(d.value is None for d in documents_of(text)):  # (an empty List is fine)
        raise ReserveError(f"{origin}: error: {_NEITHER}")
    return reservations_from_objects(objects, origin)


_NEITHER = (
    "neither Kubernetes objects nor a svcgen lock file (a --reserve file is `kubectl get services "
    "-A -o yaml` output, manifests, or another project's svcgen.lock)"
)
