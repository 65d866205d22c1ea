"""Merging two lock versions: git's conflict markers split into sides, both sides' entries kept."""

from __future__ import annotations

import pytest

from svcgen.errors import DeclarationError
from svcgen.kube.portrange import NodePortRange
from svcgen.nodeports.lock import Lock, PortKey
from svcgen.nodeports.lockfile import LockFileError, format_lock
from svcgen.nodeports.merge import Conflict, merge_locks, parse_conflict, settle, split_conflict
from svcgen.nodeports.reserve import reservations_from_lock

RANGE = NodePortRange()
API, CART, WEB = (
    PortKey("shop", "api", "http", "TCP"),
    PortKey("shop", "cart", "http", "TCP"),
    PortKey("shop", "web", "http", "TCP"),
)
DNS_TCP, DNS_UDP = PortKey("shop", "dns", "dns-tcp", "TCP"), PortKey("shop", "dns", "dns", "UDP")

CONFLICTED = """\
# header
version: 1
nodePorts:
  shop/api/http/TCP: 30000
<<<<<<< HEAD
  shop/cart/http/TCP: 30001
=======
  shop/web/http/TCP: 30001
>>>>>>> feature
"""


def test_split_gives_each_side_the_common_lines() -> None:
    conflict = split_conflict(CONFLICTED, "svcgen.lock")
    common = "# header\nversion: 1\nnodePorts:\n  shop/api/http/TCP: 30000\n"
    assert conflict == Conflict(
        common + "  shop/cart/http/TCP: 30001\n",
        common + "  shop/web/http/TCP: 30001\n",
        None,
        "HEAD",
        "feature",
        (1, 2, 3, 4, 6),
        (1, 2, 3, 4, 8),
    )


def test_split_reads_diff3_base_and_several_hunks() -> None:
    text = (
        "version: 1\nnodePorts:\n<<<<<<< ours\n  a/x/p/TCP: 30000\n||||||| base\n  a/b/p/TCP: "
        "30005\n=======\n  a/y/p/TCP: 30000\n>>>>>>> theirs\n  a/z/p/TCP: 30003\n<<<<<<< ours\n  "
        "a/z/q/TCP: 30004\n=======\n>>>>>>> theirs\n"
    )
    conflict = split_conflict(text, "l")
    assert conflict is not None
    assert (
        conflict.ours
        == "version: 1\nnodePorts:\n  a/x/p/TCP: 30000\n  a/z/p/TCP: 30003\n  a/z/q/TCP: 30004\n"
    )
    assert conflict.theirs == "version: 1\nnodePorts:\n  a/y/p/TCP: 30000\n  a/z/p/TCP: 30003\n"
    assert conflict.base == "version: 1\nnodePorts:\n  a/b/p/TCP: 30005\n  a/z/p/TCP: 30003\n"


def test_split_without_markers_is_none() -> None:
    assert split_conflict(format_lock(Lock({API: 30000})), "l") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "<<<<<<< a\nx\n",
            "l:1: error: the conflict that starts here has no closing >>>>>>> marker",
        ),
        ("=======\n", "l:1: error: a conflict marker out of git's order"),
        ("<<<<<<< a\n<<<<<<< b\n", "l:2: error: a conflict marker out of git's order"),
        (
            "<<<<<<< a\n=======\n||||||| b\n>>>>>>> c\n",
            "l:3: error: a conflict marker out of git's order",
        ),
        ("<<<<<<< a\n>>>>>>> c\n", "l:2: error: a conflict marker out of git's order"),
    ],
)
def test_split_refuses_markers_out_of_order(text: str, message: str) -> None:
    with pytest.raises(LockFileError, match="^" + message.replace("(", r"\(")):
        split_conflict(text, "l")


def test_both_sides_kept_and_theirs_moves_to_the_lowest_free_port() -> None:
    merged = merge_locks(
        Lock({API: 30000, CART: 30001}),
        Lock({API: 30000, WEB: 30001}),
        None,
        RANGE,
        labels=("HEAD", "feature"),
    )
    assert merged.lock == Lock({API: 30000, CART: 30001, WEB: 30002})
    assert [str(m) for m in merged.moved] == [
        "shop/web/http/TCP: 30001 -> 30002 (30001 is kept by shop/cart/http/TCP, from HEAD)"
    ]
    assert merged.kept == []


def test_an_entry_of_the_merge_base_is_earlier_than_ours() -> None:
    # ours pruned web and gave its port to cart; theirs still has web: web was there first
    merged = merge_locks(Lock({CART: 30001}), Lock({WEB: 30001}), Lock({WEB: 30001}), RANGE)
    assert merged.lock == Lock({CART: 30000, WEB: 30001})
    assert [str(m) for m in merged.moved] == [
        "shop/cart/http/TCP: 30001 -> 30000 (30001 is kept by shop/web/http/TCP, which the merge "
        "base already had)"
    ]


