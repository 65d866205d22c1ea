"""The lock file's text format: written sorted with a header, read back strictly."""

from __future__ import annotations

import pytest
from conftest import HOSTILE_SCALARS

from svcgen.kube.portrange import NodePortRange
from svcgen.nodeports.lock import Lock, PortKey
from svcgen.nodeports.lockfile import (
    LockConflictError,
    LockFileError,
    conflict_marker_line,
    format_lock,
    parse_lock,
)

RANGE = NodePortRange()
HEADER_ONLY = format_lock(Lock()).split("version:")[0]
LOCK = Lock(
    {
        PortKey("", "web", "http", "TCP"): 30001,
        PortKey("shop", "dns", "dns", "UDP"): 30000,
        PortKey("shop", "dns", "dns-tcp", "TCP"): 30000,
        PortKey("a", "b", "", "SCTP"): 30002,
    }
)


def test_format_is_sorted_one_line_per_port_with_a_header() -> None:
    text = format_lock(LOCK)
    lines = text.splitlines()
    assert lines[0].startswith("# svcgen.lock - nodePorts managed by svcgen")
    assert lines[lines.index("nodePorts:") + 1 :] == [
        "  -/web/http/TCP: 30001",
        "  a/b//SCTP: 30002",
        "  shop/dns/dns-tcp/TCP: 30000",
        "  shop/dns/dns/UDP: 30000",
    ]
    assert "version: 1" in lines


def test_round_trip_and_determinism() -> None:
    assert parse_lock(format_lock(LOCK), "svcgen.lock", RANGE) == LOCK
    assert format_lock(LOCK) == format_lock(Lock(dict(reversed(list(LOCK.entries.items())))))


def test_no_file_and_empty_lock() -> None:
    assert parse_lock(None, "svcgen.lock", RANGE) == Lock()
    assert parse_lock(format_lock(Lock()), "svcgen.lock", RANGE) == Lock()
    assert parse_lock("version: 1\n", "svcgen.lock", RANGE) == Lock()
    assert parse_lock("version: 1\nnodePorts:\n", "svcgen.lock", RANGE) == Lock()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "  \n \n",
        "# just a comment\n",
        HEADER_ONLY,
        "---\n",
        "null\n",
        "~\n",
        "---\n...\n",
        "---\n---\n",
        "\ufeff",
        "\r\n",
    ],
)
def test_a_file_that_holds_no_lock_is_not_a_fresh_start(text: str) -> None:
    with pytest.raises(LockFileError) as info:
        parse_lock(text, "svcgen.lock", RANGE)
    assert str(info.value) == (
        "svcgen.lock: error: the lock file is there but holds no lock (it is empty, only comments "
        "or an empty YAML document: truncated, or merged badly?); svcgen does not take it as a "
        "fresh start. Fix: restore it from version control (git checkout -- svcgen.lock), or "
        "delete the file to allocate afresh (every nodePort may then move)"
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("# Project\n\nSome words about it.\n", 3),
        ("{}\n", 1),
        ("name: x\nports: [1]\n", 1),
        ("- a\n- b\n", 1),
        ("'version'\n", 1),
        ("# c\n[1, 2]\n", 2),
        ("x: {version: 1, nodePorts: {}}\n", 1),
    ],
)
def test_a_file_that_is_not_a_lock_is_refused(text: str, line: int) -> None:
    with pytest.raises(LockFileError) as info:
        parse_lock(text, "README.md", RANGE)
    assert str(info.value) == (
        f"README.md:{line}: error: this is not a svcgen lock file (a lock is a mapping with "
        "`version` and `nodePorts`); svcgen neither reads nor overwrites it. Fix: name the lock "
        "file with --lock or [tool.svcgen] lock, or move this file out of the way"
    )


