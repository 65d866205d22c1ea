"""What the commands share: settings from flags, writing files, lock texts and diffs."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from svcgen.cli.common import diff, new_lock_text, settings_from_args, write, write_all
from svcgen.errors import UsageError
from svcgen.kube.portrange import NodePortRange
from svcgen.nodeports.lock import Lock, PortKey


def test_flags_win_over_the_table_and_reserve_adds_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.svcgen]\nnode-port-range = "20000-20999"\nlock = "a.lock"\n'
        'reserve = ["cluster.yaml"]\n'
    )
    monkeypatch.chdir(tmp_path)
    table = settings_from_args(argparse.Namespace(), "app.py")
    assert (
        table.node_port_range == NodePortRange(20000, 20999)
        and table.lock == tmp_path.resolve() / "a.lock"
    )
    flags = settings_from_args(
        argparse.Namespace(
            node_port_range=NodePortRange(31000, 31999),
            lock="b.lock",
            reserve=["more.yaml"],
            with_workloads=True,
        ),
        "app.py",
    )
    assert flags.node_port_range == NodePortRange(31000, 31999) and flags.lock == Path("b.lock")
    assert (
        flags.reserve == (tmp_path.resolve() / "cluster.yaml", Path("more.yaml"))
        and flags.with_workloads
    )


def test_write_makes_the_folder_and_reports_failures_as_usage_errors(tmp_path: Path) -> None:
    write(tmp_path / "deep" / "er" / "out.yaml", "x\n")
    assert (tmp_path / "deep" / "er" / "out.yaml").read_text() == "x\n"
    (tmp_path / "file").write_text("")
    with pytest.raises(UsageError, match="cannot create"):
        write(tmp_path / "file" / "out.yaml", "x\n")


def test_no_lock_file_for_a_project_without_node_ports() -> None:
    assert new_lock_text(None, Lock()) is None
    assert new_lock_text("old", Lock()) is not None
    text = new_lock_text(None, Lock({PortKey("", "web", "http", "TCP"): 30000}))
    assert text is not None and text.endswith("nodePorts:\n  -/web/http/TCP: 30000\n")


def test_diff_names_the_file() -> None:
    assert diff("a\n", "b\n", "svcgen.lock").splitlines()[:2] == [
        "--- a/svcgen.lock",
        "+++ b/svcgen.lock",
    ]
    assert diff("same\n", "same\n", "x") == ""


def test_a_failed_write_removes_the_folders_it_made_and_only_those(tmp_path: Path) -> None:
    (tmp_path / "kept").mkdir()
    (tmp_path / "b" / "c" / "in-the-way.yaml").mkdir(parents=True)  # a folder where a file must go
    texts = {
        tmp_path / "kept" / "new" / "x.yaml": "x\n",
        tmp_path / "a" / "b" / "y.yaml": "y\n",
        tmp_path / "b" / "c" / "in-the-way.yaml": "z\n",
    }
    with pytest.raises(UsageError, match=r"in-the-way\.yaml: error: cannot write: a directory"):
        write_all(texts)
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "b",
        "b/c",
        "b/c/in-the-way.yaml",
        "kept",
    ]
