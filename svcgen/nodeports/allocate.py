r"""Which Service ports get which nodePort: pins, the lock file, and allocation of new ones.

The input is a list of :class:`Request`\ s: each a group of Service ports (by their
:class:`~svcgen.nodeports.lock.PortKey`) that needs one nodePort, pinned or not. Which ports of
a declaration need one is the DSL's business (:mod:`svcgen.dsl.nodeport_requests`).

Allocation policy: a port keeps the nodePort the lock file gives it; a pin wins over the lock;
new ports get the lowest free port of the KEP-3668 *static band* (the low end of the range,
which the cluster's own random allocation uses last), then, once that band is full, the lowest
free port above it (with a warning: the cluster allocates there at random too). Every nodePort
in the lock, in reserved manifests and in pins of this render counts as taken. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from svcgen.errors import DeclarationError, Problem, SourceLocation
from svcgen.kube.portrange import DEFAULT_NODE_PORT_RANGE, NodePortRange
from svcgen.nodeports.lock import Lock, PortKey
from svcgen.nodeports.reserve import Reservation

__all__ = ["Allocated", "Allocation", "Assignment", "Request", "allocate_node_ports"]

Assignment = dict[PortKey, int]
"""The nodePort of every Service port (and healthCheckNodePort) that has one."""

Origin = Literal["pinned", "lock", "new"]
"""Where a nodePort comes from: pinned in the declaration, kept from the lock file, or allocated
now."""


@dataclass(frozen=True, slots=True)
class Request:
    """A group of Service ports (same Service, same port number) that needs one nodePort."""

    keys: tuple[PortKey, ...]
    pinned: int | None
    subject: str
    location: SourceLocation | None


@dataclass(frozen=True, slots=True)
class Allocated:
    """The nodePort one request got, and where it came from."""

    request: Request
    node_port: int
    source: Origin


@dataclass(frozen=True)
class Allocation:
    """The result: every port's nodePort, the lock to save, and what to tell the user."""

    assignment: Assignment
    lock: Lock
    allocated: list[Allocated]
    warnings: list[Problem]


class _Taken:
    """Every nodePort that is not free, with a description of its owner for messages."""

    def __init__(self, lock: Lock, reserved: Iterable[Reservation]) -> None:
        self.reserved: dict[int, list[Reservation]] = {}
        for reservation in reserved:
            self.reserved.setdefault(reservation.node_port, []).append(reservation)
        self.locked: dict[int, list[PortKey]] = {}
        for key, port in lock.entries.items():
            self.locked.setdefault(port, []).append(key)
        self.claimed: dict[int, Request] = {}

    def is_free(self, port: int) -> bool:
        return port not in self.reserved and port not in self.locked and port not in self.claimed

    def foreign_reservation(self, port: int, request: Request) -> Reservation | None:
        for reservation in self.reserved.get(port, ()):
            if not any(reservation.held_by(key) for key in request.keys):
                return reservation
        return None

    def foreign_lock_key(self, port: int, request: Request) -> PortKey | None:
        for key in self.locked.get(port, ()):
            if key not in request.keys:
                return key
        return None


def allocate_node_ports(
    requests: Sequence[Request],
    lock: Lock | None = None,
    reserved: Iterable[Reservation] = (),
    node_port_range: NodePortRange = DEFAULT_NODE_PORT_RANGE,
    *,
    lock_name: str = "the lock file",
    band: NodePortRange | None = None,
) -> Allocation:
    """Give every Service port that needs one a nodePort; return them and the updated lock.

    Pins first (the user's explicit choice), then the lock (an entry never moves), then new
    ports for the rest: from ``band`` when given (a team's share of the cluster range), else
    from the range's static band upwards.

    Raises:
        DeclarationError: a pin or a lock entry collides with a reserved port or another lock
            entry, or the range has too few free ports for the new ones.
    """
    lock = lock or Lock()
    taken = _Taken(lock, reserved)
    results: dict[int, Allocated] = {}
    problems = _claim_pins(requests, taken, results, lock_name) + _claim_locked(
        requests, lock, taken, results, lock_name
    )
    if problems:
        raise DeclarationError(problems)
    warnings = _claim_new(requests, taken, results, node_port_range, band)
    allocated = [results[i] for i in range(len(requests))]
    assignment: Assignment = {}
    entries = dict(lock.entries)
    for item in allocated:
        for key in item.request.keys:
            assignment[key] = item.node_port
            entries[key] = item.node_port
    return Allocation(assignment, Lock(entries), allocated, warnings)