CONFLICTED = """\
version: 1
nodePorts:
  a/api/http/TCP: 30000
<<<<<<< HEAD
  a/cart/http/TCP: 30001
=======
  a/web/http/TCP: 30001
>>>>>>> feature
"""


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (CONFLICTED, 4),
        (CONFLICTED.replace("=======\n", "||||||| base\n=======\n"), 4),
        ("version: 1\n<<<<<<<<<< ours\n", 2),  # conflict-marker-size 10
        ("version: 1\nnodePorts:\n=======\n", 3),  # a marker alone (the rest deleted by hand)
        ("version: 1\r\nnodePorts: {}\r\n>>>>>>> theirs\r\n", 3),
        ("<<<<<<<\n", 1),
    ],
)
def test_conflict_markers_are_reported_before_yaml(text: str, line: int) -> None:
    assert conflict_marker_line(text) == line
    with pytest.raises(LockConflictError) as info:
        parse_lock(text, "svcgen.lock", RANGE)
    assert str(info.value) == (
        f"svcgen.lock:{line}: error: unresolved merge conflict: the lock file holds git's "
        "conflict markers (<<<<<<<, =======, >>>>>>>). Fix: svcgen lock resolve --lock "
        "svcgen.lock (keeps the entries of both sides and moves the later of two claims on one "
        "nodePort)"
    )
    assert info.value.text == text


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\n# <<<<<<< in a comment\n",
        "version: 1 # =======\n",
        "version: 1\n# ======\n",
        "version: 1\nnodePorts: {}\n#=======\n",
    ],
)
def test_marker_lookalikes_are_not_conflicts(text: str) -> None:
    assert conflict_marker_line(text) is None
    assert parse_lock(text, "svcgen.lock", RANGE) == Lock()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "version: 1\nnodePorts: [\n",
            "svcgen.lock:3: error: the lock file is not valid: not valid YAML",
        ),
        ("nodePorts: {}\n", "`version` must be a whole number"),
        ("version: 2\nnodePorts: {}\n", "format version 2, written by a newer svcgen"),
        ("version: 0\n", "unknown lock file format version 0"),
        ("version: 1\nextra: 1\n", "svcgen.lock:2: error: unknown key `extra`"),
        ("version: 1\nnodePorts: [1]\n", "`nodePorts` must be a mapping"),
        (
            "version: 1\nnodePorts:\n  web/http/TCP: 30000\n",
            "svcgen.lock:3: error: malformed key `web/http/TCP`",
        ),
        ("version: 1\nnodePorts:\n  a/Web/http/TCP: 30000\n", "malformed key"),
        ("version: 1\nnodePorts:\n  a/web/http/tcp: 30000\n", "malformed key"),
        ("version: 1\nnodePorts:\n  a/web/http/TCP: '30000'\n", "must map to a nodePort number"),
        ("version: 1\nnodePorts:\n  a/web/http/TCP: true\n", "must map to a nodePort number"),
        (
            "version: 1\nnodePorts:\n  a/web/http/TCP: 40000\n",
            "is outside the nodePort range 30000-32767",
        ),
        (
            "version: 1\nnodePorts:\n  a/web/http/TCP: 30000\n  a/web/http/TCP: 30001\n",
            "duplicate key",
        ),
        (
            "version: 1\nnodePorts:\n  a/web/http/TCP: 30000\n  a/other/http/TCP: 30000\n",
            "svcgen.lock:4: error: nodePort 30000 is given to both `a/web/http/TCP` (line 3) and "
            "`a/other/http/TCP`",
        ),
        (
            "version: 1\nnodePorts:\n  a/web/http/TCP: 30000\n  a/web/admin/TCP: 30000\n",
            "is given to both",
        ),
        (
            "version: 1\nnodePorts:\n  a/web/x/TCP: !!python/object/apply:os.system ['false']\n",
            "unsupported tag",
        ),
        ("version: 1\n---\nversion: 1\n", "more than one YAML document"),
    ],
)
def test_bad_lock_files(text: str, message: str) -> None:
    with pytest.raises(LockFileError) as info:
        parse_lock(text, "svcgen.lock", RANGE)
    assert message in str(info.value)


