"""What the lock holds: the nodePort of each Service port, by its one stable identity, :class:`PortKey`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

__all__ = ["HEALTH_CHECK", "Lock", "PortKey"]

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


@dataclass(frozen=True)
class Lock:
    """The nodePort of every Service port svcgen manages."""

    entries: Mapping[PortKey, int] = field(default_factory=dict)

    def __iter__(self) -> Iterator[PortKey]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, key: PortKey) -> int | None:
        return self.entries.get(key)

    def without(self, keys: set[PortKey]) -> Lock:
        """A copy without the entries of ``keys``."""
        return Lock({k: v for k, v in self.entries.items() if k not in keys})
