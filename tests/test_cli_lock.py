"""svcgen lock prune and lock check: releasing the nodePorts of removed ports, failing CI on a stale
lock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import deadline, run_cli
from test_cli_render import TWO, lock_entries

from svcgen.nodeports.lock import Lock, PortKey
from svcgen.nodeports.lockfile import format_lock

Writer = Callable[..., Path]


def test_removed_ports_stay_reserved_until_pruned(write_app: Writer, tmp_path: Path) -> None:
    write_app(TWO)
    run_cli("render", "app.py")
    write_app(TWO.replace(', web.port("admin").expose()', ""))
    run_cli("render", "app.py")
    assert "  -/shop/admin/TCP: 30000" in lock_entries(tmp_path / "svcgen.lock")
    write_app(TWO)  # the port comes back with its old number
    assert "nodePort: 30000" in run_cli("render", "app.py").out
    write_app(TWO.replace(', web.port("admin").expose()', ""))
    check = run_cli("lock", "prune", "--check", "app.py")
    assert check.code == 1 and check.out == "would release -/shop/admin/TCP: 30000\n"
    assert run_cli("lock", "prune", "app.py").out == "released -/shop/admin/TCP: 30000\n"
    assert "  -/shop/admin/TCP: 30000" not in lock_entries(tmp_path / "svcgen.lock")
    assert run_cli("lock", "prune", "app.py").code == 0


def test_lock_check(write_app: Writer, tmp_path: Path) -> None:
    write_app(TWO)
    result = run_cli("lock", "check", "app.py")
    assert result.code == 1 and "+  -/shop/admin/TCP: 30000" in result.out
    assert not (tmp_path / "svcgen.lock").exists()
    run_cli("render", "app.py")
    assert run_cli("lock", "check", "app.py").code == 0


def test_lock_check_reads_reserve_from_stdin_like_render(example: Callable[[str], Path]) -> None:
    import io

    from svcgen.cli import main

    copy = example("seed")
    reserve = (
        "apiVersion: v1\nkind: Service\nmetadata: {name: other}\nspec:\n  type: NodePort\n"
        "  ports: [{port: 1, nodePort: 32000}]\n"
    )
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["lock", "check", str(copy / "app.py"), "--reserve", "-"],
        out=out,
        err=err,
        stdin=io.StringIO(reserve),
    )
    assert code == 0, err.getvalue()


def test_prune_needs_neither_the_reserve_files_contents_nor_the_cluster(
    example: Callable[[str], Path], monkeypatch: Any
) -> None:
    copy = example("seed")
    monkeypatch.setenv("PATH", "")  # no kubectl could run
    bad = copy / "bad.yaml"
    bad.write_bytes(b"\xff")
    result = run_cli(
        "lock", "prune", str(copy / "app.py"), "--reserve-cluster", "--reserve", str(bad)
    )
    assert result.code == 0, result.err
    render = run_cli("render", str(copy / "app.py"), "--reserve", str(bad))
    assert render.code == 2 and "bad.yaml:1:1: error: --reserve: not UTF-8 text" in render.err


EMPTY_LOCKS = ["", "\n", "# svcgen.lock\n", "---\n", "null\n", "~\n"]


@pytest.mark.parametrize("text", EMPTY_LOCKS)
@pytest.mark.parametrize(
    "command", [("render",), ("lock", "check"), ("lock", "prune"), ("ports",), ("explain",)]
)
def test_a_lock_file_that_holds_no_lock_is_refused_by_every_command(
    example: Callable[[str], Path], text: str, command: tuple[str, ...]
) -> None:
    copy = example("seed")
    (copy / "svcgen.lock").write_text(text)
    result = run_cli(*command, str(copy / "app.py"))
    assert result.code == 1 and result.out == ""
    assert result.err.startswith(
        "seed/svcgen.lock: error: the lock file is there but holds no lock (it is empty, only "
        "comments or an empty YAML document: truncated, or merged badly?); svcgen does not take "
        "it as a fresh start. Fix: restore it from version control (git checkout -- "
        "seed/svcgen.lock), or delete the file to allocate afresh (every nodePort may then move)\n"
    )
    assert (copy / "svcgen.lock").read_text() == text


@pytest.mark.parametrize(
    "text", ["", "<!-- nothing yet -->\n", "# Shop\n\nHow to run it.\n", "name: shop\n"]
)
def test_a_file_given_as_lock_that_is_not_one_is_never_overwritten(
    example: Callable[[str], Path], text: str
) -> None:
    copy = example("seed")
    readme = copy / "README.md"
    readme.write_text(text)
    for command in (("render",), ("lock", "prune"), ("lock", "resolve")):
        result = run_cli(*command, str(copy / "app.py"), "--lock", str(readme))
        assert result.code == 1, result
        assert "seed/README.md" in result.err and (
            "holds no lock" in result.err or "not a svcgen lock" in result.err
        )
        assert readme.read_text() == text


CONFLICTED = """\
# svcgen.lock - a header
version: 1
nodePorts:
  -/my-service/http/TCP: 30000
  -/my-service/metrics/TCP: 31000
