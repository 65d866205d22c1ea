"""What the lock holds: the nodePort of each Service port, keyed by :class:`PortKey`.

A :class:`PortKey` is a Service port's one stable identity.
"""

from collections.abc import Iterator, Mapping
from typing import NamedTuple

__all__ = ["HEALTH_CHECK", "Lock", "PortKey", "may_share"]

HEALTH_CHECK = "healthCheck"
"""The protocol slot of a Service's healthCheckNodePort key: ``ns/service//healthCheck``."""


class PortKey(NamedTuple):
    """The stable identity of a Service port: namespace ("" for none), Service, port name, protocol.

    A Service's healthCheckNodePort has an empty port name and the protocol ``healthCheck``.
    """

    namespace: str
    service: str
    port: str
    protocol: str

    @classmethod
    def health_check(cls, namespace: str, service: str) -> "PortKey":
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


def may_share(a: PortKey, b: PortKey) -> bool:
    """Only same-number ports of one Service (53/TCP, 53/UDP) may share a nodePort.

    A healthCheckNodePort never shares one.
    """
    same_service = (a.namespace, a.service) == (b.namespace, b.service)
    return (
        same_service and a.protocol != b.protocol and HEALTH_CHECK not in (a.protocol, b.protocol)
    )


class Lock:
    """The nodePort of every Service port svcgen manages (read-only: its methods return new locks).

    ``owners`` is set in a shared registry only: the project that claimed each entry.
    """

    __slots__ = ("entries", "owners")

    entries: Mapping[PortKey, int]
    owners: Mapping[PortKey, str]

    def __init__(
        self,
        entries: Mapping[PortKey, int] | None = None,
        owners: Mapping[PortKey, str] | None = None,
    ) -> None:
        object.__setattr__(self, "entries", {} if entries is None else entries)
        object.__setattr__(self, "owners", {} if owners is None else owners)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(
            f"Lock is read-only: {name} cannot be set (its methods return new locks)"
        )

    def __reduce__(self) -> tuple[type["Lock"], tuple[dict[PortKey, int], dict[PortKey, str]]]:
        return Lock, (dict(self.entries), dict(self.owners))

    def __eq__(self, other: object) -> bool:
        if type(other) is not Lock:
            return NotImplemented
        return (self.entries, self.owners) == (other.entries, other.owners)

    __hash__ = None  # type: ignore[assignment]  # mutable contents

    def __repr__(self) -> str:
        return f"Lock(entries={self.entries!r}, owners={self.owners!r})"

    def __iter__(self) -> Iterator[PortKey]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, key: PortKey) -> int | None:
        return self.entries.get(key)

    def changes_to(
        self, other: "Lock"
    ) -> tuple[dict[PortKey, int], dict[PortKey, tuple[int, int]]]:
        """What ``other`` adds to this lock and changes in it (key -> (old, new)), in key order."""
        added = {k: v for k, v in other.entries.items() if k not in self.entries}
        changed = {
            k: (self.entries[k], v)
            for k, v in other.entries.items()
            if k in self.entries and self.entries[k] != v
        }
        return dict(sorted(added.items())), dict(sorted(changed.items()))

    def without(self, keys: set[PortKey]) -> "Lock":
        """A copy without the entries of ``keys``."""
        return Lock(
            {k: v for k, v in self.entries.items() if k not in keys},
            {k: v for k, v in self.owners.items() if k not in keys},
        )

    def holder(self, key: PortKey, port: int) -> PortKey | None:
        """Another entry that holds ``port`` and may not share it with ``key``, if any."""
        return next(
            (
                k
                for k, v in self.entries.items()
                if v == port and k != key and not may_share(k, key)
            ),
            None,
        )

    def owned_by(self, owner: str) -> "Lock":
        """The entries ``owner`` claimed, without owners (a project's own lock)."""
        return Lock({k: v for k, v in self.entries.items() if self.owners.get(k) == owner})

    def with_claims(self, owner: str, lock: "Lock") -> "Lock":
        """This registry with ``owner``'s entries replaced by ``lock``'s."""
        kept = {
            k: v
            for k, v in self.entries.items()
            if self.owners.get(k) != owner and k not in lock.entries
        }
        owners = {k: o for k, o in self.owners.items() if k in kept}
        return Lock({**kept, **lock.entries}, {**owners, **{k: owner for k in lock.entries}})
