"""The nodePort lock file: its format, parsed and written as text (no file access here).

```yaml
# svcgen.lock - nodePorts managed by svcgen. Commit this file and review changes to it.
# ...
version: 1
nodePorts:
  -/my-service/http/TCP: 30000
  shop/storefront/https/TCP: 30001
```

One line per Service port, ``NAMESPACE/SERVICE/PORT-NAME/PROTOCOL: NODEPORT``, sorted;
``-`` stands for "no namespace" (the kubectl context's). Ports of one Service that share a
port number (53/TCP and 53/UDP) share one nodePort and so one number in the lock.

Read strictly: no file (``None``) is a fresh start, but a file that is there and holds no lock
(empty, only comments, an empty document such as ``---`` or ``null``) is an error, as is a file
that is not a svcgen lock at all and one with git's conflict markers (:mod:`.merge` resolves those).

A lock file as svcgen writes it (comment lines, ``version``, ``nodePorts`` and one ``KEY: NUMBER``
line per entry) is read without the YAML parser, to the same values and line numbers: a render
then never imports ruamel.yaml, a fifth of a cold start. Any other text (hand-edited spacing,
``owners``, quoted keys, duplicates...) goes through the YAML parser, whose messages it needs.
"""

from __future__ import annotations

import re
from typing import Any

from svcgen.errors import InputError, one_line, shorten
from svcgen.kube.portrange import NodePortRange
from svcgen.kube.yamlread import Document, load_documents, packed_position
from svcgen.kube.yamlwrite import to_yaml
from svcgen.nodeports.lock import Lock, PortKey, may_share

__all__ = [
    "LOCK_FORMAT_VERSION",
    "LockConflictError",
    "LockFileError",
    "conflict_marker_line",
    "format_lock",
    "parse_lock",
]

LOCK_FORMAT_VERSION = 1

HEADER = """\
# svcgen.lock - nodePorts managed by svcgen. Commit this file and review changes to it.
# One line per Service port: NAMESPACE/SERVICE/PORT-NAME/PROTOCOL: NODEPORT ("-" = no namespace;
# NAMESPACE/SERVICE//healthCheck is a LoadBalancer's healthCheckNodePort).
# svcgen never moves an entry. Entries whose port is gone stay reserved until
# `svcgen lock prune`; delete an entry by hand only to have that port allocated again.
"""

_KEY_RE = re.compile(
    r"(-|[a-z0-9]([-a-z0-9]*[a-z0-9])?)/([a-z]([-a-z0-9]*[a-z0-9])?)/([a-z0-9]([-a-z0-9]*[a-z0-9])?)?/(TCP|UDP|SCTP|healthCheck)"
)


# The text :func:`format_lock` writes without owners; every key matches _KEY_RE (so is a plain
# string
# to any YAML reader) and every number is decimal (no leading 0, which kubectl would read as octal).
_CANONICAL_RE = re.compile(
    r"(?:#[ -~]*\n)*version: [1-9][0-9]{0,8}\nnodePorts:(?: \{\}\n|\n(?:  (?:"
    + _KEY_RE.pattern
    + r"): [1-9][0-9]{0,8}\n)+)"
)


# git's conflict markers: <<<<<<< ours, ||||||| base (diff3), =======, >>>>>>> theirs (7 by default;
# the conflict-marker-size attribute makes them longer). No line of a lock file starts so.
_MARKER_RE = re.compile(r"(<{7,}|\|{7,}|>{7,})([ \t].*)?|={7,}[ \t]*")


class LockFileError(InputError):
    """The lock file cannot be used as it is (malformed, inconsistent, or from a newer svcgen)."""


class LockConflictError(LockFileError):
    """Two claims in the lock file conflict, as a git merge leaves them.

    ``svcgen lock resolve`` settles them. ``markers``: the file holds git's conflict markers; else
    (a merge git made "cleanly") one nodePort is given to two Service ports that cannot share it.
    ``text`` is the file.
    """

    def __init__(self, message: str, text: str, *, markers: bool = True) -> None:
        super().__init__(message)
        self.text = text
        self.markers = markers


def conflict_marker_line(text: str) -> int | None:
    """The 1-based line of the first git conflict marker in ``text``, if any."""
    if (
        "<<<<<<<" not in text
        and "=======" not in text
        and ">>>>>>>" not in text
        and "|||||||" not in text
    ):
        return None  # the common case, without splitting the file into lines
    return next(
        (i for i, line in enumerate(text.splitlines(), 1) if _MARKER_RE.fullmatch(line)), None
    )


def _shown(text: object) -> str:
    """Text of the file as a message quotes it: escaped and shortened.

    Escaped: no terminal escape, and all on one line.
    """
    return shorten(one_line(str(text)))