def test_same_service_siblings_may_share() -> None:
    text = "version: 1\nnodePorts:\n  a/dns/dns/UDP: 30053\n  a/dns/dns-tcp/TCP: 30053\n"
    assert len(parse_lock(text, "svcgen.lock", RANGE)) == 2


def test_configured_range_applies() -> None:
    text = "version: 1\nnodePorts:\n  a/web/http/TCP: 20000\n"
    assert len(parse_lock(text, "svcgen.lock", NodePortRange(20000, 20100))) == 1


def test_health_check_keys() -> None:
    text = "version: 1\nnodePorts:\n  ns/lb//healthCheck: 30001\n  ns/lb/https/TCP: 30000\n"
    assert (
        parse_lock(text, "svcgen.lock", RANGE).get(PortKey("ns", "lb", "", "healthCheck")) == 30001
    )
    with pytest.raises(LockFileError, match="is given to both"):
        parse_lock(
            "version: 1\nnodePorts:\n  ns/lb//healthCheck: 30000\n  ns/lb/https/TCP: 30000\n",
            "l",
            RANGE,
        )


@pytest.mark.parametrize("scalar", HOSTILE_SCALARS)
def test_hostile_scalars_are_refused_with_their_line(scalar: str) -> None:
    text = f"version: 1\nnodePorts:\n  -/web/http/TCP: 30000\n  -/web/admin/TCP: {scalar}\n"
    try:
        lock = parse_lock(text, "svcgen.lock", RANGE)
    except LockFileError as exc:
        assert str(exc).startswith("svcgen.lock:4: error: "), exc
    else:  # only spellings of a valid integer get through (0x7530 is 30000)
        assert lock.get(PortKey("", "web", "admin", "TCP")) in RANGE


def test_a_port_given_twice_is_a_conflict_to_resolve_and_can_be_read_to_resolve_it() -> None:
    text = "version: 1\nnodePorts:\n  a/web/http/TCP: 30000\n  a/other/http/TCP: 30000\n"
    with pytest.raises(LockConflictError) as info:
        parse_lock(text, "svcgen.lock", RANGE)
    assert str(info.value) == (
        "svcgen.lock:4: error: nodePort 30000 is given to both `a/web/http/TCP` (line 3) and "
        "`a/other/http/TCP`; a nodePort belongs to one Service port (or to same-number ports of "
        "one Service with different protocols). Fix: after a git merge, svcgen lock resolve "
        "--lock svcgen.lock (moves the later claim); else delete one of the entries to have it "
        "allocated again"
    )
    assert (info.value.text, info.value.markers) == (text, False)
    assert parse_lock(text, "svcgen.lock", RANGE, shared=True) == Lock(
        {PortKey("a", "web", "http", "TCP"): 30000, PortKey("a", "other", "http", "TCP"): 30000}
    )


@pytest.mark.parametrize(
    "text", ["from svcgen import App\nx = {'a': 1}\n", "#!/bin/sh\necho: [\n", "\t\x01binary: :\n"]
)
def test_a_file_that_is_no_yaml_and_no_lock_is_not_a_lock_never_to_delete(text: str) -> None:
    """``--lock app.py``: the fix must never be "delete it to allocate afresh" (it would delete the
    user's code)."""
    with pytest.raises(LockFileError) as info:
        parse_lock(text, "app.py", RANGE)
    assert str(info.value) == (
        "app.py:1: error: this is not a svcgen lock file (a lock is a mapping with `version` "
        "and `nodePorts`); svcgen neither reads nor overwrites it. Fix: name the lock file "
        "with --lock or [tool.svcgen] lock, or move this file out of the way"
    )