<<<<<<< HEAD
  -/shop-a/http/TCP: 30001
=======
  -/shop-b/http/TCP: 30001
>>>>>>> feature
"""


@pytest.mark.parametrize(
    "command",
    [
        ("render",),
        ("render", "--check"),
        ("lock", "check"),
        ("lock", "prune"),
        ("ports",),
        ("explain",),
    ],
)
def test_conflict_markers_are_reported_as_an_unresolved_merge(
    example: Callable[[str], Path], command: tuple[str, ...]
) -> None:
    copy = example("seed")
    (copy / "svcgen.lock").write_text(CONFLICTED)
    result = run_cli(*command, str(copy / "app.py"))
    assert result.code == 1 and result.out == ""
    assert result.err.startswith(
        "seed/svcgen.lock:6: error: unresolved merge conflict: the lock file holds git's conflict "
        "markers (<<<<<<<, =======, >>>>>>>). Fix: svcgen lock resolve --lock seed/svcgen.lock "
        "(keeps the entries of both sides and moves the later of two claims on one nodePort)\n"
    )
    assert (copy / "svcgen.lock").read_text() == CONFLICTED


def lock_text(entries: dict[str, int]) -> str:
    return format_lock(Lock({parse_key(k): v for k, v in entries.items()}))


def parse_key(text: str) -> PortKey:
    namespace, service, port, protocol = text.split("/")
    return PortKey("" if namespace == "-" else namespace, service, port, protocol)


SEED = {"-/my-service/http/TCP": 30000, "-/my-service/metrics/TCP": 31000}


def test_resolve_keeps_both_sides_and_moves_theirs(example: Callable[[str], Path]) -> None:
    copy = example("seed")
    (copy / "svcgen.lock").write_text(CONFLICTED)
    check = run_cli("lock", "resolve", "--check", "--lock", str(copy / "svcgen.lock"))
    assert check.code == 1 and check.out == ""
    assert check.err == (
        "svcgen: seed/svcgen.lock: would move -/shop-b/http/TCP: 30001 -> 30002 (30001 is kept by "
        "-/shop-a/http/TCP, from HEAD)\nsvcgen: seed/svcgen.lock: unresolved merge conflict; "
        "`svcgen lock resolve` would write the merged lock (4 entries).\n"
    )
    assert (copy / "svcgen.lock").read_text() == CONFLICTED
    result = run_cli("lock", "resolve", str(copy))
    assert result.code == 0 and result.out == ""
    assert result.err == (
        "svcgen: seed/svcgen.lock: moved -/shop-b/http/TCP: 30001 -> 30002 (30001 is kept by "
        "-/shop-a/http/TCP, from HEAD)\nsvcgen: seed/svcgen.lock: merge conflict resolved: 4 "
        "entries (3 of HEAD, 3 of feature, 1 moved). Review it, then git add seed/svcgen.lock\n"
    )
    assert (copy / "svcgen.lock").read_text() == lock_text(
        {**SEED, "-/shop-a/http/TCP": 30001, "-/shop-b/http/TCP": 30002}
    )
    again = run_cli("lock", "resolve", "--check", str(copy))
    assert again.code == 0 and again.err == "svcgen: seed/svcgen.lock: nothing to resolve.\n"


def test_resolve_uses_diff3_base_the_project_range_and_band(example: Callable[[str], Path]) -> None:
    copy = example("seed")
    (copy / "pyproject.toml").write_text(
        '[tool.svcgen]\nnode-port-range = "30000-31999"\nallocate-from = "31500-31599"\n'
    )
    # HEAD pruned shop-b and gave its port to shop-a; the base had shop-b: shop-a moves, into the
    # band
    text = (
        lock_text(SEED)
        + "<<<<<<< HEAD\n  -/shop-a/http/TCP: 31500\n||||||| base\n  -/shop-b/http/TCP: 31500\n"
        "=======\n  -/shop-b/http/TCP: 31500\n  -/shop-c/http/TCP: 31501\n>>>>>>> feature\n"
    )
    (copy / "svcgen.lock").write_text(text)
    result = run_cli("lock", "resolve", str(copy / "app.py"))
    assert result.code == 0, result.err
    assert (
        "moved -/shop-a/http/TCP: 31500 -> 31502 (31500 is kept by "
        "-/shop-b/http/TCP, which the merge base already had)\n" in result.err
    )
    assert (copy / "svcgen.lock").read_text() == lock_text(
        {**SEED, "-/shop-a/http/TCP": 31502, "-/shop-b/http/TCP": 31500, "-/shop-c/http/TCP": 31501}
    )


def test_resolve_without_a_lock_or_a_conflict_writes_nothing(
    example: Callable[[str], Path],
) -> None:
    copy = example("seed")
    before = (copy / "svcgen.lock").read_text()
    result = run_cli("lock", "resolve", str(copy))
    assert (result.code, result.err) == (0, "svcgen: seed/svcgen.lock: nothing to resolve.\n")
    assert (copy / "svcgen.lock").read_text() == before
    (copy / "svcgen.lock").unlink()
    result = run_cli("lock", "resolve", str(copy))
    assert (result.code, result.err) == (
        0,
        "svcgen: seed/svcgen.lock: there is no lock file: nothing to resolve.\n",
    )
    assert not (copy / "svcgen.lock").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            CONFLICTED.replace(">>>>>>> feature\n", ""),
            "seed/svcgen.lock:6: error: the conflict that starts here has no "
            "closing >>>>>>> marker",
        ),
        (
            CONFLICTED.replace("-/shop-b/http/TCP: 30001", "-/shop-b/http/TCP: 99"),
            "seed/svcgen.lock:9: error: in feature's side: `-/shop-b/http/TCP: 99` is outside the "
            "nodePort range",
        ),
    ],
)
def test_resolve_refuses_what_it_cannot_merge_and_writes_nothing(
    example: Callable[[str], Path], text: str, message: str
) -> None:
    copy = example("seed")
    (copy / "svcgen.lock").write_text(text)
    result = run_cli("lock", "resolve", str(copy))
    assert result.code == 1 and result.err.startswith(message), result.err
    assert (copy / "svcgen.lock").read_text() == text


def test_resolve_with_a_full_range_writes_nothing(example: Callable[[str], Path]) -> None:
    copy = example("seed")
    text = CONFLICTED.replace("31000", "30002")
    (copy / "svcgen.lock").write_text(text)
    result = run_cli("lock", "resolve", str(copy), "--node-port-range", "30000-30002")
    assert (
        result.code == 1
        and "range is full: 1 nodePorts to allocate, 0 free in 30000-30002" in result.err
    )
    assert (copy / "svcgen.lock").read_text() == text


def test_merge_driver_merges_into_current(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    base, ours, theirs = tmp_path / "o", tmp_path / "a", tmp_path / "b"
    base.write_text(lock_text(SEED))
    ours.write_text(lock_text({**SEED, "-/shop-a/http/TCP": 30001}))
    theirs.write_text(lock_text({**SEED, "-/shop-b/http/TCP": 30001, "-/shop-c/http/TCP": 30002}))
    result = run_cli(
        "lock", "merge-driver", str(base), str(ours), str(theirs), "deploy/svcgen.lock"
    )
    assert result.code == 0 and result.out == ""
    assert result.err == (
        "svcgen: deploy/svcgen.lock: moved -/shop-b/http/TCP: 30001 -> 30003 (30001 is kept by "
        "-/shop-a/http/TCP, from ours)\n"
    )
    assert ours.read_text() == lock_text(
        {**SEED, "-/shop-a/http/TCP": 30001, "-/shop-b/http/TCP": 30003, "-/shop-c/http/TCP": 30002}
    )


def test_merge_driver_without_a_base_and_with_empty_sides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    base, ours, theirs = tmp_path / "o", tmp_path / "a", tmp_path / "b"
    base.write_text("")  # git's %O when both branches added the file
    ours.write_text("")
    theirs.write_text(lock_text(SEED))
    assert run_cli("lock", "merge-driver", str(base), str(ours), str(theirs)).code == 0
    assert ours.read_text() == lock_text(SEED)


@pytest.mark.slow
def test_merge_driver_that_cannot_merge_leaves_conflict_markers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    base, ours, theirs = tmp_path / "o", tmp_path / "a", tmp_path / "b"
    base.write_text(lock_text(SEED))
    ours.write_text(lock_text({**SEED, "-/shop-a/http/TCP": 30001}))
    theirs.write_text(lock_text({**SEED, "-/shop-b/http/TCP": 30001}))
    result = run_cli(
        "lock",
        "merge-driver",
        str(base),
        str(ours),
        str(theirs),
        "--node-port-range",
        "30000-30999",
    )
    assert result.code == 1
    assert result.err == (
        "svcgen: svcgen.lock: the merge driver cannot merge the lock files; git's conflict "
        "markers are left in it: fix the problem below, then run svcgen lock resolve --lock "
        "svcgen.lock\nsvcgen.lock (ours):9: error: `-/my-service/metrics/TCP: 31000` is outside "
        "the nodePort range 30000-30999. Fix: set the range your cluster uses (--node-port-range "
        "or [tool.svcgen] node-port-range), or delete the entry to have the port allocated again\n"
    )
    text = ours.read_text()
    assert (
        "<<<<<<< ours\n  -/shop-a/http/TCP: 30001\n||||||| base\n=======\n  "
        "-/shop-b/http/TCP: 30001\n>>>>>>> theirs\n" in text
    )


def test_resolve_of_a_port_given_twice_outside_a_git_merge_is_refused(
    example: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = example("seed")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(copy.parent))  # no repository around the copy
    text = lock_text({**SEED, "-/aaa/http/TCP": 30001, "-/zzz/http/TCP": 30001})
    (copy / "svcgen.lock").write_text(text)
    render = run_cli("render", str(copy / "app.py"))
    assert (
        render.code == 1
        and "Fix: after a git merge, svcgen lock resolve --lock seed/svcgen.lock" in render.err
    )
    result = run_cli("lock", "resolve", str(copy))
    assert result.code == 1
    assert result.err == (
        "seed/svcgen.lock: error: nodePort 30001 is given to both `-/aaa/http/TCP` and "
        "`-/zzz/http/TCP`, and this is not a git merge (none in progress, HEAD has one parent), "
        "so which claim came first is unknown. Fix: delete the entry that should move, to have it "
        "allocated again\nsvcgen: nothing was written.\n"
    )
    assert (copy / "svcgen.lock").read_text() == text


@pytest.mark.slow
def test_merge_driver_reads_no_file_larger_than_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A branch's lock file as large as a denial of service is refused like any file svcgen
    reads."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SVCGEN_MAX_FILE_SIZE", "1K")
    base, ours, theirs = tmp_path / "o", tmp_path / "a", tmp_path / "b"
    base.write_text(lock_text(SEED))
    ours.write_text(lock_text({**SEED, "-/shop-a/http/TCP": 30001}))
    theirs.write_text(lock_text({**SEED, **{f"-/shop-{i}/http/TCP": 30001 + i for i in range(40)}}))
    result = run_cli("lock", "merge-driver", str(base), str(ours), str(theirs))
    assert result.code == 2 and result.err == (
        "svcgen: svcgen.lock: the merge driver cannot merge the lock files; git's conflict "
        "markers are left in it: fix "
        "the problem below, then run svcgen lock resolve --lock svcgen.lock\n"
        f"{theirs}: error: cannot read: larger than the 1024 bytes svcgen reads from one file. "
        "Fix: raise the limit "
        "with the environment variable SVCGEN_MAX_FILE_SIZE (e.g. SVCGEN_MAX_FILE_SIZE=4M)\n"
    )
    assert ours.read_text().startswith(lock_text(SEED).partition("  -/my-service")[0])
    assert "<<<<<<< ours\n" in ours.read_text()


@pytest.mark.parametrize("kind", ["link", "pipe", "large"])
def test_merge_driver_reads_only_regular_files_and_never_writes_through_a_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    import os

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SVCGEN_MAX_FILE_SIZE", "1K")
    base, theirs, mine = tmp_path / "o", tmp_path / "b", tmp_path / "notes.txt"  # CURRENT is "a"
    base.write_text(lock_text(SEED))
    theirs.write_text(lock_text({**SEED, "-/shop-b/http/TCP": 30001}))
    mine.write_text("my notes\n")
    ours, which, reason = tmp_path / "a", "o", ""
    if kind == "link":  # CURRENT a link to a user's file: conflict markers would land in it
        ours.symlink_to(mine)
        which, reason = (
            "a",
            f"a symbolic link (to {mine}): svcgen never reads a file through a link",
        )
    elif kind == "pipe":  # BASE a pipe nobody writes: reading it (or git merge-file) would block
        os.mkfifo(tmp_path / "p")
        ours.write_text(lock_text(SEED))
        which, reason = "p", "a named pipe (FIFO), not a regular file"
    else:
        ours.write_text(lock_text(SEED))
        base.write_text("#" * 2000)
        reason = "larger than the 1024 bytes svcgen reads from one file"
    before = ours.read_bytes() if kind == "pipe" else None
    with deadline(10):
        result = run_cli(
            "lock", "merge-driver", "p" if kind == "pipe" else "o", "a", "b", "svcgen.lock"
        )
    assert result.code == 2
    first, second = result.err.splitlines()
    left = "git's conflict markers are left in it" if kind == "large" else "a is left as it was"
    assert first == (
        f"svcgen: svcgen.lock: the merge driver cannot merge the lock files; {left}: fix the "
        "problem below, then run svcgen lock resolve --lock svcgen.lock"
    )
    assert second.startswith(f"{which}: error: cannot read: {reason}")
    assert mine.read_text() == "my notes\n"
    if kind == "link":
        assert ours.is_symlink()
    elif kind == "pipe":
        assert ours.read_bytes() == before


def test_merge_driver_does_not_claim_conflict_markers_when_git_merge_file_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git merge-file exits 255 (its -1) or 128 on an error: CURRENT is then as it was, and said
    so."""
    monkeypatch.chdir(tmp_path)
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text("#!/bin/sh\nexit 255\n")
    (fake / "git").chmod(0o755)
    monkeypatch.setenv("PATH", str(fake))
    base, ours, theirs = tmp_path / "o", tmp_path / "a", tmp_path / "b"
    base.write_text(lock_text(SEED))
    ours.write_text(lock_text({**SEED, "-/shop-a/http/TCP": 30001}))
    theirs.write_text(lock_text({**SEED, "-/shop-b/http/TCP": 30001}))
    before = ours.read_text()
    result = run_cli("lock", "merge-driver", "o", "a", "b", "--node-port-range", "30000-30999")
    assert result.code == 1
    assert result.err.startswith(
        "svcgen: svcgen.lock: the merge driver cannot merge the lock files; a is left as it "
        "was: fix the problem below"
    ), result.err
    assert ours.read_text() == before
