"""svcgen lock prune and lock check: releasing the nodePorts of removed ports, failing CI on a stale lock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import run_cli
from test_cli_render import TWO, lock_entries

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
    reserve = ("apiVersion: v1\nkind: Service\nmetadata: {name: other}\nspec:\n  type: NodePort\n"
               "  ports: [{port: 1, nodePort: 32000}]\n")
    out, err = io.StringIO(), io.StringIO()
    code = main(["lock", "check", str(copy / "app.py"), "--reserve", "-"], out=out, err=err,
                stdin=io.StringIO(reserve))
    assert code == 0, err.getvalue()


def test_prune_needs_neither_the_reserve_files_contents_nor_the_cluster(example: Callable[[str], Path],
                                                                          monkeypatch: Any) -> None:
    copy = example("seed")
    monkeypatch.setenv("PATH", "")  # no kubectl could run
    bad = copy / "bad.yaml"
    bad.write_bytes(b"\xff")
    result = run_cli("lock", "prune", str(copy / "app.py"), "--reserve-cluster", "--reserve", str(bad))
    assert result.code == 0, result.err
    render = run_cli("render", str(copy / "app.py"), "--reserve", str(bad))
    assert render.code == 2 and "bad.yaml:1:1: error: --reserve: not UTF-8 text" in render.err
