"""Merging two versions of a lock: git's conflict markers split, both sides' entries kept.

Two branches that each allocated a nodePort usually took the same one (the lowest free), and git
then stops on the lock file. :func:`split_conflict` reads the conflicted text back into its
sides ("ours" between ``<<<<<<<`` and ``=======``, "theirs" up to ``>>>>>>>``, and the merge
base of diff3's ``|||||||`` section); :func:`merge_locks` keeps every entry of both sides and,
where both sides gave one nodePort to Service ports that cannot share it, keeps the claim made
first and allocates the later one afresh (with
:func:`~svcgen.nodeports.allocate.allocate_node_ports`,
the allocator a render uses). :func:`settle` does the second half alone, for a merge git made
"cleanly" (each branch added its entry far from the other's) into a lock that gives one nodePort
twice.

Which claim was made first: one the merge base already holds (it was there before the branches
split); else ours, the side merged into (``HEAD``, usually the branch already on main), so a
merge moves the incoming branch's new port, never one that may already be deployed. A key both
sides give different numbers keeps ours (said, not moved). Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from svcgen.errors import one_line, shorten
from svcgen.kube.portrange import NodePortRange
from svcgen.nodeports.allocate import Request, allocate_node_ports
from svcgen.nodeports.lock import Lock, PortKey, may_share
from svcgen.nodeports.lockfile import LockFileError, conflict_marker_line, parse_lock
from svcgen.nodeports.reserve import Reservation

__all__ = [
    "Conflict",
    "Kept",
    "Merged",
    "Moved",
    "merge_locks",
    "parse_conflict",
    "settle",
    "split_conflict",
]


class Conflict(NamedTuple):
    """The versions of a file that git's conflict markers hold (``base`` only in diff3 style)."""

    ours: str
    theirs: str
    base: str | None
    ours_label: str
    theirs_label: str
    ours_lines: tuple[int, ...] = ()
    """The line in the conflicted text of each line of ``ours`` (for messages)."""
    theirs_lines: tuple[int, ...] = ()


class Moved(NamedTuple):
    """An entry allocated afresh: its key, its old port, the new one, and who keeps the old one."""

    key: PortKey
    old: int
    new: int
    kept_by: PortKey
    kept_from: str

    def __str__(self) -> str:
        return (
            f"{self.key}: {self.old} -> {self.new} ({self.old} is kept by {self.kept_by}, "
            f"{self.kept_from})"
        )


class Kept(NamedTuple):
    """A key both sides give different nodePorts: ours is kept, theirs dropped."""

    key: PortKey
    ours: int
    theirs: int
    ours_label: str
    theirs_label: str

    def __str__(self) -> str:
        return (
            f"{self.key}: {self.ours} as in {self.ours_label} ({self.theirs_label} gave it "
            f"{self.theirs}, "
            "which is dropped)"
        )


class Merged(NamedTuple):
    """The merged lock and the merge's changes: entries moved, numbers of one key that differed."""

    lock: Lock
    moved: list[Moved]
    kept: list[Kept]