def _parse_key(text: str) -> PortKey | None:
    if not _KEY_RE.fullmatch(text):
        return None
    namespace, service, port, protocol = text.split("/")
    return PortKey("" if namespace == "-" else namespace, service, port, protocol)


def format_lock(lock: Lock) -> str:
    """The lock file's text: header comment, format version, one sorted line per entry.

    A registry (a lock with owners) adds ``owners``: the project that claimed each entry.
    """
    entries = dict(sorted((str(key), port) for key, port in lock.entries.items()))
    data: dict[str, object] = {"version": LOCK_FORMAT_VERSION, "nodePorts": entries}
    if lock.owners:
        data["owners"] = dict(sorted((str(key), owner) for key, owner in lock.owners.items()))
    return HEADER + to_yaml([data])


def parse_lock(
    text: str | None, source: str, node_port_range: NodePortRange, *, shared: bool = False
) -> Lock:
    """Read a lock file's text (None: there is no lock file yet); ``source`` names it in messages.

    ``shared``: take entries that share a nodePort they may not share (to resolve them).

    Raises:
        LockConflictError: the text holds git's conflict markers, or gives one nodePort to two
            Service ports that cannot share it.
        LockFileError: the file holds no lock (empty, comments only, an empty document), is not
            a svcgen lock, or has malformed YAML or keys, a newer format, entries out of range
            or shared by ports that cannot share a nodePort.
    """
    if text is None:
        return Lock()
    marker = conflict_marker_line(text)
    if marker is not None:
        raise LockConflictError(
            f"{source}:{marker}: error: unresolved merge conflict: the lock file holds git's "
            "conflict markers "
            f"(<<<<<<<, =======, >>>>>>>). Fix: svcgen lock resolve --lock {source} (keeps the "
            "entries of both sides and moves the later of two claims on one nodePort)",
            text,
        )
    try:
        document = _document(text, source)
    except LockFileError:
        if "nodePorts" in text or re.search(r"^version:", text, re.MULTILINE):  # a lock, broken
            raise
        raise _not_a_lock(source, 1) from None
    if document is None:
        raise LockFileError(
            f"{source}: error: the lock file is there but holds no lock (it is empty, only "
            "comments or an empty YAML document: truncated, or merged badly?); svcgen does not "
            "take it as a fresh start. Fix: restore "
            f"it from version control (git checkout -- {source}), or delete the file to allocate "
            "afresh (every nodePort may then move)"
        )
    data = document.value
    lines = _Lines(document)
    if not isinstance(data, dict) or not ("version" in data or "nodePorts" in data):
        raise _not_a_lock(source, document.position[0])
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise LockFileError(
            f"{source}:{lines(data, 'version')}: error: `version` must be a whole number "
            f"(this svcgen writes {LOCK_FORMAT_VERSION})"
        )
    if version > LOCK_FORMAT_VERSION:
        raise LockFileError(
            f"{source}: error: the lock file has format version {version}, written by a newer "
            f"svcgen; this one reads version {LOCK_FORMAT_VERSION}. Fix: upgrade svcgen"
        )
    if version < 1:
        raise LockFileError(f"{source}: error: unknown lock file format version {version}")
    unknown = [k for k in data if k not in ("version", "nodePorts", "owners")]
    if unknown:
        raise LockFileError(
            f"{source}:{lines(data, unknown[0])}: error: unknown key `{_shown(unknown[0])}` "
            "(a lock file has `version`, `nodePorts` and, in a shared registry, `owners`)"
        )
    ports = data.get("nodePorts")
    if ports is None:
        return Lock()
    if not isinstance(ports, dict):
        raise LockFileError(
            f"{source}:{lines(data, 'nodePorts')}: error: `nodePorts` must be a mapping of "
            "NAMESPACE/SERVICE/PORT/PROTOCOL: NODEPORT"
        )
    lock = _entries(ports, lines, source, node_port_range, None if shared else text)
    return Lock(lock.entries, _owners(data.get("owners"), lock, lines, data, source))


def _owners(
    owners: Any, lock: Lock, lines: _Lines, data: dict[str, Any], source: str
) -> dict[PortKey, str]:
    """A registry's ``owners``: the project of each entry."""
    if owners is None:
        return {}
    if not isinstance(owners, dict):
        raise LockFileError(
            f"{source}:{lines(data, 'owners')}: error: `owners` must be a mapping of "
            "NAMESPACE/SERVICE/PORT/PROTOCOL: PROJECT"
        )
    found: dict[PortKey, str] = {}
    for raw_key, owner in owners.items():
        key = _parse_key(str(raw_key))
        if key is None or key not in lock.entries:
            raise LockFileError(
                f"{source}:{lines(owners, raw_key)}: error: `owners` names `{_shown(raw_key)}`, "
                "which is not an entry of `nodePorts`"
            )
        if (
            not isinstance(owner, str) or not owner or not owner.isprintable()
        ):  # it is printed in messages
            raise LockFileError(
                f"{source}:{lines(owners, raw_key)}: error: the owner of `{raw_key}` must be a "
                "project name (printable text)"
            )
        found[key] = owner
    return found