def test_same_key_different_ports_keeps_ours_and_says_so() -> None:
    merged = merge_locks(Lock({WEB: 30005}), Lock({WEB: 30007, CART: 30005}), None, RANGE)
    assert merged.lock == Lock({WEB: 30005, CART: 30000})
    assert [str(k) for k in merged.kept] == [
        "shop/web/http/TCP: 30005 as in ours (theirs gave it 30007, which is dropped)"
    ]
    assert [m.key for m in merged.moved] == [CART]


def test_ports_of_one_service_that_share_a_node_port_move_together() -> None:
    merged = merge_locks(Lock({API: 30000}), Lock({DNS_TCP: 30000, DNS_UDP: 30000}), None, RANGE)
    assert merged.lock == Lock({API: 30000, DNS_TCP: 30001, DNS_UDP: 30001})
    # and siblings on both sides share without a move
    merged = merge_locks(Lock({DNS_TCP: 30000}), Lock({DNS_UDP: 30000}), None, RANGE)
    assert merged.lock == Lock({DNS_TCP: 30000, DNS_UDP: 30000}) and merged.moved == []


def test_reallocation_follows_the_band_and_avoids_reserved_ports() -> None:
    reserved = reservations_from_lock(
        Lock({PortKey("o", "t", "h", "TCP"): 30100}), "other.lock", "other"
    )
    merged = merge_locks(
        Lock({API: 30101}),
        Lock({WEB: 30101}),
        None,
        RANGE,
        band=NodePortRange(30100, 30199),
        reserved=reserved,
    )
    assert merged.lock == Lock({API: 30101, WEB: 30102})


def test_a_full_range_is_an_error() -> None:
    with pytest.raises(DeclarationError, match="range is full"):
        merge_locks(Lock({API: 30000}), Lock({WEB: 30000}), None, NodePortRange(30000, 30000))


def test_owners_of_a_registry_are_kept() -> None:
    merged = merge_locks(
        Lock({API: 30000}, {API: "a"}), Lock({WEB: 30000}, {WEB: "b"}), None, RANGE
    )
    assert merged.lock == Lock({API: 30000, WEB: 30001}, {API: "a", WEB: "b"})


def test_parse_conflict_sides_base_and_empty_sides() -> None:
    conflict = Conflict("", format_lock(Lock({WEB: 30001})), "# only a comment\n", "HEAD", "b")
    assert parse_conflict(conflict, "l", RANGE) == (Lock(), Lock({WEB: 30001}), Lock())
    # git's copy of the base is used without a diff3 section; a broken base is no base
    conflict = conflict._replace(base=None)
    assert parse_conflict(conflict, "l", RANGE, format_lock(Lock({CART: 30002})))[2] == Lock(
        {CART: 30002}
    )
    assert parse_conflict(conflict, "l", RANGE, "version: 1\nnodePorts: [\n")[2] is None
    with pytest.raises(LockFileError, match=r"^l:7: error: in b's side: malformed key"):
        parse_conflict(
            conflict._replace(theirs="version: 1\nnodePorts:\n  x: 1\n", theirs_lines=(1, 2, 7)),
            "l",
            RANGE,
        )
    with pytest.raises(
        LockFileError, match=r"^l: error: in b's side: this is not a svcgen lock"
    ):  # no line known
        parse_conflict(conflict._replace(theirs="[]\n"), "l", RANGE)


def test_settle_moves_the_later_of_two_claims_of_one_lock() -> None:
    lock = Lock({API: 30000, CART: 30001, WEB: 30001})
    merged = settle(
        lock, Lock({API: 30000, WEB: 30001}), Lock({API: 30000}), RANGE, labels=("HEAD^1", "HEAD^2")
    )
    assert merged.lock == Lock({API: 30000, CART: 30002, WEB: 30001})
    assert [str(m) for m in merged.moved] == [
        "shop/cart/http/TCP: 30001 -> 30002 (30001 is kept by shop/web/http/TCP, from HEAD^1)"
    ]
    assert settle(Lock({API: 30000}), Lock(), None, RANGE) == (Lock({API: 30000}), [], [])


def test_the_labels_of_the_markers_are_escaped_and_shortened() -> None:
    """They are the file's text and go into messages: no terminal escape, no megabyte, runs on one
    line."""
    text = CONFLICTED.replace("HEAD", "HEAD\x1b]0;title\x07\x1b[2J").replace("feature", "f" * 150)
    conflict = split_conflict(text, "l")
    assert conflict is not None
    assert conflict.ours_label == "HEAD\\x1b]0;title\\x07\\x1b[2J"
    assert conflict.theirs_label == f"{'f' * 100}... (150 characters)"
