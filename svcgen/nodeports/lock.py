"""What the lock holds: the nodePort of each Service port, by its one stable identity, :class:`PortKey`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

__all__ = ["HEALTH_CHECK", "Lock", "PortKey", "may_share"]

HEALTH_CHECK = "healthCheck"
"""The protocol slot of a Service's healthCheckNodePort key: ``ns/service//healthCheck``."""


@dataclass(frozen=True, order=True)
class PortKey:
    """The stable identity of a Service port: namespace ("" for none), Service, port name, protocol.

    A Service's healthCheckNodePort has an empty port name and the protocol ``healthCheck``.
    """

    namespace: str
    service: str
    port: str
    protocol: str

    @classmethod
    def health_check(cls, namespace: str, service: str) -> PortKey:
        """The key of a Service's healthCheckNodePort: ``ns/service//healthCheck``."""
        return cls(namespace, service, "", HEALTH_CHECK)

    def __str__(self) -> str:
        return f"{self.namespace or '-'}/{self.service}/{self.port}/{self.protocol}"

    def short(self) -> str:
        """How messages name the port: ``[ns/]service/port``, the protocol only when not TCP."""
        ns = f"{self.namespace}/" if self.namespace else ""
        if self.protocol == HEALTH_CHECK:
            return f"{ns}{self.service}/healthCheck"
        protocol = f"/{self.protocol}" if self.protocol != "TCP" else ""
        return f"{ns}{self.service}/{self.port or '(unnamed)'}{protocol}"


def _by_key(item: tuple[PortKey, object]) -> tuple[str, str, str, str]:
    """Sort (key, value) pairs by key: comparing the fields directly is ten times faster than PortKey's ``<``."""
    key = item[0]
    return key.namespace, key.service, key.port, key.protocol


def may_share(a: PortKey, b: PortKey) -> bool:
    """Only same-number ports of one Service (53/TCP, 53/UDP) share a nodePort; a healthCheckNodePort never does."""
    same_service = (a.namespace, a.service) == (b.namespace, b.service)
    return same_service and a.protocol != b.protocol and HEALTH_CHECK not in (a.protocol, b.protocol)


@dataclass(frozen=True)
class Lock:
    """The nodePort of every Service port svcgen manages.

    ``owners`` is set in a shared registry only: the project that claimed each entry.
    """

    entries: Mapping[PortKey, int] = field(default_factory=dict)
    owners: Mapping[PortKey, str] = field(default_factory=dict)

    def __iter__(self) -> Iterator[PortKey]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, key: PortKey) -> int | None:
        return self.entries.get(key)

    def changes_to(self, other: Lock) -> tuple[dict[PortKey, int], dict[PortKey, tuple[int, int]]]:
        """What ``other`` adds to this lock, and what it changes (key -> (old, new)), in key order."""
        added = {k: v for k, v in other.entries.items() if k not in self.entries}
        changed = {k: (self.entries[k], v) for k, v in other.entries.items()
                   if k in self.entries and self.entries[k] != v}
        return dict(sorted(added.items(), key=_by_key)), dict(sorted(changed.items(), key=_by_key))

    def without(self, keys: set[PortKey]) -> Lock:
        """A copy without the entries of ``keys``."""
        return Lock({k: v for k, v in self.entries.items() if k not in keys},
                    {k: v for k, v in self.owners.items() if k not in keys})

    def holder(self, key: PortKey, port: int) -> PortKey | None:
        """Another entry that holds ``port`` and may not share it with ``key``, if any."""
        return next((k for k, v in self.entries.items() if v == port and k != key and not may_share(k, key)), None)

    def owned_by(self, owner: str) -> Lock:
        """The entries ``owner`` claimed, without owners (a project's own lock)."""
        return Lock({k: v for k, v in self.entries.items() if self.owners.get(k) == owner})

    def with_claims(self, owner: str, lock: Lock) -> Lock:
        """This registry with ``owner``'s entries replaced by ``lock``'s."""
        kept = {k: v for k, v in self.entries.items() if self.owners.get(k) != owner and k not in lock.entries}
        owners = {k: o for k, o in self.owners.items() if k in kept}
        return Lock({**kept, **lock.entries}, {**owners, **{k: owner for k in lock.entries}})