def split_conflict(text: str, source: str) -> Conflict | None:
    """The sides of a text with git's conflict markers (None when it has none).

    Lines outside the conflicts belong to every side. The labels are those of the markers
    (``<<<<<<< HEAD``, ``>>>>>>> feature``), else "ours" and "theirs".

    Raises:
        LockFileError: the markers are not in git's order (a marker missing or out of place).
    """
    if conflict_marker_line(text) is None:
        return None
    sides: dict[str, list[str]] = {"ours": [], "base": [], "theirs": []}
    numbers: dict[str, list[int]] = {"ours": [], "base": [], "theirs": []}
    labels = {"ours": "", "theirs": ""}
    state = "outside"  # then ours, base, theirs: the section being read
    has_base = False
    start = 0
    expected = {"<": ("outside",), "|": ("ours",), "=": ("ours", "base"), ">": ("theirs",)}
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        marker = _marker(line)
        if marker is None:
            for side in ("ours", "base", "theirs") if state == "outside" else (state,):
                sides[side].append(line)
                numbers[side].append(number)
            continue
        kind, label = marker
        if state not in expected[kind]:
            raise LockFileError(
                f"{source}:{number}: error: a conflict marker out of git's order "
                "(<<<<<<<, optionally |||||||, =======, >>>>>>>), so the sides cannot be told "
                "apart. Fix: edit the conflict by hand, or restore it with git checkout -m -- "
                f"{source}"
            )
        if kind == "<":
            state, start = "ours", number
            labels["ours"] = labels["ours"] or label
        elif kind == "|":
            state, has_base = "base", True
        elif kind == "=":
            state = "theirs"
        else:
            state = "outside"
            labels["theirs"] = labels["theirs"] or label
    if state != "outside":
        raise LockFileError(
            f"{source}:{start}: error: the conflict that starts here has no closing >>>>>>> "
            "marker. Fix: edit the conflict by hand, or restore it with git checkout -m -- "
            f"{source}"
        )
    return Conflict(
        "".join(sides["ours"]),
        "".join(sides["theirs"]),
        "".join(sides["base"]) if has_base else None,
        labels["ours"] or "ours",
        labels["theirs"] or "theirs",
        tuple(numbers["ours"]),
        tuple(numbers["theirs"]),
    )


def _marker(line: str) -> tuple[str, str] | None:
    """A conflict marker's kind (``<``, ``|``, ``=``, ``>``) and label, or None for another line.

    The label is the file's text, printed in messages: escaped and shortened.
    """
    if conflict_marker_line(line) is None:
        return None
    head, _, label = line.rstrip("\r\n").partition(" ")
    return head[0], shorten(one_line(label.strip()))


def parse_conflict(
    conflict: Conflict, source: str, node_port_range: NodePortRange, base: str | None = None
) -> tuple[Lock, Lock, Lock | None]:
    """Ours, theirs and the merge base, each read as a lock.

    The base is diff3's section, else ``base`` (git's copy). A side that holds nothing (an empty
    file one branch added) is an empty lock; a base that is not a valid lock is no base (it only
    orders the claims).

    Raises:
        LockFileError: a side is not a valid lock.
    """
    ours = _parse_side_of(
        conflict.ours, conflict.ours_lines, source, conflict.ours_label, node_port_range
    )
    theirs = _parse_side_of(
        conflict.theirs, conflict.theirs_lines, source, conflict.theirs_label, node_port_range
    )
    base_text = conflict.base if conflict.base is not None else base
    return ours, theirs, parse_base(base_text, source, node_port_range)


def _parse_side_of(
    text: str, numbers: tuple[int, ...], source: str, label: str, node_port_range: NodePortRange
) -> Lock:
    """A side of a conflict as a lock.

    An error names the line of the conflicted file, not of the side.
    """
    try:
        return parse_side(text, source, node_port_range)
    except LockFileError as exc:
        message = str(exc)
        match = re.match(rf"{re.escape(source)}(?::(\d+))?: error: ", message)
        if match is None:
            raise
        line = int(match.group(1) or 0)
        where = f":{numbers[line - 1]}" if 0 < line <= len(numbers) else ""
        raise LockFileError(
            f"{source}{where}: error: in {label}'s side: {message[match.end() :]}"
        ) from None


def parse_side(text: str, source: str, node_port_range: NodePortRange) -> Lock:
    """One side of a merge as a lock.

    A side without any entry line (empty, or only comments) is an empty lock.
    """
    if all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        return Lock()
    return parse_lock(text, source, node_port_range)


def parse_base(text: str | None, source: str, node_port_range: NodePortRange) -> Lock | None:
    """The merge base as a lock, or None when there is none or it is not a valid lock.

    Without a base, ours comes first.
    """
    if text is None:
        return None
    try:
        return parse_side(text, f"{source} (merge base)", node_port_range)
    except LockFileError:
        return None


