"""A real ``git merge`` of two branches that each allocated a nodePort: resolve, and the merge
driver."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import EXAMPLES, HEADER, run_cli

from svcgen.kube.portrange import NodePortRange
from svcgen.nodeports.lock import PortKey
from svcgen.nodeports.lockfile import parse_lock

pytestmark = pytest.mark.slow

SERVICE = """
{var} = Container("{name}", ports=[Port("http", 8080)])
app_{var} = App("{name}", labels={{"app": "{name}"}}, containers=[{var}], services=[
    Service("{name}", type="NodePort", ports=[{var}.port("http").expose(80, node_port=AUTO)]),
])
"""


def declaration(name: str) -> str:
    return HEADER + textwrap.dedent(SERVICE.format(name=name, var=name.replace("-", "_")))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """examples/seed in a git repository (branch main, one commit), the working directory."""
    for name in [
        n for n in os.environ if n.startswith("GIT_")
    ]:  # e.g. GIT_DIR when run inside a git hook
        monkeypatch.delenv(name)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "svcgen tests")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "tests@svcgen.invalid")
    path = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "seed", path, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(path)
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "seed")
    return path


def git(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args], capture_output=True, text=True, check=False
    )
    assert not ok or result.returncode == 0, result.stdout + result.stderr
    return result


def add_service(branch: str, name: str, start: str = "main") -> None:
    """On a new ``branch`` from ``start``: a file declaring Service ``name`` (AUTO nodePort),
    rendered,
    committed."""
    git("checkout", "-q", "-b", branch, start)
    Path(f"{name.replace('-', '_')}.py").write_text(declaration(name))
    rendered = run_cli("render", ".")
    assert rendered.code == 0, rendered.err
    git("add", "-A")
    git("commit", "-q", "-m", f"add {name}")


def lock_ports() -> dict[str, int]:
    lock = parse_lock(Path("svcgen.lock").read_text(), "svcgen.lock", NodePortRange())
    return {str(k): v for k, v in lock.entries.items()}


def key(name: str) -> str:
    return str(PortKey("", name, "http", "TCP"))


def test_conflicted_merge_is_resolved_keeping_the_earlier_claim(repo: Path) -> None:
    add_service("a", "shop-a")
    add_service("b", "shop-b")
    assert lock_ports()[key("shop-b")] == 30001  # both branches took the lowest free port
    git("checkout", "-q", "a")
    merge = git("merge", "-q", "b", ok=False)
    assert (
        merge.returncode == 1
        and "CONFLICT (content): Merge conflict in svcgen.lock" in merge.stdout
    )
    render = run_cli("render", ".")
    assert render.code == 1 and render.err.startswith(
        "svcgen.lock:10: error: unresolved merge conflict"
    )
    result = run_cli("lock", "resolve")
    assert result.code == 0, result.err
    assert result.err.startswith(
        "svcgen: svcgen.lock: moved -/shop-b/http/TCP: 30001 -> 30002 (30001 is kept by "
        "-/shop-a/http/TCP, from HEAD)\n"
    )
    assert lock_ports() == {
        key("my-service"): 30000,
        "-/my-service/metrics/TCP": 31000,
        key("shop-a"): 30001,
        key("shop-b"): 30002,
    }
    check = run_cli("render", ".", "--check")
    assert check.code == 0, check.out + check.err
    git("add", "svcgen.lock")
    git("commit", "-q", "--no-edit")


def test_git_merge_base_orders_the_claims_without_diff3(repo: Path) -> None:
    add_service("b", "shop-b")  # shop-b takes 30001 and reaches main
    git("checkout", "-q", "main")
    git("merge", "-q", "--ff-only", "b")
    git("checkout", "-q", "-b", "a")  # a: shop-b goes away (pruned) and shop-a takes its 30001
    git("rm", "-q", "shop_b.py")
    assert run_cli("lock", "prune", ".").code == 0
    git("commit", "-q", "-am", "drop shop-b")
    Path("shop_a.py").write_text(declaration("shop-a"))
    assert run_cli("render", ".").code == 0
    git("add", "-A")
    git("commit", "-q", "-m", "add shop-a")
    assert lock_ports()[key("shop-a")] == 30001
    add_service("c", "shop-c", start="main")  # c, from main (with shop-b): shop-c takes 30002
    git("checkout", "-q", "a")
    assert git("merge", "-q", "c", ok=False).returncode == 1
    assert (
        "|||||||" not in Path("svcgen.lock").read_text()
    )  # git's default style: no base in the file
    result = run_cli("lock", "resolve")
    assert result.code == 0, result.err
    # shop-b's 30001 is in the merge base (git's stage 1): it was first, HEAD's shop-a moves
    assert result.err.startswith(
        "svcgen: svcgen.lock: moved -/shop-a/http/TCP: 30001 -> 30003 (30001 is kept by "
        "-/shop-b/http/TCP, which the merge base already had)\n"
    )
    assert lock_ports()[key("shop-c")] == 30002


def test_diff3_conflict_style_is_resolved_too(repo: Path) -> None:
    add_service("a", "shop-a")
    add_service("b", "shop-b")
    git("checkout", "-q", "a")
    assert git("-c", "merge.conflictStyle=diff3", "merge", "-q", "b", ok=False).returncode == 1
    assert "|||||||" in Path("svcgen.lock").read_text()
    assert run_cli("lock", "resolve").code == 0
    assert lock_ports()[key("shop-a")] == 30001 and lock_ports()[key("shop-b")] == 30002


def configure_driver() -> None:
    Path(".gitattributes").write_text("svcgen.lock merge=svcgen\n")
    git("add", ".gitattributes")
    git("commit", "-q", "-m", "svcgen's merge driver")
    command = f"{shlex.quote(sys.executable)} -m svcgen lock merge-driver %O %A %B %P"
    git("config", "merge.svcgen.driver", command)


@pytest.mark.parametrize(("ours", "theirs"), [("shop-a", "shop-b"), ("aaa", "zzz")])
def test_merge_driver_merges_without_a_conflict(repo: Path, ours: str, theirs: str) -> None:
    # ("aaa", "zzz"): entries far apart in the file, which git alone merges "cleanly" into a lock
    # giving 30001 twice
    configure_driver()
    add_service("a", ours)
    add_service("b", theirs)
    git("checkout", "-q", "a")
    merge = git("merge", "--no-edit", "b")
    assert (
        f"svcgen: svcgen.lock: moved -/{theirs}/http/TCP: 30001 -> 30002 (30001 is kept by "
        f"-/{ours}/http/TCP, "
        "from ours)\n"
    ) in merge.stderr
    assert git("status", "--porcelain").stdout == ""  # merged and committed
    assert lock_ports()[key(ours)] == 30001 and lock_ports()[key(theirs)] == 30002
    check = run_cli("render", ".", "--check")
    assert check.code == 0, check.out + check.err


def test_merge_driver_that_cannot_merge_stops_git_with_markers(repo: Path) -> None:
    Path("pyproject.toml").write_text(
        '[tool.svcgen]\nallocate-from = "30000-30001"\n'
    )  # room for one more
    configure_driver()
    add_service("a", "shop-a")
    add_service("b", "shop-b")
    git("checkout", "-q", "a")
    merge = git("merge", "--no-edit", "b", ok=False)
    assert (
        merge.returncode == 1
        and "CONFLICT (content): Merge conflict in svcgen.lock" in merge.stdout
    )
    assert (
        "svcgen: svcgen.lock: the merge driver cannot merge the lock files; git's conflict "
        "markers are left in "
        "it: fix the problem below, then run svcgen lock resolve --lock svcgen.lock\n"
    ) in merge.stderr
    assert "range is full: 1 nodePorts to allocate, 0 free in the band 30000-30001" in merge.stderr
    text = Path("svcgen.lock").read_text()
    assert (
        "<<<<<<< ours\n  -/shop-a/http/TCP: 30001\n||||||| base\n=======\n  "
        "-/shop-b/http/TCP: 30001\n>>>>>>> theirs\n" in text
    )
    assert run_cli("lock", "resolve", "--allocate-from", "30000-30009").code == 0
    assert lock_ports()[key("shop-a")] == 30001 and lock_ports()[key("shop-b")] == 30002


@pytest.mark.parametrize("commit", [True, False])
def test_a_clean_merge_that_gives_one_port_twice_is_resolved_from_git_history(
    repo: Path, commit: bool
) -> None:
    # entries far apart in the file: git merges them without a conflict, into a lock giving 30001
    # twice
    add_service("a", "aaa")
    add_service("b", "zzz")
    git("checkout", "-q", "a")
    git("merge", "-q", "--no-edit", *([] if commit else ["--no-commit"]), "b")
    render = run_cli("render", ".")
    assert (
        render.code == 1
        and "nodePort 30001 is given to both `-/aaa/http/TCP` (line 8) and `-/zzz/http/TCP`"
        in render.err
    )
    assert run_cli("lock", "resolve", "--check").code == 1
    result = run_cli("lock", "resolve")
    assert result.code == 0, result.err
    ours, theirs = ("HEAD^1", "HEAD^2") if commit else ("HEAD", "MERGE_HEAD")
    assert result.err == (
        "svcgen: svcgen.lock: moved -/zzz/http/TCP: 30001 -> 30002 (30001 is kept by "
        f"-/aaa/http/TCP, from {ours})\n"
        f"svcgen: svcgen.lock: nodePorts given twice by the merge of {ours} and {theirs} resolved "
        "(1 moved). Review it, then git add svcgen.lock\n"
    )
    assert lock_ports()[key("aaa")] == 30001 and lock_ports()[key("zzz")] == 30002
    check = run_cli("render", ".", "--check")
    assert check.code == 0, check.out + check.err


def test_resolve_run_by_a_git_alias_in_a_linked_worktree_orders_the_claims_by_the_merge_base(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """There git gives an alias GIT_DIR and no GIT_WORK_TREE: git is asked about the lock's own path
    all
    the same."""
    lock = Path("proj/svcgen.lock")
    lock.parent.mkdir()
    header = "version: 1\nnodePorts:\n"
    lock.write_text(header + "  x/x/http/TCP: 30001\n")
    git("add", "-A")
    git("commit", "-q", "-m", "x")
    git("checkout", "-q", "-b", "ours")  # x is pruned and y takes its nodePort
    lock.write_text(header + "  y/y/http/TCP: 30001\n")
    git("commit", "-q", "-am", "y")
    git("checkout", "-q", "main")
    lock.write_text(header + "  x/x/http/TCP: 30001\n  z/z/http/TCP: 30002\n")
    git("commit", "-q", "-am", "z")
    git("worktree", "add", "-q", str(tmp_path / "linked"), "ours")
    monkeypatch.chdir(tmp_path / "linked")
    assert git("merge", "-q", "main", ok=False).returncode == 1
    alias = f"!{shlex.quote(sys.executable)} -m svcgen lock resolve --lock proj/svcgen.lock"
    result = git("-c", f"alias.resolve-lock={alias}", "resolve-lock")
    assert result.stderr.startswith(
        "svcgen: proj/svcgen.lock: moved y/y/http/TCP: 30001 -> 30000 (30001 is kept by "
        "x/x/http/TCP, which the merge base already had)\n"
    ), result.stderr
