"""The lock's data: one stable key per Service port, and the nodePort of each."""

from __future__ import annotations

from svcgen.nodeports.lock import HEALTH_CHECK, Lock, PortKey


def test_keys_print_as_the_lock_file_writes_them_and_sort_stably() -> None:
    assert str(PortKey("", "web", "http", "TCP")) == "-/web/http/TCP"
    assert str(PortKey.health_check("shop", "lb")) == "shop/lb//healthCheck"
    assert PortKey.health_check("shop", "lb").protocol == HEALTH_CHECK
    keys = [
        PortKey("b", "x", "p", "TCP"),
        PortKey("a", "y", "p", "UDP"),
        PortKey("a", "y", "", "healthCheck"),
    ]
    assert sorted(keys) == [keys[2], keys[1], keys[0]]


def test_a_lock_is_a_read_only_mapping_with_without() -> None:
    a, b = PortKey("", "web", "http", "TCP"), PortKey("", "web", "admin", "TCP")
    lock = Lock({a: 30000, b: 30001})
    assert len(lock) == 2 and set(lock) == {a, b} and lock.get(a) == 30000
    smaller = lock.without({b})
    assert dict(smaller.entries) == {a: 30000} and len(lock) == 2
    assert Lock().get(a) is None and Lock() == Lock({})


def test_changes_to_another_lock_are_listed_in_key_order() -> None:
    keys = [
        PortKey("b", "x", "p", "TCP"),
        PortKey("a", "y", "p", "UDP"),
        PortKey("a", "y", "", "healthCheck"),
        PortKey("a", "x", "q", "TCP"),
    ]
    old = Lock({keys[0]: 30000, keys[3]: 30003})
    new = Lock({keys[0]: 30010, keys[1]: 30001, keys[2]: 30002, keys[3]: 30003})
    added, changed = old.changes_to(new)
    assert list(added.items()) == [(keys[2], 30002), (keys[1], 30001)]
    assert changed == {keys[0]: (30000, 30010)}
    assert list(added) == sorted(added)  # the order PortKey itself defines


def test_a_lock_is_read_only_and_pickles() -> None:
    import pickle

    import pytest

    lock = Lock(
        {PortKey("", "web", "http", "TCP"): 30000}, {PortKey("", "web", "http", "TCP"): "shop"}
    )
    with pytest.raises(AttributeError, match="read-only"):
        lock.entries = {}
    assert all(
        pickle.loads(pickle.dumps(lock, protocol)) == lock
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1)
    )