def merge_locks(
    ours: Lock,
    theirs: Lock,
    base: Lock | None,
    node_port_range: NodePortRange,
    *,
    band: NodePortRange | None = None,
    reserved: Iterable[Reservation] = (),
    labels: tuple[str, str] = ("ours", "theirs"),
) -> Merged:
    """Every entry of both sides; the later of two claims on one nodePort is allocated afresh.

    The claims are settled by :func:`settle`. A key both sides give different numbers keeps ours.

    Raises:
        DeclarationError: the range (or band) has no free port left for an entry that must move.
    """
    kept = [
        Kept(key, port, theirs.entries[key], *labels)
        for key, port in sorted(ours.entries.items())
        if theirs.entries.get(key, port) != port
    ]
    owners = {**theirs.owners, **ours.owners}
    merged = settle(
        Lock({**theirs.entries, **ours.entries}, owners),
        ours,
        base,
        node_port_range,
        band=band,
        reserved=reserved,
        labels=labels,
    )
    return merged._replace(kept=kept)


def settle(
    lock: Lock,
    ours: Lock,
    base: Lock | None,
    node_port_range: NodePortRange,
    *,
    band: NodePortRange | None = None,
    reserved: Iterable[Reservation] = (),
    labels: tuple[str, str] = ("ours", "theirs"),
) -> Merged:
    """``lock`` with every nodePort held by one claim: the later of two claims allocated afresh.

    ``lock`` is a merge of ``ours`` and another side (theirs). An entry (key and port) the base
    holds is earlier than one it does not; then ours is earlier than theirs. New ports come from
    the allocator, with the same range, band and reservations as a render.

    Raises:
        DeclarationError: the range (or band) has no free port left for an entry that must move.
    """
    entries = dict(lock.entries)

    def order(key: PortKey) -> tuple[int, int, PortKey]:
        port = entries[key]
        return (
            0 if base is not None and base.get(key) == port else 1,
            0 if ours.get(key) == port else 1,
            key,
        )

    def where(key: PortKey) -> str:
        first, mine, _ = order(key)
        return (
            "which the merge base already had"
            if first == 0
            else f"from {labels[0] if mine == 0 else labels[1]}"
        )

    holders: dict[int, list[PortKey]] = {}
    later: dict[PortKey, PortKey] = {}  # an entry to move -> the earlier entry that keeps its port
    for key in sorted(entries, key=order):
        on_port = holders.setdefault(entries[key], [])
        holder = next((k for k in on_port if not may_share(k, key)), None)
        if holder is None:
            on_port.append(key)
        else:
            later[key] = holder
    requests = _requests(sorted(later, key=lambda k: (entries[k], k)), entries)
    allocation = allocate_node_ports(
        requests,
        Lock({k: v for k, v in entries.items() if k not in later}),
        reserved,
        node_port_range,
        lock_name="the merged lock file",
        band=band,
    )
    moved = [
        Moved(key, entries[key], allocation.assignment[key], later[key], where(later[key]))
        for key in sorted(later)
    ]
    owners = {k: o for k, o in lock.owners.items() if k in entries}
    return Merged(Lock(allocation.lock.entries, owners), moved, [])


def _requests(keys: Sequence[PortKey], entries: dict[PortKey, int]) -> list[Request]:
    """The entries to move, as allocation requests.

    Ports of one Service that shared a nodePort move together.
    """
    groups: list[list[PortKey]] = []
    for key in keys:
        group = next(
            (
                g
                for g in groups
                if entries[g[0]] == entries[key] and all(may_share(k, key) for k in g)
            ),
            None,
        )
        if group is None:
            groups.append([key])
        else:
            group.append(key)
    return [Request(tuple(group), None, str(group[0]), None) for group in groups]