def _claim_pins(
    requests: Sequence[Request], taken: _Taken, results: dict[int, Allocated], lock_name: str
) -> list[Problem]:
    """Pinned requests get their pin; a pin held by another owner is a conflict."""
    problems: list[Problem] = []
    for i, request in enumerate(requests):
        if request.pinned is None:
            continue
        port = request.pinned
        if (reservation := taken.foreign_reservation(port, request)) is not None:
            problems.append(
                _conflict(
                    request,
                    port,
                    reservation.owner(),
                    "pin a free port, or leave node_port unset to have one allocated",
                )
            )
        elif (key := taken.foreign_lock_key(port, request)) is not None:
            problems.append(
                _conflict(
                    request,
                    port,
                    f"{key} in {lock_name}",
                    "pin another port; if that Service port is gone, run "
                    "`svcgen lock prune` to release it",
                )
            )
        taken.claimed[port] = request
        results[i] = Allocated(request, port, "pinned")
    return problems


def _claim_locked(
    requests: Sequence[Request],
    lock: Lock,
    taken: _Taken,
    results: dict[int, Allocated],
    lock_name: str,
) -> list[Problem]:
    """Unpinned requests keep the port the lock gives them; one reserved elsewhere is a conflict."""
    problems: list[Problem] = []
    for i, request in enumerate(requests):
        if request.pinned is not None:
            continue
        locked = [p for p in (lock.get(key) for key in request.keys) if p is not None]
        port = next((p for p in locked if taken.claimed.get(p, request) is request), None)
        if port is None:
            continue
        if (reservation := taken.foreign_reservation(port, request)) is not None:
            problems.append(
                _conflict(
                    request,
                    port,
                    reservation.owner(),
                    f"the entry for {request.keys[0]} in {lock_name} collides with it; delete "
                    "that entry to have a free port allocated",
                    field="lock",
                )
            )
        taken.claimed[port] = request
        results[i] = Allocated(request, port, "lock")
    return problems


def _claim_new(
    requests: Sequence[Request],
    taken: _Taken,
    results: dict[int, Allocated],
    node_port_range: NodePortRange,
    band: NodePortRange | None,
) -> list[Problem]:
    """The rest get the lowest free ports, in key order (so declaration order does not matter)."""
    fresh = sorted(
        (i for i in range(len(requests)) if i not in results), key=lambda i: requests[i].keys
    )
    warnings: list[Problem] = []
    candidates = _free_ports(taken, band or node_port_range)
    static_end = node_port_range.first + node_port_range.static_band_size
    for free, i in enumerate(fresh):
        port = next(candidates, None)
        if port is None:
            where = f"the band {band} (allocate-from)" if band else str(node_port_range)
            raise DeclarationError(
                [
                    Problem(
                        "nodePort allocation",
                        "node_port",
                        f"range is full: {len(fresh)} nodePorts to allocate, {free} free in "
                        f"{where}",
                        "widen the band (allocate-from, --allocate-from), pin ports, or run "
                        "`svcgen lock prune` to release ports of removed Services"
                        if band
                        else "widen the range (--node-port-range, matching the cluster's "
                        "--service-node-port-range), pin ports, or run `svcgen lock prune` to "
                        "release ports of removed Services",
                        requests[i].location,
                    )
                ]
            )
        taken.claimed[port] = requests[i]
        results[i] = Allocated(requests[i], port, "new")
        if (
            band is None
            and port >= static_end
            and not warnings
            and node_port_range.static_band_size
        ):
            warnings.append(
                Problem(
                    "nodePort allocation",
                    "node_port",
                    f"the static band {node_port_range.first}-{static_end - 1} is full; nodePort "
                    f"{port} "
                    "and later ones come from the dynamic band, where the cluster also allocates "
                    "at random",
                    "pass --reserve with the cluster's Services (kubectl get services -A -o "
                    "yaml) so svcgen avoids the ports the cluster already gave out",
                    requests[i].location,
                    "warning",
                )
            )
    return warnings


def _free_ports(taken: _Taken, node_port_range: NodePortRange) -> Iterator[int]:
    """Free ports in allocation order: lowest first (the static band is the low end)."""
    return (p for p in range(node_port_range.first, node_port_range.last + 1) if taken.is_free(p))


def _conflict(
    request: Request, port: int, owner: str, hint: str, field: str = "node_port"
) -> Problem:
    return Problem(
        request.subject,
        field,
        f"Invalid value: {port}: provided port is already allocated to {owner}",
        hint,
        request.location,
    )