def test_a_broken_lock_is_still_one_to_restore() -> None:
    with pytest.raises(
        LockFileError,
        match=r"^svcgen.lock:4: error: the lock file is not valid: .* Fix: restore it",
    ):
        parse_lock("version: 1\nnodePorts:\n  a: [\n", "svcgen.lock", RANGE)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'version: 1\nnodePorts:\n  "\\e[2J\\a": 30000\n',
            "svcgen.lock:3: error: malformed key `\\x1b[2J\\x07`;",
        ),
        ('version: 1\n"x\\e]0;t\\a": 1\n', "svcgen.lock:2: error: unknown key `x\\x1b]0;t\\x07` "),
        (
            'version: 1\nnodePorts: {}\nowners:\n  "\\e[2J": x\n',
            "svcgen.lock:4: error: `owners` names `\\x1b[2J`, ",
        ),
        (
            f"version: 1\nnodePorts:\n  {'k' * 300}: 30000\n",
            f"malformed key `{'k' * 100}... (300 characters)`;",
        ),
        (
            f"version: 1\nnodePorts:\n  a/web/http/TCP: {'v' * 300}\n",
            f"must map to a nodePort number, not '{'v' * 99}... (302 characters)\n",
        ),
    ],
)
def test_the_files_text_in_messages_is_escaped_and_shortened(text: str, message: str) -> None:
    """A committed lock file is anyone's text: no terminal escape sequence, no megabyte reaches the
    terminal."""
    with pytest.raises(LockFileError) as info:
        parse_lock(text, "svcgen.lock", RANGE)
    assert message in f"{info.value}\n"


@pytest.mark.parametrize("owner", ['""', '"\\e[2Jteam"', '"a\\nb"', "[a]"])
def test_an_owner_is_printable_text(owner: str) -> None:
    """A registry's owners go into messages (``already claimed by``): never an escape sequence."""
    text = f"version: 1\nnodePorts:\n  a/web/http/TCP: 30000\nowners:\n  a/web/http/TCP: {owner}\n"
    with pytest.raises(LockFileError) as info:
        parse_lock(text, "r", RANGE)
    assert (
        str(info.value)
        == "r:5: error: the owner of `a/web/http/TCP` must be a project name (printable text)"
    )


_FORMS = [
    format_lock(LOCK),
    format_lock(Lock()),
    format_lock(Lock({PortKey("a", "b", "c", "TCP"): 30000})),
    "version: 1\nnodePorts:\n  a/b/c/TCP: 99999\n",
    "version: 1\nnodePorts:\n  a/b/c/TCP: 030000\n",
    "version: 1\nnodePorts:\n  a/b/c/TCP: 30000\n  a/b/c/TCP: 30001\n",
    "version: 2\nnodePorts: {}\n",
    "version: 1\nnodePorts:\n  a/b/c/TCP: 30000\nowners:\n  a/b/c/TCP: x\n",
    "version: 1\nnodePorts:\n",
    "version: 1\r\nnodePorts:\r\n  a/b/c/TCP: 30000\r\n",
    "# a\n\nversion: 1\nnodePorts:\n   a/b/c/TCP: 30000\n",
    "version: 1\nnodePorts:\n  'a/b/c/TCP': 30000\n",
    "# \x07\nversion: 1\nnodePorts: {}\n",
    "version: 1\nnodePorts:\n  a/b/c/TCP: 30000 # x\n",
    "version: 1\nnodePorts:\n  a/b/c/TCP: 30000",
]


@pytest.mark.parametrize("text", _FORMS)
def test_the_form_svcgen_writes_is_read_as_the_yaml_parser_reads_it(text: str) -> None:
    """Without the parser (a render then never imports ruamel.yaml): same values and lines, or the
    parser reads it."""
    from svcgen.kube.yamlread import load_documents
    from svcgen.nodeports.lockfile import _canonical_document

    fast = _canonical_document(text)
    if text.startswith(HEADER_ONLY):
        assert fast is not None  # everything format_lock writes without owners
    if fast is None:
        return
    (parsed,) = load_documents(text)
    assert (fast.index, fast.value, fast.position, fast.error) == (
        parsed.index,
        parsed.value,
        parsed.position,
        None,
    )
    assert fast.key_positions == {
        id(fast.value): parsed.key_positions[id(parsed.value)],
        id(fast.value["nodePorts"]): parsed.key_positions[id(parsed.value["nodePorts"])],
    }
