"""The cyclic garbage collector is paused inside the block and restored after it, whatever
happens."""

from __future__ import annotations

import gc

import pytest

from svcgen.gcpause import paused_gc


def test_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restored_when_an_exception_escapes() -> None:
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_library_users_pause_the_collector_with_svcgen_gc_paused() -> None:
    """The one call a build script needs to declare as the command line does (its project file runs
    paused)."""
    import svcgen

    assert "gc_paused" in svcgen.__all__
    with svcgen.gc_paused():
        assert not gc.isenabled()
        apps = [svcgen.App(f"a{i}", labels={"app": f"a{i}"}) for i in range(3)]
    assert gc.isenabled()
    assert svcgen.render(apps).yaml == ""  # Apps without Services: nothing to write