def _entries(
    ports: dict[Any, Any],
    lines: _Lines,
    source: str,
    node_port_range: NodePortRange,
    text: str | None,
) -> Lock:
    """The ``nodePorts`` mapping, each entry checked: its key, its number, its range, its sharing.

    Without ``text`` (the file, for the error), entries may share a nodePort they may not share.
    """
    entries: dict[PortKey, int] = {}
    seen: dict[int, tuple[PortKey, int]] = {}
    for raw_key, value in ports.items():
        line = lines(ports, raw_key)
        key = _parse_key(str(raw_key))
        if key is None:
            raise LockFileError(
                f"{source}:{line}: error: malformed key `{_shown(raw_key)}`; keys are "
                "NAMESPACE/SERVICE/PORT-NAME/PROTOCOL, e.g. shop/web/http/TCP"
            )
        if not isinstance(value, int) or isinstance(value, bool):
            raise LockFileError(
                f"{source}:{line}: error: `{raw_key}` must map to a nodePort number, "
                f"not {_shown(repr(value))}"
            )
        if value not in node_port_range:
            raise LockFileError(
                f"{source}:{line}: error: `{raw_key}: {value}` is outside the nodePort range "
                f"{node_port_range}. "
                "Fix: set the range your cluster uses (--node-port-range or [tool.svcgen] "
                "node-port-range), or delete the entry to have the port allocated again"
            )
        other = seen.get(value)
        if other is not None and text is not None and not may_share(other[0], key):
            raise LockConflictError(
                f"{source}:{line}: error: nodePort {value} is given to both `{other[0]}` (line "
                f"{other[1]}) "
                f"and `{raw_key}`; a nodePort belongs to one Service port (or to same-number "
                "ports of one Service with different protocols). Fix: after a git merge, svcgen "
                "lock resolve --lock "
                f"{source} (moves the later claim); else delete one of the entries to have it "
                "allocated again",
                text,
                markers=False,
            )
        seen.setdefault(value, (key, line))
        entries[key] = value
    return Lock(entries)


def _not_a_lock(source: str, line: int) -> LockFileError:
    """A file named as the lock that is no lock: never to restore or delete.

    For example a README, app.py or another YAML file.
    """
    return LockFileError(
        f"{source}:{line}: error: this is not a svcgen lock file (a lock is a mapping with "
        "`version` and `nodePorts`); svcgen neither reads nor overwrites it. Fix: name the lock "
        "file with --lock or [tool.svcgen] lock, or move this file out of the way"
    )


def _canonical_document(text: str) -> Document | None:
    """The document of a lock file in the form svcgen writes, as :func:`load_documents` reads it.

    None: another form.
    """
    if not _CANONICAL_RE.fullmatch(text):
        return None
    lines = text.split("\n")[:-1]
    first = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    ports: dict[str, int] = {}
    positions: dict[Any, int] = {}
    for number, line in enumerate(lines[first + 2 :], first + 3):
        key, _, value = line[2:].partition(": ")
        if key in ports:
            return None  # a duplicate key: the YAML reader's message
        ports[key] = int(value)
        positions[key] = packed_position((number, 3))
    data = {"version": int(lines[first].removeprefix("version: ")), "nodePorts": ports}
    return Document(
        0,
        data,
        (first + 1, 1),
        {
            id(data): {
                "version": packed_position((first + 1, 1)),
                "nodePorts": packed_position((first + 2, 1)),
            },
            id(ports): positions,
        },
    )


def _document(text: str, source: str) -> Document | None:
    """The lock file's one YAML document (None when it has none, or only empty ones)."""
    canonical = _canonical_document(text)
    if canonical is not None:
        return canonical
    documents = load_documents(text)
    if all(d.value is None and d.error is None for d in documents):
        return None
    document = documents[0]
    if document.error is not None or len(documents) > 1:
        error = document.error or documents[1].error
        position = error.position if error else documents[1].position
        where = f":{position[0]}" if position else ""
        problem = error.message if error else "more than one YAML document"
        raise LockFileError(
            f"{source}{where}: error: the lock file is not valid: {problem}. "
            f"Fix: restore it from version control (git checkout -- {source}), or delete it to "
            "allocate afresh (every nodePort may then move)"
        )
    return document


class _Lines:
    """The line of a key in one of the document's mappings."""

    def __init__(self, document: Document) -> None:
        self.document = document

    def __call__(self, mapping: Any, key: Any) -> int:
        return (self.document.key_position(mapping, key) or self.document.position)[0]
